using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>
/// DeformConv (2-D): kernel tap k of output position p reads X bilinearly at p·stride − pad + k·dilation + Δ_k(p),
/// with the offsets Δ = (Δy, Δx) of its offset group and an optional modulation mask, then the taps are summed with
/// the weights as in a grouped convolution: y = Σ_{c,k} W[o, c, k]·m_k(p)·X_c(p_k + Δ_k(p)) + b.
/// Dai et al., "Deformable Convolutional Networks", ICCV 2017; Zhu et al., "Deformable ConvNets v2", CVPR 2019.
/// </summary>
/// <remarks>Bilinear sampling reads zero outside the image. The four corners are gathered at positions computed from
/// the offsets' values, and the corner weights are tensor expressions of the offsets (fractional parts via Floor),
/// so gradients reach X, W, the offsets, the mask and the bias by composition.</remarks>
internal static class DeformableConvolution
{
    public static OnnxKernel Convert(OnnxNode node)
    {
        int groups = (int)node.Int("group", 1), offsetGroups = (int)node.Int("offset_group", 1);
        long[]? strides = node.Ints("strides"), dilations = node.Ints("dilations"), pads = node.Ints("pads");
        if ((node.Ints("kernel_shape") ?? strides ?? dilations) is { Length: not 2 }) throw node.Unsupported("DeformConv other than 2-D");
        return inputs =>
        {
            var (x, w, offset) = (inputs.Arg(0), inputs.Arg(1), inputs.Arg(2));
            if (x.Rank != 4 || w.Rank != 4) throw new ArgumentException($"DeformConv: Lumen runs 2-D inputs [N, C, H, W], got X {x.Shape} and W {w.Shape}.");
            var stride = (H: (int)(strides?[0] ?? 1), W: (int)(strides?[1] ?? 1));
            var dilation = (H: (int)(dilations?[0] ?? 1), W: (int)(dilations?[1] ?? 1));
            var pad = (Top: (int)(pads?[0] ?? 0), Left: (int)(pads?[1] ?? 0));
            int oh = (x.Shape[2] + pad.Top + (int)(pads?[2] ?? 0) - dilation.H * (w.Shape[2] - 1) - 1) / stride.H + 1;
            int ow = (x.Shape[3] + pad.Left + (int)(pads?[3] ?? 0) - dilation.W * (w.Shape[3] - 1) - 1) / stride.W + 1;
            if (offset.Rank != 4 || offset.Shape[2] != oh || offset.Shape[3] != ow)
                throw new ArgumentException($"DeformConv: offset {offset.Shape} does not match the output size {oh}×{ow}.");
            return [Apply(x, w, offset, inputs.Optional(3), inputs.Optional(4), groups, offsetGroups, stride, dilation, pad)];
        };
    }

    private static Tensor Apply(Tensor x, Tensor w, Tensor offset, Tensor? bias, Tensor? mask, int groups, int offsetGroups,
        (int H, int W) stride, (int H, int W) dilation, (int Top, int Left) pad)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], width = x.Shape[3];
        int outC = w.Shape[0], kh = w.Shape[2], kw = w.Shape[3], taps = kh * kw;
        int oh = offset.Shape[2], ow = offset.Shape[3], positions = oh * ow;
        if (offset.Shape[1] != offsetGroups * 2 * taps || c % offsetGroups != 0 || c % groups != 0 || w.Shape[1] != c / groups)
            throw new ArgumentException($"DeformConv: X {x.Shape}, W {w.Shape} and offset {offset.Shape} do not fit group {groups} and offset_group {offsetGroups}.");
        // Sampling points: base grid + offsets, as [N, G, K, P] tensors (differentiable in the offsets).
        var grid = offset.Reshape(n, offsetGroups, taps, 2, positions);
        var baseY = new float[taps * positions];
        var baseX = new float[taps * positions];
        for (int k = 0; k < taps; k++)
            for (int p = 0; p < positions; p++)
            {
                baseY[k * positions + p] = p / ow * stride.H - pad.Top + k / kw * dilation.H;
                baseX[k * positions + p] = p % ow * stride.W - pad.Left + k % kw * dilation.W;
            }
        var y = grid.Slice(3, 0, 1).Squeeze(3) + OpHelpers.FloatTensor(baseY, new Shape(taps, positions));
        var xs = grid.Slice(3, 1, 2).Squeeze(3) + OpHelpers.FloatTensor(baseX, new Shape(taps, positions));
        var y0 = y.Floor();
        var x0 = xs.Floor();
        var (ly, lx) = (y - y0, xs - x0);
        // Corner indices (a position past the plane reads an appended zero) from the values.
        var (top, left) = (y0.Detach().ToArray(), x0.Detach().ToArray());
        int plane = h * width, count = top.Length;
        var index = new long[count * 4];
        for (int i = 0; i < count; i++)
            for (int corner = 0; corner < 4; corner++)
            {
                int r = (int)top[i] + corner / 2, col = (int)left[i] + corner % 2;
                index[i * 4 + corner] = r >= 0 && r < h && col >= 0 && col < width ? r * width + col : plane;
            }
        var weights = Tensor.Stack([(1f - ly) * (1f - lx), (1f - ly) * lx, ly * (1f - lx), ly * lx], 4); // [N, G, K, P, 4]
        int perGroup = c / offsetGroups;
        var planes = Tensor.Concat([x.Reshape(n, c, plane), Tensor.Zeros(n, c, 1)], 2);
        var gather = OpHelpers.LongTensor(index, new Shape(n, offsetGroups, 1, taps * positions * 4))
            .Expand(n, offsetGroups, perGroup, taps * positions * 4).Reshape(n, c, taps * positions * 4);
        var samples = planes.Gather(2, gather).Reshape(n, offsetGroups, perGroup, taps, positions, 4);
        var columns = (samples * weights.Unsqueeze(2)).Sum(5); // [N, G, C/G, K, P]
        if (mask is not null) columns = columns * mask.Reshape(n, offsetGroups, 1, taps, positions);
        var cols = columns.Reshape(n, groups, c / groups * taps, positions);
        var kernel = w.Reshape(1, groups, outC / groups, c / groups * taps);
        var result = kernel.MatMul(cols).Reshape(n, outC, oh, ow);
        return bias is null ? result : result + bias.Reshape(1, outC, 1, 1);
    }
}
