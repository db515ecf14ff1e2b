using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

public class BroadcastingTests
{
    public static IEnumerable<object[]> LargeShapes() =>
    [
        [new[] { 600, 700 }, new[] { 600, 700 }],
        [new[] { 600, 700 }, new int[0]],
        [new int[0], new[] { 600, 701 }],
        [new[] { 600, 701 }, new[] { 701 }],
        [new[] { 601, 1 }, new[] { 1, 700 }],
        [new[] { 7, 1, 211, 3 }, new[] { 5, 1, 3 }],
        [new[] { 3, 1, 100_003 }, new[] { 1, 2, 1 }],
    ];

    [Theory]
    [MemberData(nameof(LargeShapes))]
    public void Large_parallel_broadcasts_match_the_scalar_twin(int[] sa, int[] sb)
    {
        var a = Tensor.Randn(new Shape(sa), 1);
        var b = Tensor.Rand(new Shape(sb), 2, 0.5f, 2f);
        var shape = Shape.Broadcast(a.Shape, b.Shape, "test");
        foreach (var threads in new[] { 1, 2, 3 })
        {
            int saved = Parallelism.MaxDegree;
            Parallelism.MaxDegree = threads;
            try
            {
                Check<AddOperator>((x, y) => x + y);
                Check<DivideOperator>((x, y) => x / y);
                Check<MaximumOperator>(MathF.Max);
            }
            finally { Parallelism.MaxDegree = saved; }
        }

        void Check<TOp>(Func<float, float, float> reference) where TOp : IBinaryOperator
        {
            var fast = new float[shape.Size];
            var naive = new float[shape.Size];
            Broadcasting.Apply<TOp>(a.AsReadOnlySpan(), a.Shape, b.AsReadOnlySpan(), b.Shape, fast, shape);
            Broadcasting.ApplyScalar<float, float, float>(a.AsReadOnlySpan(), a.Shape, b.AsReadOnlySpan(), b.Shape, naive, shape, reference);
            GradCheck.Close(naive, fast, 1e-6f, 1e-6f);
        }
    }

    [Fact]
    public void Large_in_place_add_with_a_broadcast_operand_is_exact()
    {
        var x = Tensor.Randn(new Shape(1000, 513), 3);
        var row = Tensor.Randn(new Shape(513), 4);
        var expected = (x + row).ToArray();
        x.AddInPlace(row);
        Assert.Equal(expected, x.ToArray());
    }

    /// <summary>The span form of Add (its own AVX-512 loop where available) is bitwise the scalar x + y on every length to
    /// 200 (four-vector body, single vectors, masked tail), with ±0, ±∞ and NaN, into a new array and in place on either
    /// input; other lengths and a partial overlap still get TensorPrimitives' errors.</summary>
    [Fact]
    public void Add_of_two_spans_is_bitwise_the_scalar_sum_in_place_or_not()
    {
        float[] edges = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e-38f, -3.5f, 6f];
        var rng = new Random(3);
        for (int n = 0; n <= 200; n++)
        {
            var x = Enumerable.Range(0, n).Select(i => i % 11 < edges.Length ? edges[(i * 7 + n) % edges.Length] : (float)rng.NextDouble() * 4 - 2).ToArray();
            var y = Enumerable.Range(0, n).Select(i => i % 5 == 0 ? edges[(i + n) % edges.Length] : (float)rng.NextDouble() * 4 - 2).ToArray();
            var expected = x.Zip(y, (a, b) => a + b).ToArray();
            var d = Enumerable.Repeat(float.NaN, n + 3).ToArray();
            AddOperator.Invoke(x, y, d.AsSpan(0, n));
            var intoX = (float[])x.Clone();
            AddOperator.Invoke(intoX, y, intoX);
            var intoY = (float[])y.Clone();
            AddOperator.Invoke(x, intoY, intoY);
            for (int i = 0; i < n; i++)
            {
                int want = BitConverter.SingleToInt32Bits(expected[i]);
                Assert.True(float.IsNaN(expected[i]) ? float.IsNaN(d[i]) && float.IsNaN(intoX[i]) && float.IsNaN(intoY[i])
                    : want == BitConverter.SingleToInt32Bits(d[i]) && want == BitConverter.SingleToInt32Bits(intoX[i]) && want == BitConverter.SingleToInt32Bits(intoY[i]),
                    $"n={n} element {i}: {x[i]} + {y[i]} = {expected[i]}, got {d[i]} / in x {intoX[i]} / in y {intoY[i]}");
            }
            Assert.All(d[n..], v => Assert.True(float.IsNaN(v)));          // nothing past the destination written
        }
        var buffer = new float[40];
        Assert.Throws<ArgumentException>(() => AddOperator.Invoke(buffer.AsSpan(0, 32), buffer.AsSpan(8, 32), buffer.AsSpan(4, 32)));
        Assert.Throws<ArgumentException>(() => AddOperator.Invoke(new float[8], new float[7], new float[8]));
    }
}
