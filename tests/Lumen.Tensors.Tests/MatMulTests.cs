namespace Lumen.Tensors.Tests;

public class MatMulTests
{
    [Theory]
    [InlineData(new[] { 3, 4 }, new[] { 4, 5 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 4, 2 })]
    [InlineData(new[] { 2, 1, 3, 4 }, new[] { 3, 4, 2 })]
    [InlineData(new[] { 4 }, new[] { 4, 3 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 4 })]
    [InlineData(new[] { 5 }, new[] { 5 })]
    public void MatMul_gradients_match_finite_differences(int[] sa, int[] sb)
    {
        var a = Tensor.Randn(new Shape(sa), 1);
        var b = Tensor.Randn(new Shape(sb), 2);
        GradCheck.Assert(x => x[0].MatMul(x[1]), [a, b]);
    }

    [Fact]
    public void MatMul_rejects_mismatched_inner_dimensions()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).MatMul(Tensor.Zeros(4, 5)));
        Assert.Contains("MatMul", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
    }
}
