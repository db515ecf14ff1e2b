using Lumen.Onnx.Graph;
using Lumen.Onnx.Ops;

namespace Lumen.Onnx;

/// <summary>
/// The opset-versioned table of ONNX converters (default domain). An op may be registered several times with
/// different <c>sinceOpset</c> versions; a node uses the registration with the largest <c>sinceOpset</c> not above
/// the model's opset for the node's domain.
/// </summary>
/// <example><code>OnnxOps.Register("Relu", sinceOpset: 6, node => inputs => [inputs[0]!.Relu()]);</code></example>
public static class OnnxOps
{
    private static readonly Dictionary<string, List<(int Since, OnnxConverter Converter)>> Table = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    static OnnxOps()
    {
        ArithmeticOps.Register();
        UnaryOps.Register();
        LogicalOps.Register();
        ReductionOps.Register();
        ShapeOps.Register();
        IndexingOps.Register();
        MatrixOps.Register();
        ConvolutionOps.Register();
        PoolingOps.Register();
        NormalizationOps.Register();
        ActivationOps.Register();
        ConstantOps.Register();
        ResizeOps.Register();
        LossOps.Register();
        AttentionOps.Register();
        QuantizationOps.Register();
        SignalOps.Register();
        BitCastOps.Register();
        DetectionOps.Register();
        SetOps.Register();
        SamplingOps.Register();
        ControlFlowOps.Register();
        StreamingOps.Register();
        RecurrentOps.Register();
        RegionOps.Register();
        TextOps.Register();
        OptionalOps.Register();
    }

    /// <summary>Registers (or replaces) the converter for <paramref name="opType"/> from opset <paramref name="sinceOpset"/> on.</summary>
    public static void Register(string opType, int sinceOpset, OnnxConverter converter)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentNullException.ThrowIfNull(converter);
        ArgumentOutOfRangeException.ThrowIfLessThan(sinceOpset, 1);
        lock (Gate)
        {
            if (!Table.TryGetValue(opType, out var list)) Table[opType] = list = [];
            list.RemoveAll(e => e.Since == sinceOpset);
            list.Add((sinceOpset, converter));
            list.Sort((a, b) => a.Since.CompareTo(b.Since));
        }
    }

    /// <summary>The op types that have at least one converter, sorted.</summary>
    public static IReadOnlyList<string> SupportedOps
    {
        get { lock (Gate) return [.. Table.Keys.Order(StringComparer.Ordinal)]; }
    }

    /// <summary>The converter for an op at an opset, or null with the reason.</summary>
    public static OnnxConverter? Find(string domain, string opType, int opset, out string reason)
    {
        reason = "";
        if (domain.Length > 0 && domain != "ai.onnx")
        {
            reason = $"domain '{domain}' is not supported";
            return null;
        }
        lock (Gate)
        {
            if (!Table.TryGetValue(opType, out var list))
            {
                reason = "op is not supported";
                return null;
            }
            for (int i = list.Count - 1; i >= 0; i--)
                if (list[i].Since <= opset) return list[i].Converter;
            reason = $"op is supported from opset {list[0].Since} on only";
            return null;
        }
    }
}
