using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary><see cref="Conv2dKernel.ForwardAt"/> writes the convolution's output from an offset on, on every path of the
/// dispatch (Winograd and the GEMMs in place, the others through a scratch copy): bitwise what
/// <see cref="Conv2dKernel.Forward"/> writes from 0, with the floats around it untouched.</summary>
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
        ["pointwise over the batch (scratch)"] = new ConvGeometry(3, 12, 7, 7, 10, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1),
    };

    public static TheoryData<string> Names => [.. Paths.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void The_output_at_an_offset_is_bitwise_the_output_at_zero_and_nothing_else_is_written(string path)
    {
        var g = Paths[path];
        var random = new Random(path.Length);
        var x = Values(random, g.Batch * g.InChannels * g.InPlane);
        var w = Values(random, g.OutChannels * g.InPerGroup * g.KernelHeight * g.KernelWidth);
        var epilogue = new ConvEpilogue(Values(random, g.OutChannels), ConvActivation.Clamp(0f, null));
        int size = g.Batch * g.OutChannels * g.OutPlane, offset = 37, after = 11;
        var expected = new float[size];
        Conv2dKernel.Forward(x, w, expected, g, epilogue);

        var y = new float[offset + size + after];
        Array.Fill(y, 1234.5f);
        Conv2dKernel.ForwardAt(x, w, y, offset, g, epilogue);

        Assert.All(y[..offset], v => Assert.Equal(1234.5f, v));
        Assert.All(y[(offset + size)..], v => Assert.Equal(1234.5f, v));
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), y[offset..(offset + size)].Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void An_output_that_does_not_fit_after_the_offset_or_a_residual_is_refused()
    {
        var g = new ConvGeometry(1, 8, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var x = new float[8 * 36];
        var w = new float[8 * 8 * 9];
        var e = Assert.Throws<ArgumentException>(() => Conv2dKernel.ForwardAt(x, w, new float[8 * 36 + 3], 4, g, default));
        Assert.Contains("offset 4", e.Message);
        Assert.Throws<ArgumentException>(() => Conv2dKernel.ForwardAt(x, w, new float[8 * 36 + 3], -1, g, default));
        Assert.Throws<ArgumentException>(() => Conv2dKernel.ForwardAt(x, w, new float[3 * 8 * 36], 8 * 36, g, new ConvEpilogue(null).WithResidual(8)));
    }

    private static float[] Values(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
