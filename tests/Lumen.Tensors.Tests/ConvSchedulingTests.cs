using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>How the convolution splits its work over threads: band heights that give each thread equal work, and
/// the column matrix of a band that runs alone filled by all threads; results bitwise those of one thread.</summary>
public class ConvSchedulingTests
{
    // N, C, H, W, O, kh, kw, sh, sw, top, left, bottom, right, dh, dw, groups
    private static ConvGeometry Geometry(int[] a) => new(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);

    private static ConvGeometry Square(int batch, int channels, int side, int outChannels) =>
        Geometry([batch, channels, side, side, outChannels, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1]);

    [Fact]
    public void Two_threads_get_an_even_number_of_equal_bands_at_batch_one()
    {
        var g = Square(1, 16, 55, 64);                       // SqueezeNet's expand3x3 at 55×55
        Assert.Equal(8, Conv2dKernel.BandRows(g, 1));        // 7 bands: 4 + 3 on two threads
        int rows = Conv2dKernel.BandRows(g, 2), bands = (55 + rows - 1) / rows;
        Assert.Equal(0, bands % 2);                          // 8 bands of 7 (4 + 4), or 4 of 14 (2 + 2) on AVX-512,
        Assert.True(55 - (bands - 1) * rows >= rows - 1);    // where 14 rows fill 800 of 25 panels, 7 rows 416 of 13
    }

    [Fact]
    public void A_band_grows_past_the_column_buffer_only_for_a_clear_gain()
    {
        var g = Square(1, 256, 14, 512);                     // Tiny Darknet's 14×14 layer, K = 2304
        Assert.Equal(7, Conv2dKernel.BandRows(g, 1));        // the 1 MiB column buffer holds 8 rows: 2 bands of 98 columns
        if (Gemm.BestPath == GemmPath.Vector512)             // 98 columns fill 4 panels of 32, all 196 only 7
            Assert.Equal(14, Conv2dKernel.BandRows(g, 2));
        var narrow = Square(1, 32, 28, 8);                   // 8 output channels: sharing one band's GEMM does not pay
        Assert.Equal(14, Conv2dKernel.BandRows(narrow, 2));
    }

    [Theory]
    [InlineData(1, 32, 27)]      // 14 + 13 rows already split evenly
    [InlineData(1, 32, 28)]      // 14 + 14
    [InlineData(16, 16, 55)]     // 16 images × 7 bands: 56 + 56 items
    public void Bands_that_already_balance_stay(int batch, int channels, int side)
    {
        var g = Square(batch, channels, side, 8);
        Assert.Equal(Conv2dKernel.BandRows(g, 1), Conv2dKernel.BandRows(g, 2));
    }

    [Theory]
    [InlineData(1, 16, 55, 2)]
    [InlineData(1, 3, 224, 2)]
    [InlineData(2, 5, 40, 3)]
    [InlineData(1, 4, 33, 4)]
    public void Band_rows_keep_bands_two_apart_disjoint(int batch, int channels, int side, int threads)
    {
        var g = Geometry([batch, channels, side, side, 4, 5, 3, 2, 1, 2, 1, 2, 1, 2, 1, 1]);
        int rows = Conv2dKernel.BandRows(g, threads);
        Assert.InRange(rows, 1, g.OutHeight);
        Assert.True(rows * g.StrideH >= g.DilationH * (g.KernelHeight - 1));
        Assert.True(rows <= Conv2dKernel.BandRows(g, 1) || (long)rows * g.ColumnRows * g.OutWidth <= 2L * Conv2dKernel.MaxColumnFloats);
    }

    /// <summary>A 13×13 layer at batch 1 is one band whose GEMM both threads share; its columns are filled by both
    /// threads too. Several bands at batch 1 change height with the thread count. Each output element's sum is
    /// the same in every case, so the forward output is bitwise that of one thread.</summary>
    [Theory]
    [InlineData(1, 48, 13, 64)]
    [InlineData(1, 16, 55, 24)]
    [InlineData(2, 8, 29, 16)]
    [InlineData(1, 256, 14, 512)]    // K = 2304 in 5 depth blocks: two 7-row bands on one thread, one shared band on two
    public void Forward_output_is_bitwise_the_single_thread_output(int batch, int channels, int side, int outChannels)
    {
        var g = Square(batch, channels, side, outChannels);
        var x = Tensor.Randn(new Shape(g.Batch, g.InChannels, g.InHeight, g.InWidth), 1).ToArray();
        var w = Tensor.Randn(new Shape(g.OutChannels, g.InPerGroup, 3, 3), 2).ToArray();
        var one = new float[g.Batch * g.OutChannels * g.OutPlane];
        var two = new float[one.Length];
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = 1;
            Conv2dKernel.Forward(x, w, one, g);
            Parallelism.MaxDegree = 2;
            Conv2dKernel.Forward(x, w, two, g);
        }
        finally { Parallelism.MaxDegree = saved; }
        Assert.Equal(one, two);
    }

    /// <summary>An image's input gradient is bitwise the same alone or beside others, on 1 or 2 threads, although the
    /// forward's bands depend on both (55×55 at batch 1 on 2 threads: other bands than at batch 2).</summary>
    [Fact]
    public void Input_gradient_does_not_depend_on_the_batch_or_the_threads()
    {
        var pair = Square(2, 16, 55, 24);
        var single = Square(1, 16, 55, 24);
        var w = Tensor.Randn(new Shape(24, 16, 3, 3), 5).ToArray();
        var dy = Tensor.Randn(new Shape(2, 24, 55, 55), 6).ToArray();
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = 1;
            var expected = new float[2 * 16 * 55 * 55];
            Conv2dKernel.BackwardInput(dy, w, expected, pair);
            Parallelism.MaxDegree = 2;
            Assert.NotEqual(Conv2dKernel.BandRows(pair, 2), Conv2dKernel.BandRows(single, 2));
            var both = new float[expected.Length];
            Conv2dKernel.BackwardInput(dy, w, both, pair);
            Assert.Equal(expected, both);
            for (int n = 0; n < 2; n++)
            {
                var alone = new float[16 * 55 * 55];
                Conv2dKernel.BackwardInput(dy.AsSpan(n * 24 * 55 * 55, 24 * 55 * 55).ToArray(), w, alone, single);
                Assert.Equal(expected.AsSpan(n * alone.Length, alone.Length).ToArray(), alone);
            }
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    [Fact]
    public void Channel_ranges_of_packed_columns_fill_the_whole_matrix()
    {
        var g = Square(1, 7, 13, 4);
        var x = Tensor.Randn(new Shape(7, 13, 13), 3).ToArray();
        var (depthBlock, nr) = Gemm.PanelShapeB(GemmPath.Vector512, g.ColumnRows);
        int length = g.ColumnRows * ((g.OutPlane + nr - 1) / nr * nr);
        var whole = new float[length];
        Im2Col.FillPacked(x, whole, g, 0, g.OutHeight, depthBlock, nr);
        var pieces = Enumerable.Repeat(float.NaN, length).ToArray();
        foreach (var (first, end) in new[] { (0, 3), (3, 4), (4, 7) })
            Im2Col.FillPackedChannels(x, pieces, g, 0, g.OutHeight, depthBlock, nr, first, end);
        Assert.Equal(whole, pieces);
        Assert.Throws<ArgumentOutOfRangeException>(() => Im2Col.FillPackedChannels(x, pieces, g, 0, g.OutHeight, depthBlock, nr, 5, 8));
    }
}
