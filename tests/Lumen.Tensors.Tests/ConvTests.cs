using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>Conv2d, Conv1d and ConvTranspose2d as autograd ops: values, finite-difference gradients, errors.</summary>
public class ConvTests
{
    // N, C, H, W, O, kh, kw, sh, sw, top, left, bottom, right, dh, dw, groups
    public static IEnumerable<object[]> Cases() => new int[][]
    {
        [1, 2, 5, 6, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        [2, 3, 7, 5, 2, 2, 3, 2, 1, 0, 1, 1, 0, 1, 1, 1],
        [1, 4, 8, 7, 6, 3, 3, 3, 2, 1, 2, 0, 1, 2, 1, 2],
        [1, 3, 6, 7, 3, 3, 3, 1, 2, 1, 1, 1, 1, 1, 2, 3],   // depthwise
        [2, 4, 5, 5, 4, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 4],   // depthwise 5×5
        [2, 4, 4, 3, 2, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2],   // pointwise, grouped
        [1, 2, 9, 4, 2, 4, 1, 2, 1, 3, 0, 1, 0, 1, 1, 1],
    }.Select(a => new object[] { a });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conv2d_gradients_match_finite_differences(int[] a)
    {
        var x = Tensor.Randn(new Shape(a[0], a[1], a[2], a[3]), 1);
        var w = Tensor.Randn(new Shape(a[4], a[1] / a[15], a[5], a[6]), 2);
        var b = Tensor.Randn(new Shape(a[4]), 3);
        GradCheck.Assert(t => t[0].Conv2d(t[1], t[2], (a[7], a[8]), (a[9], a[10], a[11], a[12]), (a[13], a[14]), a[15]), [x, w, b]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ConvTranspose2d_is_the_adjoint_of_Conv2d_and_its_gradients_match(int[] a)
    {
        // Conv2d maps u [N, C, H, W] to v [N, O, OH, OW]; ConvTranspose2d with the same weight maps back.
        var u = Tensor.Randn(new Shape(a[0], a[1], a[2], a[3]), 4);
        var w = Tensor.Randn(new Shape(a[4], a[1] / a[15], a[5], a[6]), 5);
        var v = u.Conv2d(w, null, (a[7], a[8]), (a[9], a[10], a[11], a[12]), (a[13], a[14]), a[15]);
        int extraH = (a[2] + a[9] + a[11] - a[13] * (a[5] - 1) - 1) % a[7];
        int extraW = (a[3] + a[10] + a[12] - a[14] * (a[6] - 1) - 1) % a[8];
        var y = Tensor.Randn(v.Shape, 6);
        var back = y.ConvTranspose2d(w, null, (a[7], a[8]), (a[9], a[10], a[11], a[12]), (extraH, extraW), (a[13], a[14]), a[15]);
        Assert.Equal(u.Shape, back.Shape);
        double lhs = Dot(v, y), rhs = Dot(u, back);
        Assert.True(Math.Abs(lhs - rhs) <= 1e-3 * (1 + Math.Abs(lhs)), $"<conv(u), y> = {lhs} but <u, convT(y)> = {rhs}");
        var bias = Tensor.Randn(new Shape(a[1]), 7);
        GradCheck.Assert(t => t[0].ConvTranspose2d(t[1], t[2], (a[7], a[8]), (a[9], a[10], a[11], a[12]), (extraH, extraW), (a[13], a[14]), a[15]), [y, w, bias]);
    }

    [Fact]
    public void ConvTranspose2d_matches_the_scatter_definition()
    {
        // 1 channel, 2×2 input, 2×2 ones kernel, stride 2: every input value fills its own 2×2 block.
        var x = Tensor.FromArray([1f, 2, 3, 4], 1, 1, 2, 2);
        var y = x.ConvTranspose2d(Tensor.Ones(1, 1, 2, 2), Tensor.FromArray([0.5f], 1), stride: 2);
        Assert.Equal(new Shape(1, 1, 4, 4), y.Shape);
        Assert.Equal(new float[] { 1.5f, 1.5f, 2.5f, 2.5f, 1.5f, 1.5f, 2.5f, 2.5f, 3.5f, 3.5f, 4.5f, 4.5f, 3.5f, 3.5f, 4.5f, 4.5f }, y.ToArray());
        // stride 2, padding 1, output padding 1 on a 3×3 kernel doubles the size
        var up = Tensor.Randn(new Shape(2, 3, 5, 4), 1).ConvTranspose2d(Tensor.Randn(new Shape(3, 2, 3, 3), 2), stride: 2, padding: 1, outputPadding: 1);
        Assert.Equal(new Shape(2, 2, 10, 8), up.Shape);
    }

    [Fact]
    public void Conv2d_adds_bias_and_matches_naive_oracle()
    {
        var x = Tensor.Randn(new Shape(2, 4, 9, 8), 1);
        var w = Tensor.Randn(new Shape(6, 2, 3, 3), 2);
        var b = Tensor.FromArray([1f, -2, 3, 0.5f, 0, 7], 6);
        var y = x.Conv2d(w, b, (2, 1), (1, 0, 2, 1), (1, 2), 2);
        var g = new ConvGeometry(2, 4, 9, 8, 6, 3, 3, 2, 1, 1, 0, 2, 1, 1, 2, 2);
        var expected = new float[y.Size];
        ConvNaive.Forward(x.ToArray(), w.ToArray(), expected, g);
        int plane = g.OutPlane;
        for (int i = 0; i < expected.Length; i++) expected[i] += b.ToArray()[i / plane % 6];
        Assert.Equal(new Shape(2, 6, g.OutHeight, g.OutWidth), y.Shape);
        GradCheck.Close(expected, y.ToArray(), 1e-4f, 1e-4f);
    }

    [Fact]
    public void Input_gradient_only_skips_the_weight_gradient_and_matches_full_backward()
    {
        var x = Tensor.Randn(new Shape(1, 3, 6, 6), 1).RequireGrad();
        var w = Tensor.Randn(new Shape(4, 3, 3, 3), 2).RequireGrad();
        var y = x.Conv2d(w, padding: 1);
        var dxOnly = Gradients.Of(y.Sum(), [x]);
        var both = Gradients.Of(y.Sum(), [x, w]);
        GradCheck.Close(both[0].ToArray(), dxOnly[0].ToArray());
    }

    [Fact]
    public void Second_order_input_gradient_flows_through_the_transposed_convolution()
    {
        // L = Σ (∂Σ(conv(x, w)²)/∂x) is a function of x whose gradient needs the backward pass to be recorded.
        var w = Tensor.Randn(new Shape(2, 2, 3, 3), 2);
        GradCheck.Assert(t =>
        {
            using var recording = GradMode.On(); // the finite-difference evaluations run with recording off
            var y = t[0].Conv2d(w, padding: 1);
            var dx = Gradients.Of([(y * y).Sum()], [t[0]], createGraph: true)[0];
            return dx;
        }, [Tensor.Randn(new Shape(1, 2, 4, 5), 3)]);
    }

    [Fact]
    public void Conv1d_matches_Conv2d_with_height_one_and_has_gradients()
    {
        var x = Tensor.Randn(new Shape(2, 4, 11), 1);
        var w = Tensor.Randn(new Shape(6, 2, 3), 2);
        var b = Tensor.Randn(new Shape(6), 3);
        var y = x.Conv1d(w, b, stride: 2, padding: (2, 1), dilation: 2, groups: 2);
        var y2 = x.Reshape(2, 4, 1, 11).Conv2d(w.Reshape(6, 2, 1, 3), b, (1, 2), (0, 2, 0, 1), (1, 2), 2);
        Assert.Equal(new Shape(2, 6, 5), y.Shape);
        GradCheck.Close(y2.ToArray(), y.ToArray());
        GradCheck.Assert(t => t[0].Conv1d(t[1], t[2], stride: 2, padding: (2, 1), dilation: 2, groups: 2), [x, w, b]);
    }

    [Fact]
    public void Conv2d_rejects_bad_operands_naming_the_shapes()
    {
        var x = Tensor.Zeros(1, 3, 8, 8);
        var ex = Assert.Throws<ArgumentException>(() => x.Conv2d(Tensor.Zeros(4, 2, 3, 3)));
        Assert.Equal("Conv2d: input [1, 3, 8, 8] has 3 channels but weight [4, 2, 3, 3] expects 2 (groups 1).", ex.Message);
        Assert.Contains("[N, C, H, W]", Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 8, 8).Conv2d(Tensor.Zeros(4, 3, 3, 3))).Message);
        Assert.Contains("[O, C/groups, kh, kw]", Assert.Throws<ArgumentException>(() => x.Conv2d(Tensor.Zeros(4, 3, 3))).Message);
        Assert.Contains("bias [5]", Assert.Throws<ArgumentException>(() => x.Conv2d(Tensor.Zeros(4, 3, 3, 3), Tensor.Zeros(5))).Message);
        Assert.Contains("groups 2 does not divide", Assert.Throws<ArgumentException>(() => x.Conv2d(Tensor.Zeros(4, 1, 3, 3), groups: 2)).Message);
        Assert.Contains("groups 3 does not divide", Assert.Throws<ArgumentException>(() => x.Conv2d(Tensor.Zeros(4, 1, 3, 3), groups: 3)).Message);
        Assert.Contains("smaller than the kernel", Assert.Throws<ArgumentException>(() => x.Conv2d(Tensor.Zeros(4, 3, 5, 5), dilation: 2)).Message);
        Assert.Contains("empty kernel", Assert.Throws<ArgumentException>(() => x.Conv2d(Tensor.Zeros(4, 3, 0, 3))).Message);
        Assert.Contains("stride", Assert.Throws<ArgumentOutOfRangeException>(() => x.Conv2d(Tensor.Zeros(4, 3, 3, 3), stride: 0)).Message);
        Assert.Contains("dilation", Assert.Throws<ArgumentOutOfRangeException>(() => x.Conv2d(Tensor.Zeros(4, 3, 3, 3), dilation: 0)).Message);
        Assert.Contains("padding", Assert.Throws<ArgumentOutOfRangeException>(() => x.Conv2d(Tensor.Zeros(4, 3, 3, 3), padding: -1)).Message);
        Assert.Contains("groups 0", Assert.Throws<ArgumentOutOfRangeException>(() => x.Conv2d(Tensor.Zeros(4, 3, 3, 3), groups: 0)).Message);
        Assert.Contains("Float32", Assert.Throws<ArgumentException>(() => Tensor.FromArray(new long[192], 1, 3, 8, 8).Conv2d(Tensor.Zeros(4, 3, 3, 3))).Message);
        Assert.Contains("[N, C, L]", Assert.Throws<ArgumentException>(() => x.Conv1d(Tensor.Zeros(4, 3, 3))).Message);
        Assert.Contains("[O, C/groups, k]", Assert.Throws<ArgumentException>(() => Tensor.Zeros(1, 3, 8).Conv1d(Tensor.Zeros(4, 3, 3, 3))).Message);
    }

    [Fact]
    public void ConvTranspose2d_rejects_bad_operands_naming_the_shapes()
    {
        var x = Tensor.Zeros(1, 3, 4, 4);
        Assert.Equal("ConvTranspose2d: input [1, 3, 4, 4] has 3 channels but weight [2, 2, 3, 3] expects 2 (groups 1).",
            Assert.Throws<ArgumentException>(() => x.ConvTranspose2d(Tensor.Zeros(2, 2, 3, 3))).Message);
        Assert.Contains("outputPadding", Assert.Throws<ArgumentOutOfRangeException>(() => x.ConvTranspose2d(Tensor.Zeros(3, 2, 3, 3), stride: 2, outputPadding: 2)).Message);
        Assert.Contains("bias [3]", Assert.Throws<ArgumentException>(() => x.ConvTranspose2d(Tensor.Zeros(3, 2, 3, 3), Tensor.Zeros(3))).Message);
        Assert.Contains("empty output", Assert.Throws<ArgumentException>(() => Tensor.Zeros(1, 3, 1, 1).ConvTranspose2d(Tensor.Zeros(3, 2, 1, 1), padding: 1)).Message);
        Assert.Contains("[C, O/groups, kh, kw]", Assert.Throws<ArgumentException>(() => x.ConvTranspose2d(Tensor.Zeros(3, 2, 3))).Message);
    }

    [Fact]
    public void Empty_batch_gives_empty_outputs_and_gradients()
    {
        var x = Tensor.Zeros(0, 4, 6, 5).RequireGrad();
        var w = Tensor.Randn(new Shape(6, 2, 3, 3), 1).RequireGrad();
        var y = x.Conv2d(w, null, stride: 2, padding: 1, groups: 2);
        Assert.Equal(new Shape(0, 6, 3, 3), y.Shape);
        var grads = Gradients.Of(y.Sum(), [x, w]);
        Assert.Equal(x.Shape, grads[0].Shape);
        Assert.All(grads[1].ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(new Shape(0, 4, 3, 2), x.MaxPool2d(2).Shape);
        Assert.Equal(new Shape(0, 4, 3, 2), x.AvgPool2d(2).Shape);
        Assert.Equal(new Shape(0, 4, 12, 10), x.Resize(12, 10).Shape);
        Assert.Equal(new Shape(0, 2, 7, 7), y.ConvTranspose2d(Tensor.Zeros(6, 1, 3, 3), stride: 2, groups: 2).Shape);
    }

    private static double Dot(Tensor a, Tensor b)
    {
        double s = 0;
        var x = a.AsReadOnlySpan(); var y = b.AsReadOnlySpan();
        for (int i = 0; i < x.Length; i++) s += (double)x[i] * y[i];
        return s;
    }
}
