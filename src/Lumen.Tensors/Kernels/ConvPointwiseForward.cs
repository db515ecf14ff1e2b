using System.Buffers;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The forward pass of an ungrouped pointwise (1×1, stride 1) convolution on small planes, where one GEMM per image
/// (<see cref="Conv2dKernel"/>'s general path, C[O, P] = W · X_n) fills few of its register tiles: several images run
/// as one GEMM over the batch (<see cref="Batched"/>), a single deep image as the transposed product
/// (<see cref="Transposed"/>). Both give every element bitwise as the per-image product does.
/// </summary>
internal static class ConvPointwiseForward
{
    /// <summary>Runs y = conv(x, w) with the <paramref name="epilogue"/> when one of the paths here applies, the output
    /// placed as <paramref name="place"/> says (the batched path writes any placement, the transposed one only the dense
    /// output: <see cref="Conv2dKernel.ForwardAt"/> sends it no other); false (nothing written) otherwise.</summary>
    public static bool TryRun(float[] x, float[] w, float[] y, ConvPlacement place, in ConvGeometry g, in ConvEpilogue epilogue)
    {
        if (Batches(g)) Batched(x, w, y, place, g, epilogue);
        else if (Transposes(g, Parallelism.MaxDegree)) Transposed(x, w, y, g, epilogue);
        else return false;
        return true;
    }

    /// <summary>Planes of at most this many positions take one GEMM for the whole batch in the pointwise forward pass
    /// (<see cref="Batched"/>). Measured on MobileNetV2's 1×1 layers at batch 16, one thread (thread CPU time,
    /// outputs recycled through a pool, best of 3 × 57 calls, shared machine): 7×7 −12 to −20 % (49 columns per image
    /// waste 15 of 64 in tiles), 14×14 −2 to −11 % (196 waste 28 of 224), 28×28 −2 to +4 % (784 waste 16 of 800).</summary>
    internal const int MaxBatchedPlane = 196;

    /// <summary>Whether <see cref="Conv2dKernel.Forward"/> runs the convolution as one GEMM over the batch:
    /// ungrouped, pointwise, several images of small planes, and a product that the per-image path would also run on the packed kernel
    /// (two output channels and two positions at least: a GEMM of one row or column is a dot-product loop, another
    /// summation order), so that the results are bitwise the same.</summary>
    internal static bool Batches(in ConvGeometry g) =>
        g.IsPointwise && g.Groups == 1 && g.Batch > 1 && g.OutChannels > 1 && g.InChannels > 0
        && g.OutPlane > 1 && g.OutPlane <= MaxBatchedPlane;

    /// <summary>An ungrouped pointwise convolution of small planes as one GEMM over the batch:
    /// Y'[O, N·P] = W[O, C] · X'[C, N·P], with X' packed straight from x's [N, C, P] and each tile of Y' written, with
    /// the epilogue, straight into y's [N, O, P] (<see cref="Gemm.MultiplyPlanes"/>). Per image, a GEMM of 49 or 196
    /// columns re-reads the whole of W and pads its last register tile (49 = 32 + 17); the threads split the one
    /// product. Bitwise the per-image products.</summary>
    private static void Batched(float[] x, float[] w, float[] y, ConvPlacement place, in ConvGeometry g, in ConvEpilogue epilogue)
    {
        int m = g.OutChannels, k = g.InChannels;
        using var packed = PackedWeights.Get(w, 1, m, k, transposed: false)?[0] ?? GemmPackedA.Pack(w, m, k, false, GemmPath.Auto, Parallelism.MaxDegree);
        Gemm.MultiplyPlanes(w, packed, x, y.AsSpan(place.Offset), m, k, g.Batch, g.OutPlane, Parallelism.MaxDegree, GemmPath.Auto, epilogue, place.StrideOf(g));
    }

    /// <summary>One image's planes of at most this many positions, with a depth of at least
    /// <see cref="MinTransposedDepth"/>, take the transposed product (<see cref="Transposed"/>).</summary>
    internal const int MaxTransposedPlane = 49;

    /// <summary>The least input channels for <see cref="Transposed"/>: below it the pass that transposes the product
    /// back costs as much as the tiles save or more (160 → 960 at 7×7 unchanged; at 14×14 and 28×28, where the tiles
    /// save less, 64 → 384 +35 %, 32 → 192 +100 %, while 576 → 96 at 14×14 gained only 3 %).</summary>
    internal const int MinTransposedDepth = 320;

    /// <summary>Whether <see cref="Conv2dKernel.Forward"/> runs a single image's pointwise convolution as the
    /// transposed product (ungrouped, deep, small planes, and a packed-kernel product both ways, as in <see cref="Batches"/>)
    /// on <paramref name="threads"/> threads: on one only. On two, MobileNetV2's 7×7 layers ran slower than the direct
    /// product in the whole forward at batch 1 (in-context profile, best of two: 576 → 160 94 → 108 µs, 960 → 160
    /// 149 → 162 µs, 320 → 1280 377 → 445 µs), even with the pass back split between the threads.</summary>
    internal static bool Transposes(in ConvGeometry g, int threads) =>
        threads == 1 && g.IsPointwise && g.Groups == 1 && g.Batch == 1 && g.OutChannels > 1 && g.InChannels >= MinTransposedDepth
        && g.OutPlane > 1 && g.OutPlane <= MaxTransposedPlane;

    /// <summary>A single image's pointwise convolution of a small plane as Yᵀ[P, O] = Xᵀ[P, C] · Wᵀ[C, O], transposed
    /// back into y with the epilogue then applied to each channel: 49 positions are rows of 12-row register tiles
    /// (4 × 12 + a 4-row tile: 52 rows computed) instead of columns of 32-column ones (64). Every element is the same
    /// depth blocks and FMA steps, so bitwise the direct product's. Measured on MobileNetV2's 7×7 layers (a
    /// <c>Conv2d</c> with bias, outputs recycled through a pool, one thread, thread CPU time, minimum of 3 × 297
    /// calls): 576 → 160 121 → 107 µs, 960 → 160 200 → 173 µs, 960 → 320 388 → 335 µs, 320 → 1280 504 → 470 µs.
    /// Read-only weights take Wᵀ already packed as the B panels (<see cref="PackedWeights.GetB"/>): the same panels.</summary>
    private static unsafe void Transposed(float[] x, float[] w, float[] y, in ConvGeometry g, in ConvEpilogue epilogue)
    {
        int m = g.OutChannels, k = g.InChannels, plane = g.OutPlane;
        var product = ArrayPool<float>.Shared.Rent(plane * m);
        try
        {
            if (PackedWeights.GetB(w, m, k) is { } packed)                // read-only weights: Wᵀ packed once per model
                Gemm.MultiplyPackedB(x, null, packed.Span, product.AsSpan(0, plane * m), m, plane, m, k, transA: true, accumulate: false, Parallelism.MaxDegree, GemmPath.Auto, default);
            else
                Gemm.Multiply(x, w, product.AsSpan(0, plane * m), plane, m, k, transA: true, transB: true, accumulate: false, Parallelism.MaxDegree, GemmPath.Auto);
            TransposeBack(product, y, plane, m);
            if (epilogue.IsActive)
                fixed (float* py = y) epilogue.Apply(py, plane, 0, m, plane);
        }
        finally { ArrayPool<float>.Shared.Return(product); }
    }

    /// <summary>y[i·rows + j] = product[j·columns + i] for the [rows, columns] product, in 16×16 blocks.</summary>
    private static void TransposeBack(float[] product, float[] y, int rows, int columns)
    {
        const int block = 16;
        for (int i0 = 0; i0 < columns; i0 += block)
            for (int j0 = 0; j0 < rows; j0 += block)
                for (int i = i0, iEnd = Math.Min(columns, i0 + block); i < iEnd; i++)
                    for (int j = j0, jEnd = Math.Min(rows, j0 + block); j < jEnd; j++)
                        y[i * rows + j] = product[j * columns + i];
    }
}
