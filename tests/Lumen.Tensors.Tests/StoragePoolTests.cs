using Lumen.Tensors;

namespace Lumen.Tensors.Tests;

/// <summary>The storage pool hands out exact-length arrays, takes back only what its scope handed out, reuses it on
/// the next request of that length, zero-fills when asked, respects its cap, and nests scopes per thread.</summary>
public class StoragePoolTests
{
    [Fact]
    public void A_recycled_array_is_handed_out_again_for_the_same_length()
    {
        var pool = new StoragePool();
        float[] first;
        using (var scope = pool.Enter())
        {
            var t = Tensor.Ones(3, 4) * 2f;
            first = t.Floats;
            Assert.True(scope.Recycle(t));
            Assert.Equal(48, pool.RetainedBytes);
            var again = Tensor.Ones(4, 3) * 5f;
            Assert.Same(first, again.Floats);
            Assert.All(again.ToArray(), v => Assert.Equal(5f, v));
            Assert.Equal(0, pool.RetainedBytes);
        }
        using (pool.Enter()) Assert.NotSame(first, (Tensor.Ones(12) + 1f).Floats);   // handed out above, never returned
    }

    [Fact]
    public void Only_arrays_handed_out_by_the_scope_are_taken_back()
    {
        var pool = new StoragePool();
        var callers = Tensor.Ones(2, 2);
        var earlier = Tensor.Ones(2, 2) * 3f;
        using var scope = pool.Enter();
        Assert.False(scope.Recycle(callers));
        Assert.False(scope.Recycle(earlier));
        Assert.False(scope.Recycle(Tensor.FromArray(new long[] { 1, 2 }, 2)));
        var mine = callers * 2f;
        Assert.True(scope.Recycle(mine));
        Assert.False(scope.Recycle(mine));    // twice is refused
        Assert.Equal(16, pool.RetainedBytes);
        Assert.All(callers.ToArray(), v => Assert.Equal(1f, v));
    }

    /// <summary>Scratch addressed by its own lengths takes the shortest free array that is long enough, or none.</summary>
    [Fact]
    public void At_least_takes_the_shortest_free_array_that_is_long_enough()
    {
        var pool = new StoragePool();
        float[] six = new float[6], ten = new float[10], four = new float[4];
        pool.Give(ten);
        pool.Give(six);
        pool.Give(four);
        Assert.Equal(80, pool.RetainedBytes);
        Assert.Same(six, pool.TryTakeAtLeast(5));
        Assert.Equal(56, pool.RetainedBytes);
        Assert.Same(ten, pool.TryTakeAtLeast(5));
        Assert.Null(pool.TryTakeAtLeast(5));
        Assert.Same(four, pool.TryTakeAtLeast(4));
        Assert.Equal(0, pool.RetainedBytes);
    }

    [Fact]
    public void A_reused_array_is_zero_filled_when_the_op_does_not_overwrite_it()
    {
        var pool = new StoragePool();
        using var scope = pool.Enter();
        var t = Tensor.Ones(5) * 7f;
        Assert.True(scope.Recycle(t));
        var zeros = StoragePool.NewFloats(5, overwrite: false);
        Assert.Same(t.Floats, zeros);
        Assert.All(zeros, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Arrays_beyond_the_cap_are_dropped()
    {
        var pool = new StoragePool(maxRetainedBytes: 40);
        using var scope = pool.Enter();
        var a = Tensor.Ones(8) * 1f;
        var b = Tensor.Ones(8) * 1f;
        Assert.True(scope.Recycle(a));
        Assert.True(scope.Recycle(b));
        Assert.Equal(32, pool.RetainedBytes);
        using (pool.Enter()) Assert.Same(a.Floats, (Tensor.Ones(8) * 2f).Floats);
        pool.Clear();
        Assert.Equal(0, pool.RetainedBytes);
    }

    [Fact]
    public void Scopes_nest_and_other_threads_allocate_as_usual()
    {
        var outer = new StoragePool();
        var inner = new StoragePool();
        using var outerScope = outer.Enter();
        var a = Tensor.Ones(6) * 2f;
        using (var innerScope = inner.Enter())
        {
            var b = Tensor.Ones(6) * 2f;
            Assert.False(innerScope.Recycle(a));
            Assert.True(innerScope.Recycle(b));
            float[]? fromWorker = null;
            var thread = new Thread(() => fromWorker = StoragePool.NewFloats(6, overwrite: false));
            thread.Start();
            thread.Join();
            Assert.NotSame(b.Floats, fromWorker);
        }
        Assert.True(outerScope.Recycle(a));
        Assert.Equal(24, outer.RetainedBytes);
        Assert.Equal(24, inner.RetainedBytes);
        Assert.Same(a.Floats, (Tensor.Ones(6) * 3f).Floats);    // the outer scope is current again
    }

    [Fact]
    public void RecycleAll_gives_back_every_array_handed_out_except_those_kept()
    {
        var pool = new StoragePool();
        var callers = Tensor.Ones(4);
        using var scope = pool.Enter();
        var a = callers * 2f;
        var b = a + 1f;
        var kept = b * 3f;
        Assert.Equal(2, scope.RecycleAll(kept, callers));
        Assert.Equal(32, pool.RetainedBytes);
        Assert.All(kept.ToArray(), v => Assert.Equal(9f, v));
        Assert.Equal(0, scope.RecycleAll());                                   // nothing twice
        var again = callers * 5f;
        Assert.True(ReferenceEquals(again.Floats, a.Floats) || ReferenceEquals(again.Floats, b.Floats));
        Assert.All(kept.ToArray(), v => Assert.Equal(9f, v));
    }

    [Fact]
    public void A_backward_pass_inside_a_scope_takes_no_array_of_the_scope_so_its_gradients_survive_RecycleAll()
    {
        var pool = new StoragePool();
        var x = Tensor.FromArray([-2f, -1f, 0.5f, 1f, 2f, 3f, -0.5f, 4f], 8).RequireGrad();
        Tensor gradient;
        using (var scope = pool.Enter())
        {
            var y = ((x * 2f).Relu() * x).Sum();
            gradient = Autograd.Gradients.Of(y, x);
            Assert.True(scope.RecycleAll() >= 3);                              // the forward's arrays
        }
        var expected = gradient.ToArray();
        Assert.Equal([0f, 0f, 2f, 4f, 8f, 12f, 0f, 16f], expected);
        using (pool.Enter())
            for (int i = 0; i < 8; i++) _ = Tensor.Ones(8) * 7f;               // takes every free array of length 8
        Assert.Equal(expected, gradient.ToArray());
    }

    [Fact]
    public void Suspend_allocates_afresh_and_resumes_the_scope()
    {
        var pool = new StoragePool();
        using var scope = pool.Enter();
        var a = Tensor.Ones(3) * 2f;
        Assert.True(scope.Recycle(a));
        using (var suspended = StoragePool.Suspend())
        {
            Assert.Same(pool, suspended.Pool);
            Assert.NotSame(a.Floats, (Tensor.Ones(3) * 2f).Floats);
        }
        Assert.Same(a.Floats, (Tensor.Ones(3) * 2f).Floats);
    }

    [Fact]
    public void A_negative_cap_is_refused_naming_it()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new StoragePool(-1));
        Assert.Equal("maxRetainedBytes", error.ParamName);
    }
}
