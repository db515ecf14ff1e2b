using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>Convolution weights packed once per model (<see cref="PackedWeights"/>): only for read-only weights,
/// bitwise the results of packing per call (forward and input gradient, every GEMM path of the convolution),
/// invalidated by <see cref="Tensor.MakeWritable"/>, safe when threads race to pack, bounded.</summary>
public class PackedWeightsTests
{
    // batch, in, out, kernel, stride, padding, groups, size: im2col bands (3×3), grouped, pointwise per image,
    // pointwise over the batch (small planes), a plane wide enough for several bands and column blocks, a deep
    // single image of a small plane (on one thread the transposed product, its weights the packed B operand)
    public static TheoryData<int, int, int, int, int, int, int, int> Convolutions() => new()
    {
        { 1, 330, 40, 1, 1, 0, 1, 7 },
        { 1, 16, 24, 3, 1, 1, 1, 20 },
        { 2, 12, 18, 3, 2, 1, 3, 15 },
        { 1, 40, 30, 1, 1, 0, 1, 14 },
        { 3, 40, 30, 1, 1, 0, 1, 7 },
        { 1, 8, 20, 3, 1, 1, 1, 56 },
    };

    [Theory]
    [MemberData(nameof(Convolutions))]
    public void Read_only_weights_give_bitwise_the_results_of_packing_per_call(int batch, int channels, int outputs, int kernel, int stride, int padding, int groups, int size)
    {
        var x = Tensor.Randn(new Shape(batch, channels, size, size), 1);
        var writable = Tensor.Randn(new Shape(outputs, channels / groups, kernel, kernel), 2);
        var bias = Tensor.Randn(new Shape(outputs), 3);
        var frozen = writable.Clone().MakeReadOnly();
        int saved = Parallelism.MaxDegree;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.MaxDegree = threads;
                var (expected, expectedGrad) = ForwardAndInputGradient(x, writable, bias, stride, padding, groups);
                for (int call = 0; call < 2; call++)             // the first call packs and keeps, the second reuses
                {
                    var (actual, actualGrad) = ForwardAndInputGradient(x, frozen, bias, stride, padding, groups);
                    Assert.Equal(expected, actual);
                    Assert.Equal(expectedGrad, actualGrad);
                }
            }
        }
        finally { Parallelism.MaxDegree = saved; }
        Assert.NotNull(PackedWeights.Get(frozen.Floats, groups, outputs / groups, channels / groups * kernel * kernel, transposed: false));
    }

    [Fact]
    public void The_transposed_pointwise_product_keeps_the_weights_as_its_packed_B_operand()
    {
        var g = new ConvGeometry(1, 330, 7, 7, 40, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        Assert.True(ConvPointwiseForward.Transposes(g, 1));
        var x = Tensor.Randn(new Shape(1, 330, 7, 7), 11);
        var writable = Tensor.Randn(new Shape(40, 330, 1, 1), 12);
        var frozen = writable.Clone().MakeReadOnly();
        Assert.Null(PackedWeights.GetB(writable.Floats, 40, 330));
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = 1;
            var expected = x.Conv2d(writable).ToArray();
            Assert.Equal(expected, x.Conv2d(frozen).ToArray());
            var kept = PackedWeights.GetB(frozen.Floats, 40, 330);
            Assert.NotNull(kept);
            Assert.Equal(expected, x.Conv2d(frozen).ToArray());
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    [Fact]
    public void Writable_weights_are_never_kept()
    {
        var w = Tensor.Randn(new Shape(24, 16, 3, 3), 4);
        var x = Tensor.Randn(new Shape(2, 16, 20, 20), 5);
        var before = x.Conv2d(w, padding: 1).ToArray();
        Assert.Null(PackedWeights.Get(w.Floats, 1, 24, 144, transposed: false));
        w.AsSpan()[0] += 1f;                                    // a write between calls is seen by the next call
        var after = x.Conv2d(w, padding: 1).ToArray();
        w.AsSpan()[0] -= 1f;
        Assert.NotEqual(before, after);
        Assert.Equal(before, x.Conv2d(w, padding: 1).ToArray());
    }

    [Fact]
    public void Making_weights_writable_drops_their_packing_so_new_values_are_used()
    {
        // stride 2: the im2col path, whose packing is kept (a 3×3 stride-1 convolution would run as Winograd)
        var w = Tensor.Randn(new Shape(24, 16, 3, 3), 6).MakeReadOnly();
        var x = Tensor.Randn(new Shape(1, 16, 20, 20), 7);
        var first = x.Conv2d(w, stride: 2, padding: 1).ToArray();
        var kept = PackedWeights.Get(w.Floats, 1, 24, 144, transposed: false);
        Assert.NotNull(kept);
        Assert.Same(kept, PackedWeights.Get(w.Floats, 1, 24, 144, transposed: false));
        w.MakeWritable();
        Assert.Null(PackedWeights.Get(w.Floats, 1, 24, 144, transposed: false));
        w.AsSpan().Fill(0.5f);
        w.MakeReadOnly();
        var changed = x.Conv2d(w, stride: 2, padding: 1).ToArray();
        Assert.NotSame(kept, PackedWeights.Get(w.Floats, 1, 24, 144, transposed: false));
        Assert.NotEqual(first, changed);
        Assert.Equal(x.Conv2d(w.Clone(), stride: 2, padding: 1).ToArray(), changed);   // not the stale packing
    }

    [Fact]
    public void Threads_racing_to_pack_the_same_weights_get_the_same_results()
    {
        var x = Tensor.Randn(new Shape(1, 32, 28, 28), 8);
        for (int round = 0; round < 8; round++)
        {
            var writable = Tensor.Randn(new Shape(48, 32, 3, 3), 100 + round);
            var expected = x.Conv2d(writable, padding: 1).ToArray();
            var frozen = writable.Clone().MakeReadOnly();        // nothing packed yet: both threads miss at once
            using var start = new Barrier(2);
            var results = new float[2][];
            var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                for (int call = 0; call < 3; call++) results[i] = x.Conv2d(frozen, padding: 1).ToArray();
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.Equal(expected, results[0]);
            Assert.Equal(expected, results[1]);
        }
    }

    [Fact]
    public void Past_the_bound_weights_are_packed_per_call_with_the_same_results()
    {
        var writable = Tensor.Randn(new Shape(24, 16, 3, 3), 9);
        var x = Tensor.Randn(new Shape(1, 16, 20, 20), 10);
        var expected = x.Conv2d(writable, padding: 1).ToArray();
        var frozen = writable.Clone().MakeReadOnly();
        long bound = PackedWeights.MaxBytes;
        try
        {
            PackedWeights.MaxBytes = 0;                          // no room for any packing
            Assert.Equal(expected, x.Conv2d(frozen, padding: 1).ToArray());
            Assert.Null(PackedWeights.Get(frozen.Floats, 1, 24, 144, transposed: false));
        }
        finally { PackedWeights.MaxBytes = bound; }
        Assert.NotNull(PackedWeights.Get(frozen.Floats, 1, 24, 144, transposed: false));   // kept once there is room
        Assert.Equal(expected, x.Conv2d(frozen, padding: 1).ToArray());
    }

    private static (float[] Output, float[] InputGradient) ForwardAndInputGradient(Tensor x, Tensor w, Tensor bias, int stride, int padding, int groups)
    {
        var input = x.Detach().RequireGrad();
        var y = input.Conv2d(w, bias, stride, padding, groups: groups);
        var grad = Autograd.Gradients.Of((y * y).Sum(), input);
        return (y.ToArray(), grad.ToArray());
    }
}
