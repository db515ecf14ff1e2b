using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>Pad: pads as an attribute (opset 2) or an input (opset 11), optional axes (opset 18); modes constant,
/// reflect, edge and wrap.</summary>
internal static class PadOps
{
    public static void Register()
    {
        OnnxOps.Register("Pad", 2, node =>
        {
            string mode = CheckMode(node);
            long[] pads = node.Ints("pads") ?? node.Ints("paddings") ?? throw node.Error("attribute 'pads' is required.");
            float value = node.Float("value", 0f);
            return inputs => [Pad(inputs.Arg(0), pads, null, mode, inputs.Arg(0).DType == DType.Float32 ? Tensor.Scalar(value) : null)];
        });
        OnnxOps.Register("Pad", 11, node =>
        {
            string mode = CheckMode(node);
            return inputs => [Pad(inputs.Arg(0), OpHelpers.Longs(inputs.Arg(1)), inputs.Optional(3) is { } a ? OpHelpers.Longs(a) : null, mode, inputs.Optional(2))];
        });
    }

    private static string CheckMode(OnnxNode node)
    {
        string mode = node.String("mode", "constant");
        if (mode is not ("constant" or "reflect" or "edge" or "wrap")) throw node.Unsupported($"mode '{mode}'");
        return mode;
    }

    /// <summary>Expands per-axis pads to all axes (ONNX order: all begins, then all ends) and pads.</summary>
    private static Tensor Pad(Tensor x, long[] pads, long[]? axes, string mode, Tensor? value)
    {
        int rank = x.Rank;
        var full = new int[2 * rank];
        var axisList = axes is null ? Enumerable.Range(0, rank).ToArray() : [.. axes.Select(a => OpHelpers.Axis(a, rank, "Pad"))];
        if (pads.Length != 2 * axisList.Length)
            throw new ArgumentException($"Pad: {pads.Length} pads for {axisList.Length} axes of shape {x.Shape}.");
        for (int i = 0; i < axisList.Length; i++)
        {
            full[axisList[i]] = OpHelpers.Saturate(pads[i]);
            full[axisList[i] + rank] = OpHelpers.Saturate(pads[i + axisList.Length]);
        }
        if (mode == "wrap") return Wrap(x, full);
        if (full.All(p => p == 0)) return x;
        float fill = value is null || value.Size == 0 ? 0f : CastOps.To(value, DType.Float32).AsReadOnlySpan()[0];
        return x.Pad(full, mode switch { "reflect" => PadMode.Reflect, "edge" => PadMode.Edge, _ => PadMode.Constant }, fill);
    }

    // wrap: the padding copies the opposite end of each axis (concatenating slices).
    private static Tensor Wrap(Tensor x, int[] pads)
    {
        int rank = x.Rank;
        var y = x;
        for (int a = 0; a < rank; a++)
        {
            int before = pads[a], after = pads[a + rank], n = y.Shape[a];
            if (before < 0) { y = y.Slice(a, -before, n, 1); n = y.Shape[a]; before = 0; }
            if (after < 0) { y = y.Slice(a, 0, n + after, 1); n = y.Shape[a]; after = 0; }
            if (before == 0 && after == 0) continue;
            var parts = new List<Tensor>();
            if (before > 0) parts.Add(y.Slice(a, n - before, n, 1));
            parts.Add(y);
            if (after > 0) parts.Add(y.Slice(a, 0, after, 1));
            y = Tensor.Concat(parts, a);
        }
        return y;
    }
}
