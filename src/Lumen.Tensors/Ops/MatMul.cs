using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>Matrix products with NumPy <c>matmul</c> semantics.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product with NumPy semantics: 1-D operands are promoted (and the added dim removed), leading
    /// batch dimensions broadcast. [.., m, k] · [.., k, n] → [.., m, n].
    /// </summary>
    public Tensor MatMul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        RequireFloat("MatMul");
        other.RequireFloat("MatMul");
        if (Rank == 0 || other.Rank == 0) throw new ArgumentException($"MatMul: operands must have rank ≥ 1, got {Shape} and {other.Shape}.");
        var a = Rank == 1 ? Reshape(1, Size) : this;
        var b = other.Rank == 1 ? other.Reshape(other.Size, 1) : other;
        var result = MatMulCore(a, b, transA: false, transB: false, "MatMul");
        var product = Gradients.Record(result, "MatMul", Gradients.MatMulRule(a, b), a, b);
        if (Rank == 1 && other.Rank == 1) return product.Reshape();
        if (Rank == 1) return product.Reshape([.. product.Shape.Dims[..^2], product.Shape.Dims[^1]]);
        if (other.Rank == 1) return product.Reshape(product.Shape.Dims[..^1].ToArray());
        return product;
    }

    /// <summary>Per-batch products with fewer multiply-adds than this run one per thread (the batch is split across
    /// threads); larger ones run one after another, each on all threads.</summary>
    private const long BatchParallelWork = 128 * 128 * 128;

    /// <summary>Batched op(A)·op(B) on rank ≥ 2 operands with broadcast batch dims; no autograd.</summary>
    internal static Tensor MatMulCore(Tensor a, Tensor b, bool transA, bool transB, string op)
    {
        int m = transA ? a.Shape[-1] : a.Shape[-2];
        int k = transA ? a.Shape[-2] : a.Shape[-1];
        int kb = transB ? b.Shape[-1] : b.Shape[-2];
        int n = transB ? b.Shape[-2] : b.Shape[-1];
        if (k != kb) throw new ArgumentException($"{op}: inner dimensions differ: {a.Shape} and {b.Shape} ({k} vs {kb}).");
        var batchA = new Shape(a.Shape.Dims[..^2].ToArray());
        var batchB = new Shape(b.Shape.Dims[..^2].ToArray());
        var batch = Shape.Broadcast(batchA, batchB, op);
        int count = batch.Size;
        var output = StoragePool.NewFloats(count * m * n, overwrite: false);                                  // [batch.., m, n]
        float[] av = a.Floats, bv = b.Floats;
        int sizeA = m * k, sizeB = k * n, sizeC = m * n;
        var strideA = Broadcasting.AlignedStrides(batchA, batch);
        var strideB = Broadcasting.AlignedStrides(batchB, batch);
        void Product(int t, int threads)
        {
            int ia = 0, ib = 0, rem = t;
            for (int d = batch.Rank - 1; d >= 0; d--)
            {
                int ix = rem % batch.Dims[d];
                rem /= batch.Dims[d];
                ia += ix * strideA[d];
                ib += ix * strideB[d];
            }
            Gemm.Multiply(av.AsSpan(ia * sizeA, sizeA), bv.AsSpan(ib * sizeB, sizeB), output.AsSpan(t * sizeC, sizeC),
                m, n, k, transA, transB, accumulate: false, threads, GemmPath.Auto);
        }
        long work = (long)m * n * k;
        if (count > 1 && work < BatchParallelWork)
            Parallelism.For(count, work, (first, last) => { for (int t = first; t < last; t++) Product(t, threads: 1); });
        else
            for (int t = 0; t < count; t++) Product(t, Parallelism.MaxDegree);
        return new Tensor(new Shape([.. batch.Dims, m, n]), output);
    }
}
