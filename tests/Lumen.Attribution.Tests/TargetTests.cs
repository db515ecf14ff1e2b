using Lumen.Tensors;

namespace Lumen.Attribution.Tests;

public class TargetTests
{
    [Fact]
    public void Tiled_repeats_per_sample_classes_for_stacked_copies_of_a_batch()
    {
        // two samples, three copies stacked: rows 0..5 are samples 0, 1, 0, 1, 0, 1 with logits 10·row + class
        var output = Tensor.FromArray([.. Enumerable.Range(0, 6 * 3).Select(i => (float)(10 * (i / 3) + i % 3))], 6, 3);
        Assert.Equal([2f, 11, 22, 31, 42, 51], Target.Classes([2, 1]).Tiled(2, 3).Select(output).ToArray());
        Assert.Equal([1f, 11, 21, 31, 41, 51], Target.Class(1).Tiled(2, 3).Select(output).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Target.Class(1).Tiled(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Target.Class(1).Tiled(2, 0));
    }
}
