namespace Lumen.Tensors.Tests;

/// <summary>Read-only storage (<see cref="Tensor.MakeReadOnly"/>): writers fail loudly, naming the tensor and the way
/// out, for every tensor sharing the array; readers keep working; <see cref="Tensor.MakeWritable"/> undoes it.</summary>
public class ReadOnlyTensorTests
{
    [Fact]
    public void AsSpan_of_a_read_only_tensor_throws_naming_it_and_how_to_make_it_writable()
    {
        var t = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        t.Name = "conv1.weight";
        Assert.False(t.IsReadOnly);
        Assert.Same(t, t.MakeReadOnly());
        Assert.True(t.IsReadOnly);
        var error = Assert.Throws<InvalidOperationException>(() => t.AsSpan());
        Assert.Contains("'conv1.weight'", error.Message);
        Assert.Contains("[2, 3]", error.Message);
        Assert.Contains("AsReadOnlySpan()", error.Message);
        Assert.Contains("MakeWritable()", error.Message);
        Assert.Equal([1f, 2, 3, 4, 5, 6], t.AsReadOnlySpan().ToArray());
        Assert.Equal([1f, 2, 3, 4, 5, 6], t.ToArray());
        Assert.Equal(21f, t.Sum().Item());                      // ops read it as before
    }

    [Fact]
    public void Views_and_detached_copies_share_the_read_only_state_both_ways()
    {
        var t = Tensor.Randn(new Shape(4, 6), 3);
        var view = t.Reshape(2, 12);
        var detached = t.Detach();
        t.MakeReadOnly();
        Assert.True(view.IsReadOnly);
        Assert.True(detached.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => view.AsSpan());
        Assert.Throws<InvalidOperationException>(() => detached.Reshape(24).AsSpan());
        view.MakeWritable();                                     // through any of them, for all of them
        Assert.False(t.IsReadOnly);
        t.AsSpan()[0] = 7f;
        Assert.Equal(7f, detached.AsReadOnlySpan()[0]);
        var copy = t.MakeReadOnly().Clone();                     // a copy has storage of its own
        Assert.False(copy.IsReadOnly);
        copy.AsSpan()[1] = 1f;
    }

    [Fact]
    public void In_place_addition_into_a_read_only_tensor_throws_and_leaves_it_unchanged()
    {
        var t = Tensor.Ones(new Shape(3)).MakeReadOnly();
        Assert.Throws<InvalidOperationException>(() => t.AddInPlace(Tensor.Ones(new Shape(3))));
        Assert.Equal([1f, 1, 1], t.ToArray());
        var sum = Tensor.Ones(new Shape(3)).AddInPlace(t);       // reading it is fine
        Assert.Equal([2f, 2, 2], sum.ToArray());
    }

    [Fact]
    public void A_storage_pool_never_takes_back_storage_made_read_only()
    {
        var pool = new StoragePool();
        var x = Tensor.Randn(new Shape(64), 5);
        using var scope = pool.Enter();
        var kept = (x + x).MakeReadOnly();
        var other = x + x;
        Assert.False(scope.Recycle(kept));
        Assert.True(scope.Recycle(other));                       // an op output of the scope: taken back
        var third = (x * x).MakeReadOnly();
        _ = x - x;
        Assert.Equal(1, scope.RecycleAll());
        Assert.Equal(x.ToArray().Select(v => v + v), kept.ToArray());
        Assert.True(third.IsReadOnly);
    }

    [Fact]
    public void Only_float_tensors_can_be_read_only_and_other_tensors_are_unaffected()
    {
        var indices = Tensor.FromArray(new long[] { 1, 2 }, 2);
        var error = Assert.Throws<InvalidOperationException>(() => indices.MakeReadOnly());
        Assert.Contains("Float32", error.Message);
        Assert.False(indices.IsReadOnly);
        var a = Tensor.Zeros(2, 2).MakeReadOnly();
        var b = Tensor.Zeros(2, 2);
        b.AsSpan()[0] = 1f;                                      // a tensor of equal values but its own storage
        Assert.True(a.IsReadOnly);
        Assert.False(b.IsReadOnly);
        Assert.False((a + b).IsReadOnly);                        // results of ops are writable
    }
}
