using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The input gradient of a 3×3 stride-1 convolution through Winograd's kernel
/// (<see cref="WinogradConvolution.TryBackwardInput"/>): against the naive loops in double precision, on ragged planes,
/// padding 0, 1, 2 and asymmetric, batch 1 and 3; every element written; bitwise alike on 1 and 2 threads, alone or in a
/// batch, and with kept (read-only) or per-call weights; refused where the kernel does not apply.</summary>
public class WinogradInputGradientTests
{
    // N, C, H, W, O, top, left, bottom, right
    public static TheoryData<int, int, int, int, int, int, int, int, int> Geometries() => new()
    {
        { 1, 16, 13, 13, 24, 1, 1, 1, 1 },      // a small plane: F(2,3)
        { 3, 9, 14, 11, 17, 0, 0, 0, 0 },       // no padding (the gradient pads by 2), batch 3
        { 1, 8, 30, 70, 20, 2, 2, 2, 2 },       // padding 2 (the gradient pads by 0)
        { 2, 20, 27, 27, 33, 1, 0, 2, 1 },      // asymmetric padding, odd plane
        { 2, 70, 20, 20, 40, 1, 1, 1, 1 },      // deeper than a vector
        { 1, 16, 56, 56, 32, 1, 1, 1, 1 },      // a large plane: F(4,3)
    };

    private static ConvGeometry Geometry(int n, int c, int h, int w, int o, int top, int left, int bottom, int right) =>
        new(n, c, h, w, o, 3, 3, 1, 1, top, left, bottom, right, 1, 1, 1);

    /// <summary>dx = ∂⟨dy, conv(x, w)⟩/∂x in double precision.</summary>
    private static double[] Exact(float[] dy, float[] w, in ConvGeometry g)
    {
        var dx = new double[g.Batch * g.InChannels * g.InPlane];
        for (int n = 0; n < g.Batch; n++)
            for (int o = 0; o < g.OutChannels; o++)
                for (int oy = 0; oy < g.OutHeight; oy++)
                    for (int ox = 0; ox < g.OutWidth; ox++)
                    {
                        double grad = dy[((n * g.OutChannels + o) * g.OutHeight + oy) * g.OutWidth + ox];
                        for (int c = 0; c < g.InChannels; c++)
                            for (int ky = 0; ky < 3; ky++)
                            {
                                int iy = oy + ky - g.PadTop;
                                if ((uint)iy >= (uint)g.InHeight) continue;
                                for (int kx = 0; kx < 3; kx++)
                                {
                                    int ix = ox + kx - g.PadLeft;
                                    if ((uint)ix >= (uint)g.InWidth) continue;
                                    dx[((n * g.InChannels + c) * g.InHeight + iy) * g.InWidth + ix] += grad * w[((o * g.InChannels + c) * 3 + ky) * 3 + kx];
                                }
                            }
                    }
        return dx;
    }

    private static float[] Run(float[] dy, float[] w, in ConvGeometry g, int threads)
    {
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = threads;
            var dx = new float[g.Batch * g.InChannels * g.InPlane];
            Array.Fill(dx, float.NaN);                   // every element must be written
            Assert.True(WinogradConvolution.TryBackwardInput(dy, w, dx, g), $"Winograd does not take the input gradient of {g}");
            return dx;
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Input_gradient_matches_the_exact_one_on_any_thread_count(int n, int c, int h, int w, int o, int top, int left, int bottom, int right)
    {
        if (!WinogradConvolution.IsAvailable) return;
        var g = Geometry(n, c, h, w, o, top, left, bottom, right);
        var dy = Tensor.Randn(new Shape(g.Batch, g.OutChannels, g.OutHeight, g.OutWidth), 11).ToArray();
        var weights = Tensor.Randn(new Shape(g.OutChannels, g.InChannels, 3, 3), 12).ToArray();
        var one = Run(dy, weights, g, 1);
        Assert.All(one, v => Assert.True(float.IsFinite(v)));
        double error = WinogradConvolutionTests.RelativeError(one, Exact(dy, weights, g));
        Assert.True(error <= 2e-5, $"{g}: relative error {error:E2}");
        Assert.Equal(one, Run(dy, weights, g, 2));
    }

    [Fact]
    public void An_images_gradient_does_not_depend_on_the_images_beside_it()
    {
        if (!WinogradConvolution.IsAvailable) return;
        var g = Geometry(3, 24, 28, 28, 32, 1, 1, 1, 1);
        var dy = Tensor.Randn(new Shape(3, 32, 28, 28), 13).ToArray();
        var weights = Tensor.Randn(new Shape(32, 24, 3, 3), 14).ToArray();
        var batch = Run(dy, weights, g, 2);
        int perImage = 24 * 28 * 28;
        for (int image = 0; image < 3; image++)
        {
            var alone = Run(dy.AsSpan(image * 32 * 28 * 28, 32 * 28 * 28).ToArray(), weights, g with { Batch = 1 }, 2);
            Assert.Equal(alone, batch.AsSpan(image * perImage, perImage).ToArray());
        }
    }

    /// <summary>Read-only weights keep the gradient's transform (its own key, beside the forward's): the same results
    /// as per-call transforms, forward and backward in any order.</summary>
    [Fact]
    public void Kept_transforms_of_read_only_weights_give_the_per_call_results()
    {
        if (!WinogradConvolution.IsAvailable) return;
        var g = Geometry(1, 16, 20, 20, 24, 1, 1, 1, 1);
        var x = Tensor.Randn(new Shape(1, 16, 20, 20), 15);
        var dy = Tensor.Randn(new Shape(1, 24, 20, 20), 16).ToArray();
        var writable = Tensor.Randn(new Shape(24, 16, 3, 3), 17);
        var frozen = writable.Clone().MakeReadOnly();
        var forward = x.Conv2d(writable, padding: 1).ToArray();
        var gradient = Run(dy, writable.ToArray(), g, 1);
        for (int round = 0; round < 2; round++)
        {
            Assert.Equal(gradient, Run(dy, frozen.Floats, g, 1));
            Assert.Equal(forward, x.Conv2d(frozen, padding: 1).ToArray());
        }
    }

    /// <summary>Arrays too short for the geometry, a geometry the kernel cannot run and a tile other than 2 or 4 are
    /// refused with an error naming what was wrong, before anything is written.</summary>
    [Fact]
    public void Bad_arguments_are_refused_by_name()
    {
        if (!WinogradConvolution.IsAvailable) return;
        var g = Geometry(1, 16, 12, 12, 16, 1, 1, 1, 1);
        var x = new float[16 * 144];
        var w = new float[16 * 16 * 9];
        var e = Assert.Throws<ArgumentException>(() => WinogradConvolution.Forward(x, w, new float[10], g, default));
        Assert.Contains("does not fit the 10 floats", e.Message);
        e = Assert.Throws<ArgumentException>(() => WinogradConvolution.TryBackwardInput(x, w, new float[10], g));
        Assert.Contains("too few", e.Message);
        e = Assert.Throws<ArgumentException>(() => WinogradConvolution.Forward(x, w, new float[16 * 144], g with { StrideH = 2, StrideW = 2 }, default));
        Assert.Contains("stride 1", e.Message);
        var tile = Assert.Throws<ArgumentOutOfRangeException>(() => WinogradConvolution.Forward(x, w, new float[16 * 144], g, default, tile: 3));
        Assert.Contains("2 or 4", tile.Message);
    }

    [Fact]
    public void Padding_past_two_and_strided_convolutions_are_left_to_im2col()
    {
        var dy = new float[1 * 16 * 20 * 20];
        var dx = new float[1 * 16 * 16 * 16];
        var weights = new float[16 * 16 * 9];
        Assert.False(WinogradConvolution.TryBackwardInput(dy, weights, dx, Geometry(1, 16, 16, 16, 16, 3, 3, 3, 3)));
        Assert.False(WinogradConvolution.TryBackwardInput(dy, weights, dx, new ConvGeometry(1, 16, 16, 16, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1)));
        Assert.All(dx, v => Assert.Equal(0f, v));
    }
}
