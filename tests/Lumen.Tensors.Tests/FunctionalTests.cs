using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

public class FunctionalTests
{
    public static IEnumerable<object[]> Lengths() => Enumerable.Range(0, 65).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Softmax_and_LogSoftmax_match_double_twin_and_finite_differences_at_every_length(int n)
    {
        var x = Tensor.Randn(new Shape(n), n) * 3f;
        GradCheck.Close(SoftmaxKernel.ApplyNaive(x.AsReadOnlySpan(), 1, n, 1, log: false), x.Softmax().AsReadOnlySpan(), 1e-6f, 1e-5f);
        GradCheck.Close(SoftmaxKernel.ApplyNaive(x.AsReadOnlySpan(), 1, n, 1, log: true), x.LogSoftmax().AsReadOnlySpan(), 1e-5f, 1e-5f);
        GradCheck.Assert(t => t[0].Softmax(), [x]);
        GradCheck.Assert(t => t[0].LogSoftmax(), [x]);
    }

    [Theory]
    [InlineData(new[] { 2, 3, 4 }, 1)]
    [InlineData(new[] { 2, 3, 4 }, 0)]
    [InlineData(new[] { 2, 3, 4 }, -1)]
    [InlineData(new[] { 3, 1, 5 }, 1)]
    [InlineData(new[] { 2, 33, 17 }, 1)]
    public void Softmax_along_any_axis_matches_twin_and_composite(int[] dims, int axis)
    {
        var shape = new Shape(dims);
        var x = Tensor.Randn(shape, dims.Sum());
        int a = axis < 0 ? axis + dims.Length : axis;
        int outer = shape.Product(0, a), n = dims[a], inner = shape.Product(a + 1, dims.Length);
        GradCheck.Close(SoftmaxKernel.ApplyNaive(x.AsReadOnlySpan(), outer, n, inner, false), Functional.Softmax(x, axis).AsReadOnlySpan(), 1e-6f, 1e-5f);
        GradCheck.Close(SoftmaxKernel.ApplyNaive(x.AsReadOnlySpan(), outer, n, inner, true), Functional.LogSoftmax(x, axis).AsReadOnlySpan(), 1e-5f, 1e-5f);
        var composite = (x - x.LogSumExp(axis, keepDims: true)).Exp();
        GradCheck.Close(composite.AsReadOnlySpan(), x.Softmax(axis).AsReadOnlySpan(), 1e-6f, 1e-4f);
        GradCheck.Assert(t => t[0].Softmax(axis), [x]);
        GradCheck.Assert(t => t[0].LogSoftmax(axis), [x]);
    }

    [Theory]
    [InlineData(1, 1000)]    // SqueezeNet's classes at batch 1
    [InlineData(16, 1000)]
    [InlineData(3, 17)]
    [InlineData(2, 9000)]    // 18 000 values: the exponential runs in two blocks, as the unary op splits it
    [InlineData(1, 1)]
    [InlineData(0, 5)]
    public void The_one_kernel_softmax_is_bitwise_the_five_op_composite(int outer, int n)
    {
        var x = Tensor.Randn(new Shape(outer, n), outer * 31 + n) * 4f;
        var values = x.AsSpan();
        for (int i = 5; i < values.Length; i += 97) values[i] = float.NegativeInfinity;
        if (outer * n > 40) values[40] = float.NaN;                                              // a NaN poisons its row
        if (outer > 1) values[n..(2 * n)].Fill(float.NegativeInfinity);                          // an all −∞ row: NaN
        Tensor composite;
        using (GradMode.Off())
        {
            var e = (x - x.Max(1, keepDims: true)).Exp();
            composite = e / e.Sum(1, keepDims: true);
        }
        var fused = SoftmaxKernel.ApplyAsComposite(x.Floats, outer, n);
        Assert.Equal(composite.Size, fused.Length);
        Assert.Equal(composite.ToArray().Select(BitConverter.SingleToInt32Bits), fused.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Softmax_is_stable_and_handles_masked_rows()
    {
        var x = Tensor.FromArray([1000f, 1000f, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, 0f], 2, 3);
        Assert.Equal(new[] { 0.5f, 0.5f, 0f, 0f, 0f, 1f }, x.Softmax(1).ToArray());
        var log = x.LogSoftmax(1).ToArray();
        Assert.Equal(-MathF.Log(2f), log[0], 6);
        Assert.Equal(float.NegativeInfinity, log[2]);
        Assert.Equal(0f, log[5]);
        Assert.Equal(new[] { 1f }, Tensor.Scalar(3f).Softmax().ToArray());
        Assert.Contains("Softmax", Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).Softmax(2)).Message);
    }

    [Fact]
    public void LayerNorm_matches_double_reference_and_finite_differences()
    {
        var x = Tensor.Randn(new Shape(2, 3, 5), 1);
        var w = Tensor.Rand(new Shape(5), 2, 0.5f, 1.5f);
        var b = Tensor.Randn(new Shape(5), 3);
        var y = Functional.LayerNorm(x, 1, w, b).ToArray();
        var xs = x.ToArray();
        for (int r = 0; r < 6; r++)
        {
            var row = xs.Skip(r * 5).Take(5).Select(v => (double)v).ToArray();
            double mean = row.Average(), variance = row.Sum(v => (v - mean) * (v - mean)) / 5;
            for (int j = 0; j < 5; j++)
                Assert.Equal((row[j] - mean) / Math.Sqrt(variance + 1e-5) * w.ToArray()[j] + b.ToArray()[j], y[r * 5 + j], 4);
        }
        GradCheck.Assert(t => Functional.LayerNorm(t[0], 1, t[1], t[2]), [x, w, b]);
        GradCheck.Assert(t => Functional.LayerNorm(t[0], 2), [x]);
        GradCheck.Assert(t => Functional.LayerNorm(t[0], [0, 2], eps: 1e-3f), [x]);
        Assert.Contains("normalizedRank", Assert.Throws<ArgumentOutOfRangeException>(() => Functional.LayerNorm(x, 4)).Message);
        var ex = Assert.Throws<ArgumentException>(() => Functional.LayerNorm(x, 1, Tensor.Ones(3)));
        Assert.Contains("LayerNorm", ex.Message);
        Assert.Contains("[3]", ex.Message);
        Assert.Contains("[5]", ex.Message);
    }

    [Fact]
    public void BatchNorm_training_uses_batch_statistics_and_updates_running_stats_in_place()
    {
        var x = Tensor.Randn(new Shape(4, 3, 2, 2), 5) * 2f + 1f;
        var runningMean = Tensor.Zeros(3);
        var runningVar = Tensor.Ones(3);
        var w = Tensor.Rand(new Shape(3), 6, 0.5f, 1.5f);
        var b = Tensor.Randn(new Shape(3), 7);
        var y = Functional.BatchNorm(x, runningMean, runningVar, w, b, training: true, momentum: 0.1f);
        var xs = x.ToArray();
        for (int c = 0; c < 3; c++)
        {
            var values = Enumerable.Range(0, 4).SelectMany(nIndex => Enumerable.Range(0, 4).Select(s => (double)xs[(nIndex * 3 + c) * 4 + s])).ToArray();
            double mean = values.Average(), biased = values.Sum(v => (v - mean) * (v - mean)) / 16;
            Assert.Equal(0.1 * mean, runningMean.ToArray()[c], 5);
            Assert.Equal(0.9 + 0.1 * biased * 16 / 15, runningVar.ToArray()[c], 5);
            Assert.Equal((xs[c * 4] - mean) / Math.Sqrt(biased + 1e-5) * w.ToArray()[c] + b.ToArray()[c], y[0, c, 0, 0], 4);
        }
        GradCheck.Assert(t => Functional.BatchNorm(t[0], null, null, t[1], t[2], training: true), [x, w, b]);
    }

    [Fact]
    public void BatchNorm_evaluation_uses_running_statistics()
    {
        var x = Tensor.Randn(new Shape(2, 3, 4), 8);
        var runningMean = Tensor.FromArray([0.5f, -1f, 2f]);
        var runningVar = Tensor.FromArray([1f, 4f, 0.25f]);
        var y = Functional.BatchNorm(x, runningMean, runningVar);
        Assert.Equal((x[1, 2, 3] - 2f) / MathF.Sqrt(0.25f + 1e-5f), y[1, 2, 3], 4);
        GradCheck.Assert(t => Functional.BatchNorm(t[0], runningMean, runningVar, t[1], null), [x, Tensor.Ones(3)]);
        Assert.Equal(new[] { 0.5f, -1f, 2f }, runningMean.ToArray());
        Assert.Contains("running", Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, null, null)).Message);
        var ex = Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, Tensor.Zeros(4), runningVar));
        Assert.Contains("runningMean", ex.Message);
        Assert.Contains("[2, 3, 4]", ex.Message);
        Assert.Contains("BatchNorm", Assert.Throws<ArgumentException>(() => Functional.BatchNorm(Tensor.Zeros(1, 3), null, null, training: true)).Message);
    }

    [Fact]
    public void GroupNorm_and_InstanceNorm_match_reference_and_finite_differences()
    {
        var x = Tensor.Randn(new Shape(2, 4, 3), 9);
        var w = Tensor.Rand(new Shape(4), 10, 0.5f, 1.5f);
        var b = Tensor.Randn(new Shape(4), 11);
        var y = Functional.GroupNorm(x, 2, w, b);
        var xs = x.ToArray();
        // sample 1, group 1 = channels 2..3 = flat [18, 24)
        var group = xs.Skip(18).Take(6).Select(v => (double)v).ToArray();
        double mean = group.Average(), variance = group.Sum(v => (v - mean) * (v - mean)) / 6;
        Assert.Equal((group[4] - mean) / Math.Sqrt(variance + 1e-5) * w.ToArray()[3] + b.ToArray()[3], y[1, 3, 1], 4);
        GradCheck.Assert(t => Functional.GroupNorm(t[0], 2, t[1], t[2]), [x, w, b]);
        GradCheck.Assert(t => Functional.InstanceNorm(t[0], t[1], t[2]), [x, w, b]);
        GradCheck.Close(Functional.GroupNorm(x, 4).AsReadOnlySpan(), Functional.InstanceNorm(x).AsReadOnlySpan());
        var ex = Assert.Throws<ArgumentException>(() => Functional.GroupNorm(x, 3));
        Assert.Contains("GroupNorm", ex.Message);
        Assert.Contains("3 groups", ex.Message);
        Assert.Contains("InstanceNorm", Assert.Throws<ArgumentException>(() => Functional.InstanceNorm(Tensor.Zeros(2, 3))).Message);
    }

    [Fact]
    public void RmsNorm_matches_reference_and_finite_differences()
    {
        var x = Tensor.Randn(new Shape(3, 7), 12);
        var w = Tensor.Rand(new Shape(7), 13, 0.5f, 1.5f);
        var y = Functional.RmsNorm(x, w);
        var row = x.ToArray().Skip(7).Take(7).Select(v => (double)v).ToArray();
        double rms = Math.Sqrt(row.Average(v => v * v) + 1e-6);
        Assert.Equal(row[2] / rms * w.ToArray()[2], y[1, 2], 4);
        GradCheck.Assert(t => Functional.RmsNorm(t[0], t[1]), [x, w]);
        Assert.Contains("RmsNorm", Assert.Throws<ArgumentException>(() => Functional.RmsNorm(x, Tensor.Ones(3))).Message);
    }

    [Fact]
    public void Dropout_is_identity_in_eval_and_scaled_bernoulli_in_training()
    {
        var x = Tensor.Ones(10_000);
        Assert.Same(x, Functional.Dropout(x, 0.5f, training: false, new Random(1)));
        var y = Functional.Dropout(x, 0.25f, training: true, new Random(1)).ToArray();
        Assert.All(y, v => Assert.True(v == 0f || Math.Abs(v - 4f / 3f) < 1e-6));
        double kept = y.Count(v => v != 0) / 10_000.0;
        Assert.InRange(kept, 0.73, 0.77);
        Assert.Equal(y, Functional.Dropout(x, 0.25f, training: true, new Random(1)).ToArray());
        Assert.All(Functional.Dropout(x, 1f, training: true, new Random(1)).ToArray(), v => Assert.Equal(0f, v));
        var small = Tensor.Randn(new Shape(3, 5), 2);
        GradCheck.Assert(t => Functional.Dropout(t[0], 0.4f, training: true, new Random(3)), [small]);
        Assert.Contains("Dropout", Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Dropout(x, 1.5f, true, new Random(1))).Message);
    }

    [Fact]
    public void Normalize_gives_unit_rows_and_zero_gradient_on_zero_rows()
    {
        var x = Tensor.Randn(new Shape(4, 6), 14);
        var y = Functional.Normalize(x, 1);
        for (int r = 0; r < 4; r++)
            Assert.Equal(1.0, Enumerable.Range(0, 6).Sum(j => (double)y[r, j] * y[r, j]), 5);
        GradCheck.Assert(t => Functional.Normalize(t[0], 0), [x]);
        var zero = Tensor.Zeros(2, 3).RequireGrad();
        var g = Gradients.Of(Functional.Normalize(zero).Sum(), zero).ToArray();
        Assert.All(g, v => Assert.True(float.IsFinite(v)));
    }
}
