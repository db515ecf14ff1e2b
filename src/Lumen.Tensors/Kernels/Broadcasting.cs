namespace Lumen.Tensors.Kernels;

/// <summary>
/// Iterates two NumPy-broadcast operands over an output shape. Adjacent dimensions that are contiguous in
/// both operands are merged first, so the innermost loop is as long as possible and runs on SIMD spans.
/// </summary>
internal static class Broadcasting
{
    /// <summary>Output shape plus each operand's element strides in it (0 along broadcast dimensions), coalesced.</summary>
    internal readonly record struct Layout(int[] Dims, int[] StrideA, int[] StrideB);

    internal static Layout Plan(Shape output, Shape a, Shape b)
    {
        int r = output.Rank;
        var sa = AlignedStrides(a, output);
        var sb = AlignedStrides(b, output);
        var dims = new List<int>(r);
        var la = new List<int>(r);
        var lb = new List<int>(r);
        for (int i = 0; i < r; i++)
        {
            int d = output.Dims[i];
            if (d == 1) continue; // size-1 dims contribute nothing to iteration
            int n = dims.Count;
            if (n > 0 && la[n - 1] == sa[i] * d && lb[n - 1] == sb[i] * d)
            {
                dims[n - 1] *= d;
                la[n - 1] = sa[i];
                lb[n - 1] = sb[i];
            }
            else
            {
                dims.Add(d);
                la.Add(sa[i]);
                lb.Add(sb[i]);
            }
        }
        if (dims.Count == 0) { dims.Add(1); la.Add(0); lb.Add(0); }
        return new Layout([.. dims], [.. la], [.. lb]);
    }

    /// <summary>Strides of <paramref name="s"/> right-aligned to <paramref name="output"/>, 0 where broadcast.</summary>
    internal static int[] AlignedStrides(Shape s, Shape output)
    {
        int r = output.Rank, offset = r - s.Rank;
        var strides = new int[r];
        int stride = 1;
        for (int i = s.Rank - 1; i >= 0; i--)
        {
            strides[i + offset] = s.Dims[i] == 1 ? 0 : stride;
            stride *= s.Dims[i];
        }
        return strides;
    }

    /// <summary>Outputs at least this long are split across threads (elementwise work is memory-bound, so smaller
    /// ones do not repay the thread hand-off).</summary>
    private const int ParallelThreshold = 1 << 18;

    /// <summary>out = op(a, b) with broadcasting, SIMD along the innermost merged dimension; large outputs are split
    /// into row ranges that run in parallel. <paramref name="output"/> may alias a full-shape <paramref name="a"/>.</summary>
    internal static unsafe void Apply<TOp>(ReadOnlySpan<float> a, Shape shapeA, ReadOnlySpan<float> b, Shape shapeB, Span<float> output, Shape shapeOut)
        where TOp : IBinaryOperator
    {
        if (shapeOut.Size == 0) return;                                             // an empty extent: nothing to compute
        bool fullA = shapeA == shapeOut, fullB = shapeB == shapeOut;                 // else a single element, or broadcast
        bool flat = (fullA || shapeA.Size == 1) && (fullB || shapeB.Size == 1);
        var plan = flat ? default : Plan(shapeOut, shapeA, shapeB);
        int inner = flat ? Math.Min(shapeOut.Size, 4096) : plan.Dims[^1];
        int rows = inner == 0 ? 0 : (shapeOut.Size + inner - 1) / inner;
        if (shapeOut.Size < ParallelThreshold || Parallelism.MaxDegree == 1)
        {
            if (flat) ApplyFlat<TOp>(a, fullA, b, fullB, output, 0, shapeOut.Size);
            else ApplyRows<TOp>(a, b, output, plan, 0, rows);
            return;
        }
        fixed (float* pa = a, pb = b, po = output)
        {
            nint addressA = (nint)pa, addressB = (nint)pb, addressOut = (nint)po; // pinned for the whole parallel loop
            int lengthA = a.Length, lengthB = b.Length, lengthOut = output.Length;
            Parallelism.For(rows, inner, (start, end) =>
            {
                var sa = new ReadOnlySpan<float>((float*)addressA, lengthA);
                var sb = new ReadOnlySpan<float>((float*)addressB, lengthB);
                var so = new Span<float>((float*)addressOut, lengthOut);
                if (flat) ApplyFlat<TOp>(sa, fullA, sb, fullB, so, start * inner, Math.Min(end * inner, shapeOut.Size));
                else ApplyRows<TOp>(sa, sb, so, plan, start, end);
            });
        }
    }

    /// <summary>Elements [start, end) when each operand has the output's shape (full) or is a single element.</summary>
    private static void ApplyFlat<TOp>(ReadOnlySpan<float> a, bool fullA, ReadOnlySpan<float> b, bool fullB, Span<float> output, int start, int end)
        where TOp : IBinaryOperator
    {
        int n = end - start;
        var dst = output.Slice(start, n);
        if (fullA && fullB) TOp.Invoke(a.Slice(start, n), b.Slice(start, n), dst);
        else if (fullA) TOp.Invoke(a.Slice(start, n), b[0], dst);
        else if (fullB) TOp.Invoke(a[0], b.Slice(start, n), dst);
        else dst.Fill(TOp.Invoke(a[0], b[0]));
    }

    /// <summary>Rows [startRow, endRow) of the coalesced plan (a row is one run of its innermost dimension).</summary>
    private static void ApplyRows<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output, Layout plan, int startRow, int endRow)
        where TOp : IBinaryOperator
    {
        int rank = plan.Dims.Length, inner = plan.Dims[rank - 1];
        int ia = plan.StrideA[rank - 1], ib = plan.StrideB[rank - 1];
        Span<int> index = stackalloc int[rank];
        int offA = 0, offB = 0;
        for (int d = rank - 2, rest = startRow; d >= 0; d--) // the multi-index of the first row
        {
            index[d] = rest % plan.Dims[d];
            rest /= plan.Dims[d];
            offA += index[d] * plan.StrideA[d];
            offB += index[d] * plan.StrideB[d];
        }
        for (int row = startRow; row < endRow; row++)
        {
            var dst = output.Slice(row * inner, inner);
            if (ia == 1 && ib == 1) TOp.Invoke(a.Slice(offA, inner), b.Slice(offB, inner), dst);
            else if (ia == 1 && ib == 0) TOp.Invoke(a.Slice(offA, inner), b[offB], dst);
            else if (ia == 0 && ib == 1) TOp.Invoke(a[offA], b.Slice(offB, inner), dst);
            else if (ia == 0 && ib == 0) dst.Fill(TOp.Invoke(a[offA], b[offB]));
            else
            {
                for (int j = 0; j < inner; j++) dst[j] = TOp.Invoke(a[offA + j * ia], b[offB + j * ib]);
            }
            // advance the outer multi-index (odometer), updating offsets incrementally
            for (int d = rank - 2; d >= 0; d--)
            {
                offA += plan.StrideA[d];
                offB += plan.StrideB[d];
                if (++index[d] < plan.Dims[d]) break;
                offA -= plan.StrideA[d] * plan.Dims[d];
                offB -= plan.StrideB[d] * plan.Dims[d];
                index[d] = 0;
            }
        }
    }

    /// <summary>Scalar broadcast loop for any element type (integer and bool ops, and the naive twin).</summary>
    internal static void ApplyScalar<TA, TB, TR>(ReadOnlySpan<TA> a, Shape shapeA, ReadOnlySpan<TB> b, Shape shapeB, Span<TR> output, Shape shapeOut, Func<TA, TB, TR> f)
    {
        var plan = Plan(shapeOut, shapeA, shapeB);
        int rank = plan.Dims.Length;
        Span<int> index = stackalloc int[rank];
        int offA = 0, offB = 0;
        for (int i = 0; i < shapeOut.Size; i++)
        {
            output[i] = f(a[offA], b[offB]);
            for (int d = rank - 1; d >= 0; d--)
            {
                offA += plan.StrideA[d];
                offB += plan.StrideB[d];
                if (++index[d] < plan.Dims[d]) break;
                offA -= plan.StrideA[d] * plan.Dims[d];
                offB -= plan.StrideB[d] * plan.Dims[d];
                index[d] = 0;
            }
        }
    }
}
