using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lumen.Tensors;

namespace Lumen.Onnx;

/// <summary>
/// Wall time spent in each node of a <see cref="GraphModule"/>'s forward passes while it is attached as
/// <see cref="GraphModule.Timings"/>: a profile of where a model's time goes, node by node (with each node's input and
/// output shapes), like ONNX Runtime's node profiler. An activation that its convolution applied as it wrote (fused) shows almost no time of its own; the
/// convolution's time includes it.
/// </summary>
/// <remarks>Timing adds two timestamp reads per node (tens of nanoseconds), nothing else; values are unchanged. The
/// report gives each node's median over the passes, as ONNX Runtime's profile is read (bench/onnx/ort-layers.mjs): on a
/// shared machine a burst of outside load slows a few passes by half or more, which moves a mean but not a median. Not
/// thread-safe: attach it while one caller at a time runs the model.</remarks>
public sealed class NodeTimings
{
    private readonly long[] pass;
    private readonly List<long>[] perPass;
    private readonly string?[] shapes;
    private readonly OnnxModel model;

    internal NodeTimings(OnnxModel model)
    {
        this.model = model;
        pass = new long[model.Nodes.Count];
        perPass = [.. Enumerable.Range(0, model.Nodes.Count).Select(_ => new List<long>())];
        shapes = new string?[model.Nodes.Count];
    }

    /// <summary>Forward passes recorded so far.</summary>
    public int Passes { get; private set; }

    /// <summary>Mean milliseconds per pass spent in node <paramref name="node"/> (index in <see cref="OnnxModel.Nodes"/>).</summary>
    public double MeanMilliseconds(int node) => Passes == 0 ? 0 : Milliseconds(perPass[node].Sum()) / Passes;

    /// <summary>Median milliseconds per pass spent in node <paramref name="node"/> (0 before a pass ended).</summary>
    public double MedianMilliseconds(int node)
    {
        if (Passes == 0) return 0;
        var sorted = perPass[node].Order().ToArray();
        return Milliseconds(sorted[sorted.Length / 2]);
    }

    private static double Milliseconds(long elapsed) => elapsed * 1000.0 / Stopwatch.Frequency;

    /// <summary>Node <paramref name="node"/>'s input and first output shapes in the last pass, as
    /// <c>[1, 3, 224, 224] [32, 3, 3, 3] → [1, 32, 112, 112]</c> (an omitted input is <c>-</c>), or null before it ran.</summary>
    public string? Shapes(int node) => shapes[node];

    internal void Add(int node, long elapsed, Tensor?[] inputs, IReadOnlyList<Tensor> outputs)
    {
        pass[node] += elapsed;
        if (shapes[node] is null)
            shapes[node] = string.Join(" ", inputs.Select(t => t?.Shape.ToString() ?? "-")) + " → " + (outputs.Count > 0 ? outputs[0].Shape.ToString() : "-");
    }

    /// <summary>Adds a node's time, its shapes described by <paramref name="shapes"/> (a step of a blocked chain, whose
    /// values are no NCHW tensors).</summary>
    internal void Add(int node, long elapsed, string shapes)
    {
        pass[node] += elapsed;
        this.shapes[node] ??= shapes;
    }

    internal void EndPass()
    {
        for (int n = 0; n < pass.Length; n++) perPass[n].Add(pass[n]);
        Array.Clear(pass);
        Passes++;
    }

    /// <summary>Clears what was recorded (for example the warm-up passes).</summary>
    public void Reset()
    {
        Array.Clear(pass);
        foreach (var samples in perPass) samples.Clear();
        Array.Clear(shapes);
        Passes = 0;
    }

    /// <summary>A plain-text report: the time per pass of each op type (the sum of its nodes' medians, with its node count
    /// and share), then the <paramref name="top"/> slowest nodes by median with their op, name and share, and the mean
    /// per pass over all nodes beside the sum of medians (a wide gap says the passes' times varied).</summary>
    public string Report(int top = 20)
    {
        if (top < 1) throw new ArgumentOutOfRangeException(nameof(top), $"NodeTimings.Report: the number of slowest nodes to list must be at least 1, got {top}.");
        var inv = CultureInfo.InvariantCulture;
        var median = Enumerable.Range(0, pass.Length).Select(MedianMilliseconds).ToArray();
        double total = median.Sum();
        double mean = Enumerable.Range(0, pass.Length).Sum(MeanMilliseconds);
        var text = new StringBuilder();
        text.AppendLine(inv, $"{Passes} pass(es), {total:F3} ms per pass in nodes (sum of node medians; mean {mean:F3} ms)");
        text.AppendLine("op type                  nodes   median ms/pass   share");
        foreach (var group in Enumerable.Range(0, pass.Length).GroupBy(n => model.Nodes[n].OpType)
                     .Select(g => (Op: g.Key, Count: g.Count(), Ms: g.Sum(n => median[n]))).OrderByDescending(g => g.Ms))
            text.AppendLine(inv, $"{group.Op,-22} {group.Count,7} {group.Ms,16:F3} {Share(group.Ms, total),7}");
        text.AppendLine(inv, $"slowest {Math.Min(top, pass.Length)} nodes");
        foreach (var n in Enumerable.Range(0, pass.Length).OrderByDescending(n => median[n]).Take(top))
            text.AppendLine(inv, $"{n,5} {model.Nodes[n].OpType,-18} {median[n],10:F3} ms {Share(median[n], total),7}  {model.Nodes[n].Name}  {shapes[n]}");
        return text.ToString();
    }

    private static string Share(double part, double total) => total <= 0 ? "-" : (part / total).ToString("P1", CultureInfo.InvariantCulture);
}
