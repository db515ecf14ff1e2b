using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>Resize and ResizeByScale: separable taps against the direct 2-D formulas in every mode, ONNX and PyTorch
/// reference values, finite-difference gradients and errors.</summary>
public class ResizeTests
{
    public static IEnumerable<object[]> Modes() =>
        from mode in Enum.GetValues<ResizeMode>()
        from coordinates in Enum.GetValues<ResizeCoordinates>()
        from rounding in mode == ResizeMode.Nearest ? Enum.GetValues<ResizeNearestRounding>() : [ResizeNearestRounding.RoundPreferFloor]
        select new object[] { mode, coordinates, rounding };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Separable_taps_match_direct_interpolation_and_gradients_match(ResizeMode mode, ResizeCoordinates coordinates, ResizeNearestRounding rounding)
    {
        var x = Tensor.Randn(new Shape(2, 3, 5, 7), 1);
        foreach (var (oh, ow) in new[] { (9, 4), (5, 7), (1, 1), (2, 15), (11, 3) })
        {
            var y = x.Resize(oh, ow, mode, coordinates, rounding);
            Assert.Equal(new Shape(2, 3, oh, ow), y.Shape);
            var expected = ResizeNaive.Resize(x.ToArray(), 6, 5, 7, oh, ow, oh / 5.0, ow / 7.0, mode, coordinates, rounding);
            GradCheck.Close(expected, y.ToArray(), 1e-5f, 1e-5f);
        }
        var scaled = x.ResizeByScale(1.7f, 0.6f, mode, coordinates, rounding);
        Assert.Equal(new Shape(2, 3, 8, 4), scaled.Shape);
        GradCheck.Close(ResizeNaive.Resize(x.ToArray(), 6, 5, 7, 8, 4, 1.7f, 0.6f, mode, coordinates, rounding), scaled.ToArray(), 1e-5f, 1e-5f);
        GradCheck.Assert(t => t[0].Resize(9, 4, mode, coordinates, rounding), [x]);
        GradCheck.Assert(t => t[0].ResizeByScale(1.7f, 0.6f, mode, coordinates, rounding), [x]);
    }

    [Fact]
    public void Matches_ONNX_reference_outputs()
    {
        var data = Tensor.FromArray([1f, 2, 3, 4], 1, 1, 2, 2);
        // resize_upsample_scales_nearest: scales (2, 3), half_pixel, round_prefer_floor
        var nearest = data.ResizeByScale(2f, 3f, ResizeMode.Nearest);
        Assert.Equal(new float[] { 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4 }, nearest.ToArray());
        // resize_downsample_scales_linear: [[1,2,3,4],[5,6,7,8]] scales (0.6, 0.6) -> [[2.6666665, 4.3333331]]
        var wide = Tensor.FromArray([1f, 2, 3, 4, 5, 6, 7, 8], 1, 1, 2, 4);
        GradCheck.Close([2.6666665f, 4.3333331f], wide.ResizeByScale(0.6f, 0.6f).ToArray(), 1e-5f, 1e-5f);
    }

    [Fact]
    public void Matches_PyTorch_interpolate_values()
    {
        var row = Tensor.FromArray([1f, 2], 1, 1, 1, 2);
        // F.interpolate(x, size=(1, 4), mode="bilinear", align_corners=False) -> [1, 1.25, 1.75, 2]
        Assert.Equal(new float[] { 1, 1.25f, 1.75f, 2 }, row.Resize(1, 4).ToArray());
        // align_corners=True, size 3 -> [1, 1.5, 2]
        Assert.Equal(new float[] { 1, 1.5f, 2 }, row.Resize(1, 3, coordinates: ResizeCoordinates.AlignCorners).ToArray());
        // mode="nearest", scale 2 -> [1, 1, 2, 2]
        Assert.Equal(new float[] { 1, 1, 2, 2 }, row.ResizeByScale(1f, 2f, ResizeMode.Nearest, ResizeCoordinates.Asymmetric, ResizeNearestRounding.Floor).ToArray());
    }

    [Fact]
    public void Bilinear_gradient_scatter_adds_the_interpolation_weights()
    {
        var row = Tensor.FromArray([1f, 2], 1, 2).RequireGrad();
        var grad = Autograd.Gradients.Of(row.Resize(1, 4).Sum(), [row])[0].ToArray();
        // weights per output: (1, 0), (0.75, 0.25), (0.25, 0.75), (0, 1)
        Assert.Equal(new float[] { 2, 2 }, grad);
        var weighted = Autograd.Gradients.Of(new[] { row.Resize(1, 4) }, new[] { row }, new[] { Tensor.FromArray([1f, 2, 3, 4], 1, 4) })[0].ToArray();
        Assert.Equal(new float[] { 1 + 1.5f + 0.75f, 0.5f + 2.25f + 4 }, weighted);
    }

    [Fact]
    public void Resize_rejects_bad_arguments()
    {
        var x = Tensor.Zeros(1, 1, 4, 4);
        Assert.Contains("Resize: input must have at least two dimensions", Assert.Throws<ArgumentException>(() => Tensor.Zeros(4).Resize(2, 2)).Message);
        Assert.Contains("output size (0, 2)", Assert.Throws<ArgumentOutOfRangeException>(() => x.Resize(0, 2)).Message);
        Assert.Contains("scales (0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => x.ResizeByScale(0f, 1f)).Message);
        Assert.Contains("empty output", Assert.Throws<ArgumentException>(() => x.ResizeByScale(0.1f, 1f)).Message);
        Assert.Contains("empty spatial", Assert.Throws<ArgumentException>(() => Tensor.Zeros(1, 0, 4).Resize(2, 2)).Message);
        Assert.Contains("Float32", Assert.Throws<ArgumentException>(() => Tensor.FromArray(new long[4], 2, 2).Resize(3, 3)).Message);
    }
}
