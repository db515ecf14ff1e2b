using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The in-place 3×3 depthwise kernels (<see cref="DepthwiseConv3x3"/>, <see cref="DepthwiseConv3x3Stride2"/>)
/// against the naive loops on ragged planes with every padding 0…2 per side, their fused epilogue against the unfused
/// pass bitwise on edge values, and their masked loads and stores against the memory around a plane.</summary>
public class DepthwiseConv3x3Tests
{
    // widths around the 16-lane vector and MobileNet's 7/14/28 planes; heights around the 4- and 2-row blocks
    private static readonly int[] Widths = [1, 2, 5, 7, 14, 15, 16, 17, 31, 33, 40];
    private static readonly int[] Heights = [1, 2, 3, 6, 7, 9];

    public static IEnumerable<object[]> Strides() => new[] { 1, 2 }.Select(s => new object[] { s });

    private static IEnumerable<ConvGeometry> Planes(int stride, int channels)
    {
        foreach (int w in Widths)
            foreach (int h in Heights)
                for (int pads = 0; pads < 81; pads++)
                {
                    var g = new ConvGeometry(1, channels, h, w, channels, 3, 3, stride, stride, pads % 3, pads / 3 % 3, pads / 9 % 3, pads / 27, 1, 1, channels);
                    if (g.OutHeight >= 1 && g.OutWidth >= 1) yield return g;
                }
    }

    [Theory]
    [MemberData(nameof(Strides))]
    public void Forward_and_both_gradients_match_the_naive_loops_on_ragged_planes(int stride)
    {
        int cases = 0;
        foreach (var g in Planes(stride, 2))
        {
            if (!DepthwiseConv3x3.Applies(g)) return;                      // no AVX-512 here: the general paths are tested elsewhere
            MatchesNaiveLoops(g with { Batch = 2 }, cases);             // two images: the weight gradient sums over them
            cases++;
        }
        Assert.True(cases > 2000, $"only {cases} geometries ran");
    }

    [Theory]
    [MemberData(nameof(Strides))]
    public void Rows_wider_than_the_stack_mask_tables_match_the_naive_loops(int stride)
    {
        // 1100 columns: 69 stride-1 blocks of 16, 35 stride-2 blocks, so the per-block masks live on the heap
        var g = new ConvGeometry(1, 2, 5, 1100, 2, 3, 3, stride, stride, 1, 1, 1, 1, 1, 1, 2);
        if (!DepthwiseConv3x3.Applies(g)) return;
        MatchesNaiveLoops(g, 7);
    }

    // forward, input gradient and weight gradient of ConvDepthwise (every output overwritten) against ConvNaive
    internal static void MatchesNaiveLoops(in ConvGeometry g, int seed)
    {
        var x = Tensor.Randn(new Shape(g.Batch, g.InChannels, g.InHeight, g.InWidth), seed).ToArray();
        var w = Tensor.Randn(new Shape(g.InChannels, 1, 3, 3), seed + 1).ToArray();
        var dy = Tensor.Randn(new Shape(g.Batch, g.InChannels, g.OutHeight, g.OutWidth), seed + 2).ToArray();
        var yRef = new float[dy.Length];
        var dxRef = new float[x.Length];
        var dwRef = new float[w.Length];
        ConvNaive.Forward(x, w, yRef, g);
        ConvNaive.BackwardInput(dy, w, dxRef, g);
        ConvNaive.BackwardWeight(dy, x, dwRef, g);
        var y = Enumerable.Repeat(float.NaN, dy.Length).ToArray();
        var dx = Enumerable.Repeat(float.NaN, x.Length).ToArray();
        var dw = Enumerable.Repeat(float.NaN, w.Length).ToArray();
        ConvDepthwise.Forward(x, w, y, g);
        ConvDepthwise.BackwardInput(dy, w, dx, g);
        ConvDepthwise.BackwardWeight(dy, x, dw, g);
        GradCheck.Close(yRef, y, 1e-5f, 1e-5f);
        GradCheck.Close(dxRef, dx, 1e-5f, 1e-5f);
        GradCheck.Close(dwRef, dw, 1e-4f, 1e-5f);                               // summed in another order
    }

    [Fact]
    public void Weight_gradient_ignores_input_columns_that_no_output_reads()
    {
        // stride 2, no padding, 12 columns: the 5 outputs read columns 0…10; column 11 (∞ here) would reach the sum
        // only through the lanes past the output row, as 0·∞ = NaN
        var g = new ConvGeometry(1, 1, 7, 12, 1, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 1);
        if (!DepthwiseConv3x3.Applies(g)) return;
        var x = Tensor.Randn(new Shape(1, 1, 7, 12), 3).ToArray();
        for (int row = 0; row < 7; row++) x[row * 12 + 11] = float.PositiveInfinity;
        var dy = Tensor.Randn(new Shape(1, 1, g.OutHeight, g.OutWidth), 4).ToArray();
        var dwRef = new float[9];
        var dw = new float[9];
        ConvNaive.BackwardWeight(dy, x, dwRef, g);
        ConvDepthwise.BackwardWeight(dy, x, dw, g);
        Assert.All(dwRef, v => Assert.True(float.IsFinite(v)));
        GradCheck.Close(dwRef, dw, 1e-4f, 1e-5f);
    }

    [Theory]
    [MemberData(nameof(Strides))]
    public void Plane_kernels_touch_nothing_outside_their_planes(int stride)
    {
        const int Guard = 40;
        foreach (var g in Planes(stride, 1).Where((_, i) => i % 7 == 0))
        {
            if (!DepthwiseConv3x3.Applies(g)) return;
            // the planes sit inside NaN-filled memory: a read outside would turn an output NaN, a write outside a guard
            var input = Enumerable.Repeat(float.NaN, g.InPlane + 2 * Guard).ToArray();
            var output = Enumerable.Repeat(float.NaN, g.OutPlane + 2 * Guard).ToArray();
            Tensor.Randn(new Shape(g.InPlane), 5).ToArray().CopyTo(input, Guard);
            float[] filter = [0.5f, -1f, 2f, 0.25f, 1f, -0.5f, 3f, 1.5f, -2f];
            var none = new ConvEpilogue(null);
            DepthwiseConv3x3.ForwardPlane(input.AsSpan(Guard, g.InPlane), output.AsSpan(Guard, g.OutPlane), filter, g, none);
            Assert.All(output.AsSpan(Guard, g.OutPlane).ToArray(), v => Assert.False(float.IsNaN(v), $"{g}: an output read outside the input"));
            Assert.All(output[..Guard].Concat(output[(Guard + g.OutPlane)..]), v => Assert.True(float.IsNaN(v), $"{g}: a store outside the output"));
            if (stride == 1) continue;
            // the input gradient: dy inside NaNs, dx inside NaN guards
            var dy = Enumerable.Repeat(float.NaN, g.OutPlane + 2 * Guard).ToArray();
            Tensor.Randn(new Shape(g.OutPlane), 6).ToArray().CopyTo(dy, Guard);
            var dx = Enumerable.Repeat(float.NaN, g.InPlane + 2 * Guard).ToArray();
            DepthwiseConv3x3Stride2.InputGradientPlane(dy.AsSpan(Guard, g.OutPlane), dx.AsSpan(Guard, g.InPlane), filter, g);
            Assert.All(dx.AsSpan(Guard, g.InPlane).ToArray(), v => Assert.False(float.IsNaN(v), $"{g}: a gradient read outside dy"));
            Assert.All(dx[..Guard].Concat(dx[(Guard + g.InPlane)..]), v => Assert.True(float.IsNaN(v), $"{g}: a gradient store outside dx"));
        }
    }

    [Theory]
    [MemberData(nameof(Strides))]
    public void Fused_epilogue_equals_the_unfused_pass_bitwise_on_edge_values(int stride)
    {
        float[] edges = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, -1e-30f, 1e-30f, 5.999f, 6f, 6.001f, -3f, 0.25f, 0.3f];
        ConvActivation[] activations = [new(ConvActivationKind.None), ConvActivation.Clamp(0f, 6f), ConvActivation.Clamp(null, 0.25f), ConvActivation.Leaky(0.1f)];
        // sparse inputs (mostly ±0) so that some outputs are exact signed zeros, a few NaN and ±∞ ones
        var g = new ConvGeometry(2, 3, 9, 21, 3, 3, 3, stride, stride, 1, 1, 1, 1, 1, 1, 3);
        var x = new float[2 * 3 * g.InPlane];
        for (int i = 0; i < x.Length; i++) x[i] = i % 11 == 0 ? edges[i / 11 % edges.Length] : (i % 2 == 0 ? -0f : 0f);
        float[] w = [1f, -0f, 2f, 0f, -1f, 0.5f, -0f, 3f, 1f, 0f, 0f, 0f, -0f, -0f, -0f, 0f, 0f, 0f, 0.5f, -2f, 1f, 0f, 1f, 0f, -1f, 0f, 0.25f];
        foreach (var bias in new[] { null, new[] { 0f, -0f, 1.5f } })
            foreach (var activation in activations)
            {
                var epilogue = new ConvEpilogue(bias, activation);
                var fused = new float[2 * 3 * g.OutPlane];
                var unfused = new float[fused.Length];
                ConvDepthwise.Forward(x, w, fused, g, epilogue);
                ConvDepthwise.Forward(x, w, unfused, g);
                for (int p = 0; p < 6; p++) epilogue.Apply(unfused.AsSpan(p * g.OutPlane, g.OutPlane), p % 3);
                for (int i = 0; i < fused.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(unfused[i]) == BitConverter.SingleToInt32Bits(fused[i]),
                        $"{activation}, bias {bias is not null}, element {i}: fused {fused[i]} vs unfused {unfused[i]}");
            }
    }

    [Fact]
    public void Channel_lanes_equal_the_row_epilogue_bitwise()
    {
        float[] edges = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, -1e-30f, 1e-30f, 5.999f, 6f, 6.001f, -3f, 0.25f, 0.3f, -7f, 2f, 1f];
        var values = System.Runtime.Intrinsics.Vector512.Create(edges);
        foreach (var activation in new[] { new ConvActivation(ConvActivationKind.None), ConvActivation.Clamp(0f, 6f), ConvActivation.Clamp(-1f, null), ConvActivation.Leaky(0.2f) })
            foreach (var bias in new[] { null, new[] { -0f, 1.5f } })
            {
                var epilogue = new ConvEpilogue(bias, activation).From(bias is null ? 0 : 1);
                var lanes = epilogue.Lanes(0);
                var all = System.Runtime.Intrinsics.Vector512<float>.AllBitsSet;
                var got = activation.Kind switch
                {
                    ConvActivationKind.Clamp => lanes.Apply<ConvEpilogue.ClampOperation>(values, all),
                    ConvActivationKind.Leaky => lanes.Apply<ConvEpilogue.LeakyOperation>(values, all),
                    _ => lanes.Apply<ConvEpilogue.BiasOnly>(values, all),
                };
                var want = (float[])edges.Clone();
                epilogue.Apply(want, 0);
                for (int i = 0; i < 16; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(want[i]) == BitConverter.SingleToInt32Bits(got[i]), $"{activation}, lane {i}: {got[i]} vs {want[i]}");
                if (activation.Kind != ConvActivationKind.Clamp) continue;
                var ties = new ClampTies(2);
                var watched = new ConvEpilogue(bias, activation, ties).From(bias is null ? 0 : 1).Lanes(0).Apply<ConvEpilogue.WatchedClampOperation>(values, all);
                Assert.Equal(got, watched);
                Assert.Equal(edges.Any(e => (bias is null ? e : e + bias[1]) is var u && (u == activation.Min || u == activation.Max)), ties.Seen);
            }
    }

    [Fact]
    public void Watched_lanes_report_ties_only_in_the_lanes_that_are_stored()
    {
        var values = System.Runtime.Intrinsics.Vector512.Create([1f, 2f, 3f, 0f, 5f, 6f, 7f, 8f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f]);
        var ties = new ClampTies(2);
        var lanes = new ConvEpilogue(null, ConvActivation.Clamp(0f, 10f), ties).Lanes(0);
        lanes.Apply<ConvEpilogue.WatchedClampOperation>(values, DepthwiseConv3x3.Inside(0, 3));        // lanes 0–2: 1, 2, 3
        Assert.False(ties.Seen);
        lanes.Apply<ConvEpilogue.WatchedClampOperation>(values, DepthwiseConv3x3.Inside(0, 4));        // lane 3: 0
        Assert.True(ties.Seen);
    }
}
