using Lumen.Attribution.Common;

namespace Lumen.Attribution.Tests;

public class QuadratureTests
{
    [Theory]
    [InlineData(Quadrature.RiemannLeft, 1)]
    [InlineData(Quadrature.RiemannMiddle, 7)]
    [InlineData(Quadrature.RiemannTrapezoid, 2)]
    [InlineData(Quadrature.GaussLegendre, 1)]
    [InlineData(Quadrature.GaussLegendre, 50)]
    public void Weights_sum_to_one_and_nodes_lie_in_the_unit_interval(Quadrature rule, int steps)
    {
        var (alphas, weights) = QuadratureRule.Points(rule, steps);
        Assert.Equal(1.0, weights.Sum(), 12);
        Assert.All(alphas, a => Assert.InRange(a, 0.0, 1.0));
    }

    [Fact]
    public void Gauss_legendre_has_the_textbook_three_point_nodes_and_is_exact_to_degree_2n_minus_1()
    {
        var (alphas, weights) = QuadratureRule.Points(Quadrature.GaussLegendre, 3);
        Assert.Equal(0.5 * (1 - Math.Sqrt(0.6)), alphas[0], 14);
        Assert.Equal(0.5, alphas[1], 14);
        Assert.Equal(8.0 / 18, weights[1], 14);
        var (a10, w10) = QuadratureRule.Points(Quadrature.GaussLegendre, 10);
        double integral = a10.Zip(w10, (a, w) => w * Math.Pow(a, 19)).Sum();
        Assert.Equal(1.0 / 20, integral, 13);
    }

    [Fact]
    public void Riemann_rules_place_nodes_like_captum()
    {
        Assert.Equal(new[] { 0.0, 0.25, 0.5, 0.75 }, QuadratureRule.Points(Quadrature.RiemannLeft, 4).Alphas);
        Assert.Equal(new[] { 0.25, 0.5, 0.75, 1.0 }, QuadratureRule.Points(Quadrature.RiemannRight, 4).Alphas);
        Assert.Equal(new[] { 1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6 }, QuadratureRule.Points(Quadrature.RiemannTrapezoid, 4).Weights);
    }
}
