using Lumen.Metrics.Common;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Metrics.Robustness;

/// <summary>Options of the relative stability metrics. <see cref="MetricOptions.BatchSize"/> counts the rows of one
/// Explain call (all runs of all samples are stacked).</summary>
public sealed record RelativeStabilityOptions : MetricOptions
{
    /// <summary>Perturbed copies of the batch.</summary>
    public int Runs { get; init; } = 10;

    /// <summary>The perturbation.</summary>
    public Functions.INoise Noise { get; init; } = Functions.Noise.Uniform(0.05f);

    /// <summary>ε: the floor of the denominator and the stand-in for zero entries divided by.</summary>
    public double Epsilon { get; init; } = 1e-6;

    /// <summary>The hook point whose activation <see cref="RelativeRepresentationStability"/> compares; null = the
    /// last module holding parameters.</summary>
    public string? Layer { get; init; }
}

/// <summary>
/// The relative stability family: the largest ratio of the relative change of the explanation to the relative change
/// of the input (RIS), the output logits (ROS) or an internal representation (RRS), over perturbations that keep the
/// predicted class; NaN when none does. Low is good.
/// </summary>
/// <remarks>R = max_{x′: ŷ(x′)=ŷ(x)} ‖(Φ(x) − Φ(x′)) ⊘ Φ(x)‖₂ / max(‖(d(x) − d(x′)) ⊘ d(x)‖₂, ε), ⊘ element-wise with
/// zero entries replaced by ε. Agarwal et al., "Rethinking stability for attribution-based explanations" (2022),
/// https://arxiv.org/abs/2203.06877</remarks>
public abstract class RelativeStability : ScalarMetric
{
    /// <summary>Creates the metric.</summary>
    protected RelativeStability(RelativeStabilityOptions? options) => Options = options ?? new();

    /// <summary>The options.</summary>
    public RelativeStabilityOptions Options { get; }

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Robustness;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.LowerIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.AnyWithExplainer;

    /// <summary>What the explanation's change is compared with, for every variant of the batch (flattened rows shaped
    /// like the input, model outputs <paramref name="outputs"/>[variant][sample]): [variant][sample][…].</summary>
    private protected abstract float[][][] Reference(MetricInput input, float[][] batches, float[][][] outputs);

    /// <inheritdoc/>
    protected override IReadOnlyList<double> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        var p = PerturbedExplanations.Draw(input, new SensitivityOptions { Runs = Options.Runs, Noise = Options.Noise, Seed = Options.Seed, BatchSize = Options.BatchSize, MemoryBudgetBytes = Options.MemoryBudgetBytes }, cancellation);
        int samples = input.Samples;
        var batches = p.Inputs.Prepend(p.Input).ToArray();
        var outputs = new ModelRunner(input.Model, input.Target, input.Input, Options)
            .Outputs(Options.Runs + 1, (v, b, row) => p.Row(batches[v], b).CopyTo(row), cancellation);
        var predictions = outputs.Select(variant => variant.Select(o => Statistics.ArgMax(o)).ToArray()).ToArray();
        var references = Reference(input, batches, outputs);
        return [.. Enumerable.Range(0, samples).Select(b =>
        {
            double best = double.NaN;
            for (int r = 1; r <= Options.Runs; r++)
            {
                if (predictions[r][b] != predictions[0][b]) continue;
                double top = RelativeNorm(p.Row(p.Map, b), p.Row(p.Maps[r - 1], b));
                double bottom = Math.Max(RelativeNorm(references[0][b], references[r][b]), Options.Epsilon);
                best = double.IsNaN(best) ? top / bottom : Math.Max(best, top / bottom);
            }
            return best;
        })];
    }

    private double RelativeNorm(ReadOnlySpan<float> reference, ReadOnlySpan<float> other)
    {
        double sum = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double d = reference[i] == 0 ? Options.Epsilon : reference[i];
            double r = (reference[i] - other[i]) / d;
            sum += r * r;
        }
        return Math.Sqrt(sum);
    }

    /// <summary>Splits a flat batch into rows.</summary>
    private protected static float[][] Rows(float[] batch, int samples) =>
        [.. Enumerable.Range(0, samples).Select(b => batch.AsSpan(b * (batch.Length / samples), batch.Length / samples).ToArray())];

    /// <summary>The activation of <paramref name="layer"/> for every variant of the batch, [variant][sample][…]: the
    /// variants run stacked, as many per forward pass as fit the memory budget.</summary>
    private protected float[][][] Activation(MetricInput input, float[][] batches, string layer)
    {
        int samples = input.Samples, perPass = Math.Max(1, ModelRunner.RowsPerPass(input.Model, input.Input, Options, withGradients: false) / samples);
        int rowSize = input.Input.Size / samples;
        var activations = VariantStacks.Map(batches.Length, perPass, samples, input.Input.Shape.Dims[1..].ToArray(),
            (v, b, row) => batches[v].AsSpan(b * rowSize, rowSize).CopyTo(row), (stacked, _) =>
            {
                using var off = GradMode.Off();
                var (_, cache) = input.Model.RunWithCache(stacked, n => n == layer, detach: true);
                if (!cache.Contains(layer)) throw new ArgumentException($"RelativeRepresentationStability: the hook point '{layer}' did not run.");
                return cache[layer];
            }, CancellationToken.None);
        return [.. activations.Select(a => Rows(a, samples))];
    }
}

/// <summary>Relative input stability (RIS): explanation change relative to input change. See <see cref="RelativeStability"/>.</summary>
/// <example><code>var ris = new RelativeInputStability().Evaluate(input with { Explainer = m => new Saliency(m) }).Value;</code></example>
public sealed class RelativeInputStability(RelativeStabilityOptions? options = null) : RelativeStability(options)
{
    /// <inheritdoc/>
    public override string Name => "relative-input-stability";

    private protected override float[][][] Reference(MetricInput input, float[][] batches, float[][][] outputs) => [.. batches.Select(b => Rows(b, input.Samples))];
}

/// <summary>Relative output stability (ROS): explanation change relative to the change of the output logits. See
/// <see cref="RelativeStability"/>.</summary>
/// <example><code>var ros = new RelativeOutputStability().Evaluate(input with { Explainer = m => new Saliency(m) }).Value;</code></example>
public sealed class RelativeOutputStability(RelativeStabilityOptions? options = null) : RelativeStability(options)
{
    /// <inheritdoc/>
    public override string Name => "relative-output-stability";

    private protected override float[][][] Reference(MetricInput input, float[][] batches, float[][][] outputs) => outputs;
}

/// <summary>Relative representation stability (RRS): explanation change relative to the change of an internal
/// activation (<see cref="RelativeStabilityOptions.Layer"/>). See <see cref="RelativeStability"/>.</summary>
/// <example><code>var rrs = new RelativeRepresentationStability(new() { Layer = "fc1" }).Evaluate(input with { Explainer = m => new Saliency(m) }).Value;</code></example>
public sealed class RelativeRepresentationStability(RelativeStabilityOptions? options = null) : RelativeStability(options)
{
    /// <inheritdoc/>
    public override string Name => "relative-representation-stability";

    private protected override float[][][] Reference(MetricInput input, float[][] batches, float[][][] outputs) =>
        Activation(input, batches, Options.Layer ?? LastParameterisedModule(input));

    private static string LastParameterisedModule(MetricInput input) =>
        input.Model.NamedModules().Where(m => m.Name.Length > 0 && m.Module.NamedParameters().Any(p => !p.Name.Contains('.', StringComparison.Ordinal)))
            .Select(m => m.Name).LastOrDefault()
        ?? throw new ArgumentException("RelativeRepresentationStability: the model has no named module with parameters; set Options.Layer.");
}
