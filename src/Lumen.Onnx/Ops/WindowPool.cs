using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>
/// Pooling over any number of spatial axes as a gather: every output position lists the flat input positions of its
/// window taps (a tap in the padding or past the input reads an appended pad value), the input [N·C, P] gathers them
/// into [N·C, O, K], and the pool reduces over the taps. Used where the engine's 2-D kernels do not reach: 3-D
/// windows, dilated average and Lp pools, and MaxPool's Indices output. Differentiable through the gather.
/// </summary>
/// <remarks>Output size per axis: ⌊(S + pads − d·(k − 1) − 1 + (ceil ? s − 1 : 0)) / s⌋ + 1, minus one in ceil mode when
/// the last window would start past the input and its begin padding (the rule of the 2-D kernels). The average's
/// divisor counts the taps inside the input, or with count_include_pad the taps inside the padded input (taps past
/// the end padding, which ceil mode can add, never count).</remarks>
internal sealed class WindowPool
{
    private readonly long[] taps;        // [O·K] flat input index, or P for a tap outside the input
    private readonly float[] inside;     // [O] taps inside the input
    private readonly float[] inPadded;   // [O] taps inside the padded input
    private readonly int outputs, plane; // O (output positions) and P (input positions)

    public WindowPool(int[] input, int[] kernel, int[] stride, int[] dilation, int[] padBegin, int[] padEnd, bool ceil)
    {
        int rank = input.Length;
        Input = input;
        Output = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int span = input[d] + padBegin[d] + padEnd[d] - dilation[d] * (kernel[d] - 1) - 1;
            int count = (ceil ? (span + stride[d] - 1) / stride[d] : span / stride[d]) + 1;
            if (ceil && (count - 1) * stride[d] >= input[d] + padBegin[d]) count--;
            if (span < 0 || count < 1) throw new ArgumentException($"pool: window {kernel[d]} (dilation {dilation[d]}) does not fit input size {input[d]} with pads {padBegin[d]}+{padEnd[d]}.");
            Output[d] = count;
        }
        outputs = Output.Aggregate(1, (a, b) => a * b);
        plane = input.Aggregate(1, (a, b) => a * b);
        TapCount = kernel.Aggregate(1, (a, b) => a * b);
        taps = new long[outputs * TapCount];
        inside = new float[outputs];
        inPadded = new float[outputs];
        var o = new int[rank];
        var k = new int[rank];
        for (int oi = 0; oi < outputs; oi++)
        {
            OpHelpers.Unflatten(oi, Output, o);
            for (int ki = 0; ki < TapCount; ki++)
            {
                OpHelpers.Unflatten(ki, kernel, k);
                long flat = 0;
                bool isInside = true, isPadded = true;
                for (int d = 0; d < rank; d++)
                {
                    int position = o[d] * stride[d] - padBegin[d] + k[d] * dilation[d];
                    isInside &= position >= 0 && position < input[d];
                    isPadded &= position < input[d] + padEnd[d];
                    flat = flat * input[d] + position;
                }
                taps[oi * TapCount + ki] = isInside ? flat : plane;
                if (isInside) inside[oi]++;
                if (isPadded) inPadded[oi]++;
            }
        }
    }

    /// <summary>Spatial input sizes.</summary>
    public int[] Input { get; }

    /// <summary>Spatial output sizes.</summary>
    public int[] Output { get; }

    /// <summary>Taps per window (the product of the kernel sizes).</summary>
    public int TapCount { get; }

    /// <summary>The window taps of x [N, C, spatial…] as [N·C, O, K]; taps outside the input read <paramref name="pad"/>.</summary>
    public Tensor Gather(Tensor x, float pad)
    {
        int planes = x.Shape[0] * x.Shape[1];
        var flat = x.Reshape(planes, -1);
        var padded = Tensor.Concat([flat, Tensor.Full(new Shape(planes, 1), pad)], 1);
        return padded.IndexSelect(1, OpHelpers.LongTensor(taps, new Shape(outputs, TapCount)));
    }

    /// <summary>Max over each window, [N, C, out…].</summary>
    public Tensor Max(Tensor x) => Shaped(x, Gather(x, float.NegativeInfinity).Max(2));

    /// <summary>Average over each window with the ONNX divisor (see the remarks).</summary>
    public Tensor Average(Tensor x, bool countIncludePad)
    {
        var divisor = OpHelpers.FloatTensor([.. (countIncludePad ? inPadded : inside).Select(c => Math.Max(c, 1f))], new Shape(outputs));
        return Shaped(x, Gather(x, 0f).Sum(2) / divisor);
    }

    /// <summary>(Σ |x|ᵖ)^(1/p) over each window (padding reads 0).</summary>
    public Tensor Lp(Tensor x, float p) => Shaped(x, Gather(x.Abs().Pow(p), 0f).Sum(2).Pow(1f / p));

    /// <summary>MaxPool's Indices: the flat index of each window's maximum in x, row-major, or with
    /// <paramref name="columnMajor"/> the spatial axes counted in reverse order (storage_order=1).</summary>
    public Tensor ArgMax(Tensor x, bool columnMajor)
    {
        var best = Gather(x.Detach(), float.NegativeInfinity).ArgMax(2).ToInt64Array();
        var result = new long[best.Length];
        var position = new int[Input.Length];
        for (int i = 0; i < best.Length; i++)
        {
            long flat = taps[i % outputs * TapCount + best[i]];
            long index = flat;
            if (columnMajor)
            {
                OpHelpers.Unflatten((int)flat, Input, position);
                index = 0;
                for (int d = Input.Length - 1; d >= 0; d--) index = index * Input[d] + position[d];
            }
            result[i] = (long)(i / outputs) * plane + index;
        }
        return OpHelpers.LongTensor(result, new Shape([x.Shape[0], x.Shape[1], .. Output]));
    }

    private Tensor Shaped(Tensor x, Tensor pooled) => pooled.Reshape([x.Shape[0], x.Shape[1], .. Output]);
}
