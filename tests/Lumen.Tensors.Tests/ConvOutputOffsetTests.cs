using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary><see cref="Conv2dKernel.ForwardAt"/> writes the convolution's output where a <see cref="ConvPlacement"/>
/// says, on every path of the dispatch (Winograd and the GEMMs in place, the others through a scratch copy): each
/// image bitwise what <see cref="Conv2dKernel.Forward"/> writes densely, the floats around and between the images
/// untouched.</summary>
public class ConvOutputOffsetTests
{
    private static readonly Dictionary<string, ConvGeometry> Paths = new()
    {
        // batch, in channels, H, W, out channels, kh, kw, stride h/w, pads t/l/b/r, dilation h/w, groups
        ["Winograd F(4,3)"] = new ConvGeometry(1, 16, 20, 20, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
        ["Winograd F(2,3) small plane"] = new ConvGeometry(1, 16, 7, 7, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
        ["Winograd two images"] = new ConvGeometry(2, 8, 12, 12, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
        ["band GEMM (im2col)"] = new ConvGeometry(1, 5, 9, 9, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),
        ["band GEMM (pointwise)"] = new ConvGeometry(1, 20, 15, 15, 24, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1),
        ["grouped GEMM"] = new ConvGeometry(1, 8, 10, 10, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2),
        ["direct (scratch)"] = new ConvGeometry(1, 3, 17, 17, 8, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 1),
        ["depthwise (scratch)"] = new ConvGeometry(1, 8, 11, 11, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8),
        ["16-channel pointwise"] = new ConvGeometry(1, 32, 20, 20, 16, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1),
        ["pointwise GEMM over the batch"] = new ConvGeometry(3, 12, 7, 7, 10, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1),
        ["band GEMM, three images"] = new ConvGeometry(3, 5, 9, 9, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),
        ["direct, two images (scratch)"] = new ConvGeometry(2, 3, 17, 17, 8, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 1),
    };

    public static TheoryData<string> Names => [.. Paths.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_image_is_bitwise_the_dense_output_at_its_place_and_nothing_else_is_written(string path)
    {
        var g = Paths[path];
        var random = new Random(path.Length);
        var x = Values(random, g.Batch * g.InChannels * g.InPlane);
        var w = Values(random, g.OutChannels * g.InPerGroup * g.KernelHeight * g.KernelWidth);
        var epilogue = new ConvEpilogue(Values(random, g.OutChannels), ConvActivation.Clamp(0f, null));
        int image = g.OutChannels * g.OutPlane;
        var expected = new float[g.Batch * image];
        Conv2dKernel.Forward(x, w, expected, g, epilogue);

        var place = new ConvPlacement(37, image + 13);                 // 13 floats between the images
        var y = new float[37 + (g.Batch - 1) * (image + 13) + image + 11];
        Array.Fill(y, 1234.5f);
        Conv2dKernel.ForwardAt(x, w, y, place, g, epilogue);

        var written = new bool[y.Length];
        for (int n = 0; n < g.Batch; n++)
        {
            int at = (int)place.ImageStart(g, n);
            Assert.Equal(expected.AsSpan(n * image, image).ToArray().Select(BitConverter.SingleToInt32Bits), y[at..(at + image)].Select(BitConverter.SingleToInt32Bits));
            written.AsSpan(at, image).Fill(true);
        }
        for (int i = 0; i < y.Length; i++)
            if (!written[i]) Assert.Equal(1234.5f, y[i]);
    }

    [Fact]
    public void A_placement_that_does_not_fit_or_a_residual_is_refused()
    {
        var g = new ConvGeometry(2, 8, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var x = new float[2 * 8 * 36];
        var w = new float[8 * 8 * 9];
        int image = 8 * 36;
        var e = Assert.Throws<ArgumentException>(() => Conv2dKernel.ForwardAt(x, w, new float[2 * image + 3], new ConvPlacement(4, image), g, default));
        Assert.Contains("from offset 4", e.Message);
        Assert.Throws<ArgumentException>(() => Conv2dKernel.ForwardAt(x, w, new float[4 * image], new ConvPlacement(-1, image), g, default));
        Assert.Throws<ArgumentException>(() => Conv2dKernel.ForwardAt(x, w, new float[4 * image], new ConvPlacement(0, image - 1), g, default));   // images overlap
        Assert.Throws<ArgumentException>(() => Conv2dKernel.ForwardAt(x, w, new float[4 * image], new ConvPlacement(8, image), g, new ConvEpilogue(null).WithResidual(8)));
    }

    [Fact]
    public void A_batch_of_planes_whose_image_stride_overlaps_or_overruns_C_is_refused()
    {
        int m = 4, k = 3, batch = 2, plane = 5;
        var a = new float[m * k];
        var b = new float[batch * k * plane];
        var e = Assert.Throws<ArgumentException>(() => Gemm.MultiplyPlanes(a, null, b, new float[4 * m * plane], m, k, batch, plane, 1, GemmPath.Auto, default, m * plane - 1));
        Assert.Contains("do not fit", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.MultiplyPlanes(a, null, b, new float[m * plane + m * plane + 2], m, k, batch, plane, 1, GemmPath.Auto, default, m * plane + 3));
        Assert.Contains("do not fit", e.Message);
    }

    private static float[] Values(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
