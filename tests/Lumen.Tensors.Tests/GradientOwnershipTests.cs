using Lumen.Tensors.Autograd;

namespace Lumen.Tensors.Tests;

/// <summary>The backward pass writes into a gradient, or reuses its storage, only when nothing else reads it: masks
/// run in place on gradients that a rule has just allocated, fan-out sums accumulate into such a gradient, and dead
/// gradients' arrays are reused. Seeds, requested gradients, gradients shared by Add's two inputs and gradients seen
/// by custom rules are never changed, and every result equals the create-graph pass, which does neither.</summary>
public sealed class GradientOwnershipTests
{
    // A MobileNet-like block with fan-out: a residual Add, the same activation read by two branches, a ReLU6 after a
    // convolution (whose input gradient is fresh) and one after an Add (whose gradient is shared with its inputs).
    private static Tensor Block(Tensor x, Tensor w1, Tensor wd, Tensor w2, out Tensor hidden)
    {
        hidden = x.Conv2d(w1).Clamp(0f, 6f);                                   // [N, 6, H, W], fresh gradient from wd's conv
        var depthwise = hidden.Conv2d(wd, null, 1, 1, 1, groups: 6).Clamp(0f, 6f);
        var projected = depthwise.Conv2d(w2);                                  // [N, 3, H, W]
        var residual = (projected + x).Clamp(-1f, 1f);                         // masked gradient shared with the Add
        return (residual * 2f + hidden.Sum([1], keepDims: true).Relu()).Clamp(-3f, 3f); // hidden read twice; the seed is masked
    }

    private static (Tensor X, Tensor W1, Tensor Wd, Tensor W2, Tensor Seed) Inputs()
    {
        var x = Tensor.Randn(new Shape(2, 3, 5, 6), 1).RequireGrad();
        var w1 = Tensor.Randn(new Shape(6, 3, 1, 1), 2);
        var wd = Tensor.Randn(new Shape(6, 1, 3, 3), 3);
        var w2 = Tensor.Randn(new Shape(3, 6, 1, 1), 4);
        var seed = Tensor.Randn(new Shape(2, 3, 5, 6), 5);
        return (x, w1, wd, w2, seed);
    }

    [Fact]
    public void In_place_backward_equals_the_create_graph_pass_and_leaves_the_seed_alone()
    {
        var (x, w1, wd, w2, seed) = Inputs();
        var seedBefore = seed.ToArray();
        var inPlace = Gradients.Of([Block(x, w1, wd, w2, out _)], [x], [seed])[0];
        var graph = Gradients.Of([Block(x, w1, wd, w2, out _)], [x], [seed], createGraph: true)[0];
        Assert.Equal(graph.ToArray(), inPlace.ToArray());
        Assert.Equal(seedBefore, seed.ToArray());
    }

    [Fact]
    public void Backward_gives_each_leaf_a_grad_of_its_own_so_a_second_backward_adds_once()
    {
        // x + w hands one gradient to both leaves: their Grads must not be one tensor, or the second Backward adds twice
        var x = Tensor.FromArray([1f, 2f]).RequireGrad();
        var w = Tensor.FromArray([3f, 4f]).RequireGrad();
        (x + w).Sum().Backward();
        (x + w).Sum().Backward();
        Assert.Equal([2f, 2f], x.Grad!.ToArray());
        Assert.Equal([2f, 2f], w.Grad!.ToArray());
    }

    [Fact]
    public void Backward_never_keeps_the_callers_seed_as_a_grad()
    {
        var x = Tensor.FromArray([1f, 2f]).RequireGrad();
        var seed = Tensor.FromArray([0.5f, -1f]);
        (x + 0f).Backward(seed);
        (x + 0f).Backward(seed);
        Assert.Equal([1f, -2f], x.Grad!.ToArray());
        Assert.Equal([0.5f, -1f], seed.ToArray());
    }

    [Fact]
    public void A_requested_intermediate_gradient_is_not_masked_by_the_rule_below_it()
    {
        var (x, w1, wd, w2, seed) = Inputs();
        var y = Block(x, w1, wd, w2, out var hidden);
        var inPlace = Gradients.Of([y], [hidden, x], [seed]);
        var y2 = Block(x, w1, wd, w2, out var hidden2);
        var graph = Gradients.Of([y2], [hidden2, x], [seed], createGraph: true);
        Assert.Equal(graph[0].ToArray(), inPlace[0].ToArray());
        Assert.Equal(graph[1].ToArray(), inPlace[1].ToArray());
        Assert.Contains(inPlace[0].ToArray(), v => v != 0f);
    }

    [Fact]
    public void A_gradient_seen_by_a_custom_rule_is_never_written_afterwards()
    {
        var (x, w1, _, _, _) = Inputs();
        var seen = new List<(Tensor Gradient, float[] Copy)>();
        var h = x.Conv2d(w1).Clamp(-0.5f, 0.5f);                               // would mask its gradient in place if it were free
        var observed = Gradients.Custom("Observe", h, [h], (g, needs) =>
        {
            seen.Add((g, g.ToArray()));
            return [g * 1f];                                                   // a new tensor: g itself is no result
        });
        var y = observed.Conv2d(w1.Reshape(3, 6, 1, 1) * 0.5f).Clamp(-0.5f, 0.5f).Conv2d(w1).Relu(); // fresh gradient into the rule
        var gx = Gradients.Of(y.Sum(), x);
        var (gradient, copy) = Assert.Single(seen);
        Assert.Equal(copy, gradient.ToArray());
        Assert.Contains(gx.ToArray(), v => v != 0f);
    }

    [Fact]
    public void Results_of_one_pass_are_not_reused_by_the_next()
    {
        var (x, w1, wd, w2, seed) = Inputs();
        var y = Block(x, w1, wd, w2, out var hidden);
        var first = Gradients.Of([y], [hidden, x], [seed]);
        var copies = first.Select(g => g.ToArray()).ToArray();
        for (int pass = 0; pass < 3; pass++)                                   // passes that reuse the arrays left by earlier ones
            Gradients.Of([Block(x, w1, wd, w2, out _) * (pass + 2f)], [x], [seed]);
        Assert.Equal(copies[0], first[0].ToArray());
        Assert.Equal(copies[1], first[1].ToArray());
    }

    // u + v after a convolution (whose input gradient is fresh, so Add hands the same free gradient to both branches),
    // u a clamp after a convolution (a mask that would run in place on a free gradient). When viewed, v is that
    // convolution's output reshaped there and back, so that its gradient — a view of the shared one — waits at the
    // convolution's output while u's clamp runs; else v is a clamp after a convolution of its own.
    private static Tensor Fork(Tensor x, Tensor w1, Tensor w2, bool swap, bool viewed)
    {
        var t = x.Conv2d(w2);
        var u = t.Clamp(-0.5f, 0.5f);
        var v = viewed ? t.Reshape(t.Shape[0], -1).Reshape(t.Shape.ToArray()) : x.Conv2d(w1).Clamp(-1f, 1f);
        var sum = swap ? v + u : u + v;
        return sum.Conv2d(w1.Reshape(3, 6, 1, 1) * 0.5f).Relu();
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void A_gradient_handed_to_both_inputs_of_an_add_is_written_only_by_its_last_holder(bool swap, bool viewed)
    {
        var (x, w1, _, _, _) = Inputs();
        var w2 = Tensor.Randn(new Shape(6, 3, 1, 1), 6);
        for (int pass = 0; pass < 3; pass++)                                   // later passes take the recycled arrays
        {
            var inPlace = Gradients.Of(Fork(x, w1, w2, swap, viewed).Sum(), x);
            var graph = Gradients.Of([Fork(x, w1, w2, swap, viewed).Sum()], [x], null, createGraph: true)[0];
            Assert.Equal(graph.ToArray(), inPlace.ToArray());
            Assert.Contains(inPlace.ToArray(), v => v != 0f);
        }
    }

    [Fact]
    public void A_spent_result_lends_its_storage_to_the_next_pass_and_changes_no_value()
    {
        var (x, w1, wd, w2, seed) = Inputs();
        var first = Gradients.Of([Block(x, w1, wd, w2, out _)], [x], [seed])[0];
        var firstValues = first.ToArray();
        var expected = Gradients.Of([Block(x, w1, wd, w2, out _) * 2f], [x], [seed])[0].ToArray();
        var second = Gradients.Of([Block(x, w1, wd, w2, out _) * 2f], [x], [seed], false, [first, first])[0];
        Assert.Equal(expected, second.ToArray());
        Assert.Contains(expected, v => v != 0f);
        // the spent array served the pass: as the result itself, or as a gradient (of x's shape) written and dropped
        Assert.True(ReferenceEquals(first.Storage, second.Storage) || !firstValues.SequenceEqual(first.ToArray()));
        var kept = x.ToArray();
        Gradients.Of([Block(x, w1, wd, w2, out _)], [x], [seed], false, [x]);   // a tensor that requires gradients is never taken
        Assert.Equal(kept, x.ToArray());
    }
}

