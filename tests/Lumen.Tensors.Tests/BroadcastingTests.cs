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
}
