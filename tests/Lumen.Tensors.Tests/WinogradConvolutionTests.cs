using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>Winograd's 3×3 stride-1 convolution (<see cref="WinogradConvolution"/>, F(4×4, 3×3) and F(2×2, 3×3))
/// against the naive loops in double precision: ragged planes (not multiples of the tile), padding 0, 1, 2 and
/// asymmetric, batch 1 and 3, channel counts that fill no vector or GEMM tile, blocks of several tile rows, every
/// epilogue (bitwise that epilogue applied afterwards), 1, 2 and 5 threads (bitwise alike).</summary>
public class WinogradConvolutionTests
{
    // N, C, H, W, O, top, left, bottom, right
    public static TheoryData<int, int, int, int, int, int, int, int, int> Geometries() => new()
    {
        { 1, 16, 13, 13, 24, 1, 1, 1, 1 },      // SqueezeNet's 13×13 expand, shrunk: one ragged tile row of groups
        { 3, 9, 14, 11, 17, 0, 0, 0, 0 },       // no padding, batch 3, 17 outputs (one past a vector)
        { 1, 8, 30, 70, 20, 2, 2, 2, 2 },       // padding 2, a row of 18 (F(4,3)) or 36 tiles: two groups, the second ragged
        { 2, 20, 27, 27, 33, 1, 0, 2, 1 },      // asymmetric padding, odd plane
        { 1, 5, 57, 9, 12, 1, 1, 1, 1 },        // tall narrow plane: several blocks, groups across tile rows
        { 1, 40, 6, 5, 50, 1, 1, 1, 1 },        // a plane smaller than one F(4,3) tile row of a vector
        { 2, 70, 20, 20, 40, 1, 1, 1, 1 },      // deeper than a vector, several images of one block each
    };

    private static ConvGeometry Geometry(int n, int c, int h, int w, int o, int top, int left, int bottom, int right) =>
        new(n, c, h, w, o, 3, 3, 1, 1, top, left, bottom, right, 1, 1, 1);

    /// <summary>The largest |Winograd − exact| over the largest |exact| of the layer (exact: double-precision loops).</summary>
    internal static double RelativeError(float[] actual, double[] exact)
    {
        double worst = 0, scale = 0;
        for (int i = 0; i < exact.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(actual[i] - exact[i]));
            scale = Math.Max(scale, Math.Abs(exact[i]));
        }
        return worst / scale;
    }

    /// <summary>conv(x, w) in double precision.</summary>
    internal static double[] Exact(float[] x, float[] w, in ConvGeometry g)
    {
        var y = new double[g.Batch * g.OutChannels * g.OutPlane];
        for (int n = 0; n < g.Batch; n++)
            for (int o = 0; o < g.OutChannels; o++)
                for (int oy = 0; oy < g.OutHeight; oy++)
                    for (int ox = 0; ox < g.OutWidth; ox++)
                    {
                        double sum = 0;
                        for (int c = 0; c < g.InChannels; c++)
                            for (int ky = 0; ky < 3; ky++)
                            {
                                int iy = oy + ky - g.PadTop;
                                if ((uint)iy >= (uint)g.InHeight) continue;
                                for (int kx = 0; kx < 3; kx++)
                                {
                                    int ix = ox + kx - g.PadLeft;
                                    if ((uint)ix >= (uint)g.InWidth) continue;
                                    sum += (double)x[((n * g.InChannels + c) * g.InHeight + iy) * g.InWidth + ix] * w[((o * g.InChannels + c) * 3 + ky) * 3 + kx];
                                }
                            }
                        y[((n * g.OutChannels + o) * g.OutHeight + oy) * g.OutWidth + ox] = sum;
                    }
        return y;
    }

    private static float[] Run(float[] x, float[] w, in ConvGeometry g, in ConvEpilogue epilogue, int tile, int threads)
    {
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = threads;
            var y = new float[g.Batch * g.OutChannels * g.OutPlane];
            Array.Fill(y, float.NaN);                    // every output must be written
            WinogradConvolution.Forward(x, w, y, g, epilogue, tile);
            return y;
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Matches_the_exact_convolution_within_the_measured_rounding(int n, int c, int h, int w, int o, int top, int left, int bottom, int right)
    {
        if (!WinogradConvolution.IsAvailable) return;
        AssertBothTilesWithinRounding(Geometry(n, c, h, w, o, top, left, bottom, right), 1);
    }

    /// <summary>F(4,3) and F(2,3) within 2e-5 and 1e-6 of the exact convolution on random data (seed
    /// <paramref name="seed"/>), every output written, bitwise alike on 1, 2 and 5 threads.</summary>
    private static void AssertBothTilesWithinRounding(in ConvGeometry g, int seed)
    {
        Assert.True(WinogradConvolution.Supports(g));
        var x = Tensor.Randn(new Shape(g.Batch, g.InChannels, g.InHeight, g.InWidth), seed).ToArray();
        var weights = Tensor.Randn(new Shape(g.OutChannels, g.InChannels, 3, 3), seed + 1).ToArray();
        var exact = Exact(x, weights, g);
        foreach (var (tile, tolerance) in new[] { (4, 2e-5), (2, 1e-6) })
        {
            var y = Run(x, weights, g, default, tile, 1);
            double error = RelativeError(y, exact);
            Assert.True(error <= tolerance, $"F({tile},3), {g}: relative error {error:E2} above {tolerance:E0}");
            Assert.Equal(y, Run(x, weights, g, default, tile, 2));
            Assert.Equal(y, Run(x, weights, g, default, tile, 5));   // more threads than cores: the pool's fallback
        }
    }

    public static TheoryData<int> Widths() => [.. Enumerable.Range(1, 40)];

    /// <summary>Every plane width 1–40 (each vector of tiles ragged or whole, on 8 and 16 lanes), heights 3–15, pads
    /// 0–2 differing per side, batch 2, 11 → 13 channels (no vector or GEMM tile filled): within the tolerances above,
    /// every output written, and bitwise alike on 1 and 2 threads.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void Every_plane_width_matches_the_exact_convolution(int width)
    {
        if (!WinogradConvolution.IsAvailable) return;
        AssertBothTilesWithinRounding(Geometry(2, 11, 3 + width * 7 % 13, width, 13, width % 3, (width + 1) % 3, (width + 2) % 3, width % 3), 20 + 2 * width);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(2)]
    public void The_epilogue_gives_bitwise_the_bias_and_activation_applied_afterwards(int tile)
    {
        if (!WinogradConvolution.IsAvailable) return;
        var g = Geometry(2, 12, 23, 19, 21, 1, 2, 0, 1);
        var x = Tensor.Randn(new Shape(g.Batch, g.InChannels, g.InHeight, g.InWidth), 4).ToArray();
        var w = Tensor.Randn(new Shape(g.OutChannels, g.InChannels, 3, 3), 5).ToArray();
        var bias = Tensor.Randn(new Shape(g.OutChannels), 6).ToArray();
        var plain = Run(x, w, g, default, tile, 1);
        foreach (var activation in ConvDirectTests.Activations)
            foreach (var b in new[] { null, bias })
            {
                var epilogue = new ConvEpilogue(b, activation);
                var expected = (float[])plain.Clone();
                for (int image = 0; image < g.Batch; image++)
                    for (int o = 0; o < g.OutChannels; o++)
                        epilogue.Apply(expected.AsSpan((image * g.OutChannels + o) * g.OutPlane, g.OutPlane), o);
                Assert.Equal(expected, Run(x, w, g, epilogue, tile, 1));
                Assert.Equal(expected, Run(x, w, g, epilogue, tile, 2));
            }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(2)]
    public void An_image_gets_bitwise_the_same_output_alone_and_in_a_batch(int tile)
    {
        // 7×7 planes: blocks of several images (F(4,3): 4 tiles an image), so an image's tiles share GEMM panels
        if (!WinogradConvolution.IsAvailable) return;
        var g = Geometry(5, 24, 7, 7, 40, 1, 1, 1, 1);
        var one = Geometry(1, 24, 7, 7, 40, 1, 1, 1, 1);
        var x = Tensor.Randn(new Shape(g.Batch, g.InChannels, g.InHeight, g.InWidth), 7).ToArray();
        var w = Tensor.Randn(new Shape(g.OutChannels, g.InChannels, 3, 3), 8).ToArray();
        var batch = Run(x, w, g, default, tile, 2);
        for (int image = 0; image < g.Batch; image++)
        {
            var alone = Run(x.AsSpan(image * g.InChannels * g.InPlane, g.InChannels * g.InPlane).ToArray(), w, one, default, tile, 1);
            Assert.Equal(batch.AsSpan(image * g.OutChannels * g.OutPlane, g.OutChannels * g.OutPlane).ToArray(), alone);
        }
    }

    /// <summary>A block writes its own output rows and nothing else, though a ragged group of tiles is merged straight
    /// into the output where what it spills past its row lands on rows the block itself writes later: run alone on an
    /// output of NaNs, each block of a two-thread tiling gives its rows as the whole convolution does and leaves every
    /// other value NaN (blocks that end inside an image, at an image's end, and at the tensor's end; F(4,3) spills up to
    /// 37 values, two rows of 27).</summary>
    [Theory]
    [InlineData(4, 2, 64, 27, 27, 128)]    // 7 tile rows an image, two images
    [InlineData(4, 1, 32, 55, 55, 128)]
    [InlineData(2, 1, 256, 13, 13, 256)]
    [InlineData(2, 1, 48, 13, 13, 192)]    // one block's worth of tiles, yet a block a thread (4 + 3 tile rows)
    [InlineData(2, 3, 8, 27, 23, 12)]
    [InlineData(4, 1, 128, 57, 9, 128)]
    public void A_block_writes_only_its_own_rows(int tile, int n, int c, int h, int w, int o)
    {
        if (!WinogradConvolution.IsAvailable) return;
        var g = Geometry(n, c, h, w, o, 1, 1, 1, 1);
        var rng = new Random(17);
        var x = Enumerable.Range(0, n * c * h * w).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var wt = Enumerable.Range(0, o * c * 9).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var whole = new float[n * o * g.OutPlane];
        WinogradConvolution.Forward(x, wt, whole, g, default, tile);
        int blocks = 0;
        for (int item = 0; ; item++)
        {
            var y = Enumerable.Repeat(float.NaN, whole.Length).ToArray();
            if (WinogradConvolution.RunBlock(x, wt, y, g, tile, threads: 2, item) is not var (first, count, tilesH)) break;
            blocks++;
            for (int i = 0; i < y.Length; i++)
            {
                int image = i / (o * g.OutPlane), row = i / g.OutWidth % g.OutHeight, tileRow = image * tilesH + row / tile;
                bool mine = tileRow >= first && tileRow < first + count;
                if (mine) Assert.Equal(whole[i], y[i]);
                else Assert.True(float.IsNaN(y[i]), $"block {item} (tile rows {first}..{first + count - 1}) wrote {y[i]} at image {image}, channel {i / g.OutPlane % o}, row {row}, column {i % g.OutWidth}");
            }
        }
        Assert.True(blocks >= 2, $"the tiling of {g} has {blocks} block(s)");
    }

    /// <summary>On several threads a block aims at a third of the one-thread target (V and M of 256 KiB): SqueezeNet's
    /// 55² layer of 16 → 64 channels takes blocks of 4 tile rows (56 tiles), not 7 (98 tiles, 1.3 MB of V and M).</summary>
    [Fact]
    public void On_several_threads_a_block_stays_within_the_L2()
    {
        if (!WinogradConvolution.IsAvailable) return;
        var g = Geometry(1, 16, 55, 55, 64, 1, 1, 1, 1);
        var x = new float[16 * 55 * 55];
        var w = new float[64 * 16 * 9];
        var y = new float[64 * 55 * 55];
        Assert.True(WinogradConvolution.RunBlock(x, w, y, g, 4, threads: 2, item: 0) is (_, <= 4, _));
    }

    [Fact]
    public void Read_only_weights_keep_their_transform_and_give_the_fresh_transforms_results()
    {
        if (!WinogradConvolution.IsAvailable) return;
        var g = Geometry(1, 16, 20, 20, 24, 1, 1, 1, 1);
        var x = Tensor.Randn(new Shape(1, 16, 20, 20), 9).ToArray();
        var writable = Tensor.Randn(new Shape(24, 16, 3, 3), 10);
        var frozen = writable.Clone().MakeReadOnly();
        var expected = Run(x, writable.Floats, g, default, 4, 1);
        Assert.Null(PackedWeights.GetTransformed(writable.Floats, 4, 36, 24, 16, () => throw new InvalidOperationException("writable weights are never kept")));
        Assert.Equal(expected, Run(x, frozen.Floats, g, default, 4, 1));                  // transforms and keeps
        var kept = PackedWeights.GetTransformed(frozen.Floats, 4, 36, 24, 16, () => throw new InvalidOperationException("the transform was not kept"));
        Assert.NotNull(kept);
        Assert.All(kept, packed => Assert.True(packed.Kept));
        Assert.Equal(expected, Run(x, frozen.Floats, g, default, 4, 2));                  // the kept transform
        Assert.Equal(Run(x, writable.Floats, g, default, 2, 1), Run(x, frozen.Floats, g, default, 2, 1));   // F(2,3): its own key
    }

    [Fact]
    public void Making_weights_writable_drops_their_transform_so_new_values_are_used()
    {
        if (!WinogradConvolution.IsAvailable) return;
        var w = Tensor.Randn(new Shape(24, 16, 3, 3), 11).MakeReadOnly();
        var x = Tensor.Randn(new Shape(1, 16, 20, 20), 12);
        Assert.True(WinogradConvolution.Applies(new ConvGeometry(1, 16, 20, 20, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1)));
        var first = x.Conv2d(w, padding: 1).ToArray();
        Assert.NotNull(PackedWeights.GetTransformed(w.Floats, 4, 36, 24, 16, () => throw new InvalidOperationException("the transform was not kept")));
        w.MakeWritable();
        w.AsSpan().Fill(0.5f);
        var changed = x.Conv2d(w, padding: 1).ToArray();
        Assert.NotEqual(first, changed);
        Assert.Equal(x.Conv2d(w.Clone(), padding: 1).ToArray(), changed);            // not the stale transform
        w.MakeReadOnly();
        Assert.Equal(changed, x.Conv2d(w, padding: 1).ToArray());                      // kept afresh
    }

    // N, C, H (= W), O → the tile the rule picks: the shipped models' layers at batch 1 and 16
    [Theory]
    [InlineData(1, 16, 112, 32, 4)]      // Tiny Darknet
    [InlineData(1, 16, 56, 128, 4)]
    [InlineData(1, 32, 28, 256, 4)]
    [InlineData(1, 64, 14, 512, 2)]      // 16 F(4,3) tiles fill half a panel; 49 F(2,3) tiles two thirds of two
    [InlineData(16, 64, 14, 512, 2)]     // whatever the batch: an image's output must not depend on the batch
    [InlineData(1, 16, 55, 64, 4)]       // SqueezeNet
    [InlineData(1, 48, 13, 192, 2)]
    [InlineData(1, 128, 7, 256, 2)]
    [InlineData(16, 128, 7, 256, 2)]
    [InlineData(1, 4, 56, 64, 0)]        // too few input channels
    public void The_rule_picks_the_tile_with_the_fewest_GEMM_panels_for_one_image(int n, int c, int size, int o, int tile)
    {
        Assert.Equal(tile, WinogradConvolution.TileCounting(Geometry(n, c, size, size, o, 1, 1, 1, 1), 32));
    }

    // the AVX2 GEMM's panels of 16: a 13² or 14² plane's 16 F(4,3) tiles fill one
    [Theory]
    [InlineData(1, 16, 112, 32, 4)]      // Tiny Darknet
    [InlineData(1, 64, 14, 512, 4)]
    [InlineData(16, 128, 14, 256, 4)]
    [InlineData(1, 16, 55, 64, 4)]       // SqueezeNet
    [InlineData(1, 32, 27, 128, 4)]
    [InlineData(1, 48, 13, 192, 4)]
    [InlineData(1, 128, 7, 256, 2)]      // 4 F(4,3) tiles pad a panel of 16; 16 F(2,3) tiles fill one
    [InlineData(1, 4, 56, 64, 0)]        // too few input channels
    public void Counting_panels_of_16_the_rule_takes_F4_on_13_and_14_wide_planes(int n, int c, int size, int o, int tile)
    {
        Assert.Equal(tile, WinogradConvolution.TileCounting(Geometry(n, c, size, size, o, 1, 1, 1, 1), 16));
    }
}

/// <summary><see cref="ConvolutionAlgorithms.Winograd"/>: on, <see cref="Conv2dKernel.Forward"/> takes the Winograd
/// path where the rule says; off, it gives bitwise the im2col + GEMM result. Run alone: the switch is global.</summary>
[Collection(nameof(WinogradSwitchTests))]
public class WinogradSwitchTests
{
    [Fact]
    public void Switched_off_convolutions_give_bitwise_the_im2col_result()
    {
        if (!WinogradConvolution.IsAvailable) return;
        var g = new ConvGeometry(2, 16, 21, 26, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var x = Tensor.Randn(new Shape(g.Batch, g.InChannels, g.InHeight, g.InWidth), 13).ToArray();
        var w = Tensor.Randn(new Shape(g.OutChannels, g.InChannels, 3, 3), 14).ToArray();
        var bias = Tensor.Randn(new Shape(g.OutChannels), 15).ToArray();
        var epilogue = new ConvEpilogue(bias, ConvActivation.Leaky(0.1f));
        int k = g.ColumnRows, plane = g.InChannels * g.InPlane, output = g.OutChannels * g.OutPlane;
        var (depthBlock, nr) = Gemm.PanelShapeB(Gemm.BestPath, k);
        var im2col = new float[g.Batch * output];
        for (int n = 0; n < g.Batch; n++)
        {
            var cols = GemmBuffers.Columns(k * ((g.OutPlane + nr - 1) / nr * nr));
            Im2Col.FillPacked(x.AsSpan(n * plane, plane), cols, g, 0, g.OutHeight, depthBlock, nr);
            Gemm.MultiplyPackedB(w, null, cols, im2col.AsSpan(n * output, output), g.OutPlane, g.OutChannels, g.OutPlane, k, false, false, 1, Gemm.BestPath, epilogue);
        }
        var winograd = new float[im2col.Length];
        WinogradConvolution.Forward(x, w, winograd, g, epilogue, WinogradConvolution.TileFor(g));
        bool saved = ConvolutionAlgorithms.Winograd;
        try
        {
            var y = new float[im2col.Length];
            ConvolutionAlgorithms.Winograd = true;
            Assert.True(WinogradConvolution.Applies(g));
            Conv2dKernel.Forward(x, w, y, g, epilogue);
            Assert.Equal(winograd, y);
            Assert.NotEqual(im2col, y);
            ConvolutionAlgorithms.Winograd = false;
            Assert.False(WinogradConvolution.Applies(g));
            Conv2dKernel.Forward(x, w, y, g, epilogue);
            Assert.Equal(im2col, y);
        }
        finally { ConvolutionAlgorithms.Winograd = saved; }
    }
}

[CollectionDefinition(nameof(WinogradSwitchTests), DisableParallelization = true)]
public class WinogradSwitchCollection;
