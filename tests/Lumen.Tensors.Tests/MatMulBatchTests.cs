using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>Batched MatMul (split across threads when each product is small) against per-slice naive products.</summary>
public class MatMulBatchTests
{
    [Theory]
    [InlineData(new[] { 8, 5, 7 }, new[] { 8, 7, 3 }, new[] { 8 })]                     // small products: batch-parallel
    [InlineData(new[] { 3, 1, 4, 6 }, new[] { 5, 6, 9 }, new[] { 3, 5 })]                // broadcast batch dims
    [InlineData(new[] { 2, 130, 140 }, new[] { 140, 150 }, new[] { 2 })]                 // large products: GEMM-parallel
    [InlineData(new[] { 37, 1, 33 }, new[] { 37, 33, 17 }, new[] { 37 })]
    public void Batched_products_match_naive_per_slice(int[] shapeA, int[] shapeB, int[] batch)
    {
        var a = Tensor.Randn(new Shape(shapeA), 3);
        var b = Tensor.Randn(new Shape(shapeB), 4);
        var product = a.MatMul(b);
        int m = shapeA[^2], k = shapeA[^1], n = shapeB[^1];
        Assert.Equal([.. batch, m, n], product.Shape.ToArray());
        var aFull = a.BroadcastTo(new Shape([.. batch, m, k])).ToArray();
        var bFull = b.BroadcastTo(new Shape([.. batch, k, n])).ToArray();
        var actual = product.ToArray();
        int count = batch.Aggregate(1, (x, y) => x * y);
        for (int t = 0; t < count; t++)
        {
            var expected = new float[m * n];
            GemmNaive.Multiply(aFull.AsSpan(t * m * k, m * k), bFull.AsSpan(t * k * n, k * n), expected, m, n, k, false, false);
            for (int i = 0; i < m * n; i++)
                Assert.True(Math.Abs(actual[t * m * n + i] - expected[i]) <= 1e-4f * (1 + Math.Abs(expected[i])) * MathF.Sqrt(k),
                    $"batch {t}, element {i}: {actual[t * m * n + i]} vs naive {expected[i]}");
        }
    }

    [Fact]
    public void Batched_gradients_match_finite_differences_when_split_across_threads()
    {
        var a = Tensor.Randn(new Shape(6, 3, 5), 7);
        var b = Tensor.Randn(new Shape(1, 5, 4), 8);
        GradCheck.Assert(x => x[0].MatMul(x[1]), [a, b]);
    }
}
