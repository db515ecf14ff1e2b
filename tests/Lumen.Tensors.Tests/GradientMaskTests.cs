using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The one-pass clamp equals TensorPrimitives' max then min bitwise; the fused ReLU/Clamp/leaky-ReLU kernels equal their scalar definitions on every SIMD tail length and on
/// the edge values (bounds, ±0, ±∞, NaN); the rules give the same gradients with and without create-graph; the
/// vectorised same-shape And/Or/Xor equal the broadcasting path.</summary>
public sealed class GradientMaskTests
{
    private static readonly float[] Edges = [0f, -0f, -0.5f, 1f, 6f, float.Epsilon, -float.Epsilon, float.PositiveInfinity, float.NegativeInfinity, float.NaN];

    private static (float[] X, float[] G) Inputs(int n, int seed)
    {
        var random = new Random(seed);
        var x = new float[n];
        var g = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = i % 5 == 0 ? Edges[random.Next(Edges.Length)] : (float)(random.NextDouble() * 10 - 3);
            g[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return (x, g);
    }

    // g with −0 and NaN among its values, so that a mask that passes g must keep its bits
    private static float[] SignedGradient(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(i => i % 7 == 3 ? (i % 2 == 0 ? -0f : float.NaN) : (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    private static void AssertBitwise(float expected, float actual, string where) =>
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"{where}: {actual}, expected {expected}");

    [Fact]
    public void Clamp_kernel_equals_its_definition_on_every_length()
    {
        // up to 200: the 64-value steps, the 16-value steps and every masked tail of the AVX-512 form; also in place (d = g)
        for (int n = 0; n <= 200; n++)
        {
            var (x, _) = Inputs(n, n);
            var g = SignedGradient(n, 1000 + n);
            foreach (var (lo, hi) in new[] { (0f, 6f), (-0.5f, 1f), (float.NegativeInfinity, 2f), (0.25f, float.PositiveInfinity), (float.Epsilon, MathF.BitDecrement(6f)) })
            {
                var d = new float[n];
                GradientMasks.Clamp(x, g, lo, hi, d);
                var inPlace = (float[])g.Clone();
                GradientMasks.Clamp(x, inPlace, lo, hi, inPlace);
                for (int i = 0; i < n; i++)
                {
                    float expected = x[i] >= lo && x[i] <= hi ? g[i] : 0f;
                    AssertBitwise(expected, d[i], $"clamp mask [{lo}, {hi}] of {x[i]} at {i} of {n}");
                    AssertBitwise(expected, inPlace[i], $"in place, at {i} of {n}");
                }
            }
        }
    }

    [Fact]
    public void One_pass_clamp_equals_max_then_min_bitwise_on_every_length()
    {
        for (int n = 0; n <= 64; n++)
        {
            var (x, _) = Inputs(n, 300 + n);
            foreach (var (lo, hi) in new[] { (0f, 6f), (-0f, 0f), (0f, -0f), (float.NaN, 1f), (-1f, float.NaN), (float.NegativeInfinity, 2f), (0.25f, float.PositiveInfinity), (1f, 1f) })
            {
                var want = new float[n];
                System.Numerics.Tensors.TensorPrimitives.Max(x, lo, want);
                System.Numerics.Tensors.TensorPrimitives.Min(want, hi, want);
                var got = new float[n];
                ClampKernel.Apply(x, lo, hi, got);
                for (int i = 0; i < n; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(want[i]) == BitConverter.SingleToInt32Bits(got[i]), $"clamp({x[i]}, {lo}, {hi}) at {i} of {n}: {got[i]}, expected {want[i]}");
            }
        }
    }

    [Fact]
    public void Positive_kernel_equals_its_definition_on_every_length()
    {
        for (int n = 0; n <= 200; n++)
        {
            var (x, _) = Inputs(n, 100 + n);
            var g = SignedGradient(n, 2000 + n);
            var d = new float[n];
            GradientMasks.Positive(x, g, d);
            for (int i = 0; i < n; i++) AssertBitwise(x[i] > 0f ? g[i] : 0f, d[i], $"positive mask of {x[i]} at {i} of {n}");
        }
    }

    [Fact]
    public void Leaky_rectifier_kernels_equal_their_definitions_on_every_length()
    {
        for (int n = 0; n <= 64; n++)
        {
            var (x, g) = Inputs(n, 200 + n);
            var y = new float[n];
            var d = new float[n];
            LeakyRectifier.Forward(x, 0.1f, y);
            LeakyRectifier.Backward(x, g, 0.1f, d);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(x[i] > 0f ? x[i] : 0.1f * x[i], y[i]);
                Assert.Equal(x[i] > 0f ? g[i] : 0.1f * g[i], d[i]);
            }
        }
    }

    [Fact]
    public void Kernels_refuse_spans_of_different_lengths() =>
        Assert.Contains("lengths differ", Assert.Throws<ArgumentException>(() => GradientMasks.Positive(new float[3], new float[3], new float[2])).Message);

    [Theory]
    [InlineData("relu")]
    [InlineData("relu6")]
    [InlineData("clamp-min")]
    [InlineData("clamp-max")]
    [InlineData("leaky-relu")]
    public void Fused_and_create_graph_rules_agree(string op)
    {
        Func<Tensor, Tensor> f = op switch
        {
            "relu" => t => t.Relu(),
            "relu6" => t => t.Clamp(0f, 6f),
            "clamp-min" => t => t.Clamp(min: 0.5f),
            "leaky-relu" => t => t.LeakyRelu(0.1f),
            _ => t => t.Clamp(max: 0.5f),
        };
        var (xs, gs) = Inputs(37, 7);
        var x = Tensor.FromArray(xs, 37).RequireGrad();
        var seed = Tensor.FromArray(gs, 37);
        var fused = Gradients.Of([f(x)], [x], [seed])[0];
        var graph = Gradients.Of([f(x)], [x], [seed], createGraph: true)[0];
        Assert.Equal(graph.AsReadOnlySpan().ToArray(), fused.AsReadOnlySpan().ToArray());
    }

    [Fact]
    public void Fused_rules_run_in_parallel_blocks_with_the_same_result()
    {
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = 2;
            int n = 3 * 16384 + 5;                                                 // several blocks and a ragged last one
            var (xs, gs) = Inputs(n, 11);
            var x = Tensor.FromArray(xs, n).RequireGrad();
            var seed = Tensor.FromArray(gs, n);
            var fused = Gradients.Of([x.Clamp(0f, 6f).Relu()], [x], [seed])[0];    // Relu's gradient is a new tensor, Clamp's is in place
            var graph = Gradients.Of([x.Clamp(0f, 6f).Relu()], [x], [seed], createGraph: true)[0];
            Assert.Equal(graph.AsReadOnlySpan().ToArray(), fused.AsReadOnlySpan().ToArray());
            Assert.Equal(gs, seed.AsReadOnlySpan().ToArray());
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    [Fact]
    public void Same_shape_logic_equals_the_broadcasting_path()
    {
        var random = new Random(3);
        for (int n = 1; n <= 70; n += 3)
        {
            var a = Enumerable.Range(0, n).Select(_ => random.Next(2) == 1).ToArray();
            var b = Enumerable.Range(0, n).Select(_ => random.Next(2) == 1).ToArray();
            var ta = Tensor.FromArray(a, n);
            var tb = Tensor.FromArray(b, n);
            var tbRow = Tensor.FromArray(b, 1, n);                                  // [1, n]: takes the broadcasting path
            Assert.Equal(a.Zip(b, (x, y) => x & y), ta.And(tb).AsBoolSpan().ToArray());
            Assert.Equal(a.Zip(b, (x, y) => x | y), ta.Or(tb).AsBoolSpan().ToArray());
            Assert.Equal(a.Zip(b, (x, y) => x ^ y), ta.Xor(tb).AsBoolSpan().ToArray());
            Assert.Equal(ta.And(tb).AsBoolSpan().ToArray(), ta.And(tbRow).AsBoolSpan().ToArray());
            Assert.Equal(ta.Xor(tb).AsBoolSpan().ToArray(), ta.Xor(tbRow).AsBoolSpan().ToArray());
        }
    }
}
