using Lumen.Attribution.Common;
using Lumen.Attribution.Gradient;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests;

/// <summary><see cref="Batching.ChunkSize"/> measures a model's memory per row with one probe pass per model, row
/// shape and hook count, and reuses the measurement: later calls and later Explain calls run no probe, and the
/// chunk size still follows the budget.</summary>
public sealed class ChunkSizeTests
{
    /// <summary>y = 2·x summed per row, counting its forward passes.</summary>
    private sealed class CountingModel : Module
    {
        public int Passes { get; private set; }

        protected override Tensor Forward(Tensor x)
        {
            Passes++;
            return (x * 2f).Sum([1], keepDims: true);
        }
    }

    private static Tensor Row(int width) => Tensor.Ones(1, width);

    [Fact]
    public void The_probe_runs_once_per_model_and_row_shape()
    {
        var model = new CountingModel();
        int first = Batching.ChunkSize(model, Row(8), null, 1L << 20, withGradients: true);
        Assert.Equal(1, model.Passes);
        Assert.Equal(first, Batching.ChunkSize(model, Row(8), null, 1L << 20, withGradients: true));
        Assert.Equal(1, model.Passes);
        Batching.ChunkSize(model, Row(16), null, 1L << 20, withGradients: true);       // another row shape: measured
        Assert.Equal(2, model.Passes);
        Batching.ChunkSize(new CountingModel(), Row(8), null, 1L << 20, withGradients: true);
        Assert.Equal(2, model.Passes);                                                   // another model: its own probe
    }

    [Fact]
    public void A_reused_measurement_still_follows_the_budget_and_the_gradient_factor()
    {
        var model = new CountingModel();
        int withGradients = Batching.ChunkSize(model, Row(8), null, 1L << 20, withGradients: true);
        int forwardOnly = Batching.ChunkSize(model, Row(8), null, 1L << 20, withGradients: false);
        int halfBudget = Batching.ChunkSize(model, Row(8), null, 1L << 19, withGradients: false);
        Assert.Equal(1, model.Passes);
        Assert.InRange(forwardOnly, 2 * withGradients, 2 * withGradients + 1);
        Assert.InRange(halfBudget, forwardOnly / 2, forwardOnly / 2 + 1);
    }

    [Fact]
    public void A_hook_makes_a_new_measurement()
    {
        var model = new CountingModel();
        Batching.ChunkSize(model, Row(8), null, 1L << 20, withGradients: true);
        using (model.Hooks.OnForward("", (y, _) => y))
            Batching.ChunkSize(model, Row(8), null, 1L << 20, withGradients: true);
        Assert.Equal(2, model.Passes);
    }

    [Fact]
    public void Repeated_explanations_probe_once_and_give_the_same_map()
    {
        var model = new CountingModel();
        var ig = new IntegratedGradients(model, new() { Steps = 4 });
        var x = Tensor.FromArray([1f, 2f, 3f], 1, 3);
        var first = ig.Explain(x, Target.Class(0)).Map.ToArray();
        int passes = model.Passes;
        var second = ig.Explain(x, Target.Class(0)).Map.ToArray();
        Assert.Equal(first, second);
        Assert.Equal(2 * passes - 1, model.Passes);                                      // the second call skips the probe
        Assert.Equal([2f, 4f, 6f], first, (a, b) => Math.Abs(a - b) < 1e-5f);            // IG of 2·Σx: 2·x
    }

    [Theory]
    [InlineData(50, 19, 10)]     // 5 × 10 rather than 19 + 19 + 12
    [InlineData(60, 19, 15)]
    [InlineData(48, 19, 16)]
    [InlineData(50, 24, 24)]     // no divisor in (12, 24]: 24 + 24 + 2
    [InlineData(7, 3, 3)]
    [InlineData(10, 19, 10)]     // one chunk
    [InlineData(50, 1, 1)]
    public void Equal_chunks_take_a_divisor_above_half_the_largest_chunk(int count, int maxChunk, int expected) =>
        Assert.Equal(expected, Batching.EqualChunks(count, maxChunk));

    [Fact]
    public void Integrated_gradients_split_automatic_chunks_evenly_and_keep_a_given_batch_size()
    {
        // a budget that fits 8 rows; 3 steps · 5 samples = 15 rows: 3 chunks of 5 when automatic, 8 + 7 when given 8
        var model = new CountingModel();
        var x = Tensor.Ones(5, 256);
        long budget = 1024;
        while (Batching.ChunkSize(model, Tensor.Ones(1, 256), null, budget, withGradients: true) < 8) budget += 256;
        Assert.Equal(8, Batching.ChunkSize(model, Tensor.Ones(1, 256), null, budget, withGradients: true));
        int start = model.Passes;
        new IntegratedGradients(model, new() { Steps = 3, MemoryBudgetBytes = budget }).Explain(x, Target.Class(0));
        int automatic = model.Passes - start;
        start = model.Passes;
        new IntegratedGradients(model, new() { Steps = 3, BatchSize = 8 }).Explain(x, Target.Class(0));
        Assert.Equal(model.Passes - start + 1, automatic);
    }
}
