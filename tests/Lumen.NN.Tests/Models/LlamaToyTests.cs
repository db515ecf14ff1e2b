using Lumen.NN.Models.Llama;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.NN.Tests.Models;

/// <summary>The Llama model on a random toy configuration against a scalar port of llama2.c's run.c (the naive
/// twin), plus analytic rotary cases, the KV cache, hook names and input validation.</summary>
public class LlamaToyTests
{
    private static readonly LlamaConfig Toy = ToyLlama.Config;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Forward_equals_a_scalar_port_of_llama2c(bool tied)
    {
        var config = Toy with { TiedEmbeddings = tied };
        var model = ToyLlama.Random(config, seed: 3);
        long[] ids = [1, 4, 7, 7, 2, 10, 0, 5];
        using var _ = GradMode.Off();
        var logits = model.Call(Tensor.FromArray(ids, 1, ids.Length)).ToArray();
        var naive = NaiveLlama.Logits(model, ids);
        for (int i = 0; i < naive.Length; i++) Assert.True(Math.Abs(naive[i] - logits[i]) <= 1e-4f, $"logit {i}: {logits[i]} vs naive {naive[i]}");
    }

    [Fact]
    public void Cached_forward_in_pieces_equals_one_full_forward()
    {
        var model = ToyLlama.Random(Toy, seed: 5);
        long[] ids = [1, 3, 9, 2, 2, 8, 6];
        using var _ = GradMode.Off();
        var full = model.Call(Tensor.FromArray(ids, 1, ids.Length)).ToArray();
        var cache = new LlamaKvCache(Toy.Layers);
        var first = model.Forward(Tensor.FromArray(ids[..4], 1, 4), cache).ToArray();
        var second = model.Forward(Tensor.FromArray(ids[4..], 1, 3), cache).ToArray();
        Assert.Equal(7, cache.Length);
        var pieces = first.Concat(second).ToArray();
        for (int i = 0; i < full.Length; i++) Assert.True(Math.Abs(full[i] - pieces[i]) <= 1e-5f, $"logit {i}: {pieces[i]} vs {full[i]}");
    }

    [Fact]
    public void Rotary_is_the_identity_at_position_0_and_a_rotation_by_pos_times_frequency()
    {
        var rope = new RotaryEmbedding(headDim: 4, maxPositions: 8, theta: 100f);
        var x = Tensor.FromArray([1f, 0f, 0f, 1f, 1f, 0f, 0f, 1f], 1, 2, 1, 4); // positions start, start+1
        var y = rope.Apply(x, start: 0).ToArray();
        Assert.Equal([1f, 0f, 0f, 1f], y[..4]);
        // position 1: pair 0 rotates by 1 rad, pair 1 by 1/100^(2/4) = 0.1 rad
        Assert.Equal(MathF.Cos(1f), y[4], 6);
        Assert.Equal(MathF.Sin(1f), y[5], 6);
        Assert.Equal(-MathF.Sin(0.1f), y[6], 6);
        Assert.Equal(MathF.Cos(0.1f), y[7], 6);
        var shifted = rope.Apply(x.Slice(1, 1, 2), start: 1).ToArray();
        Assert.Equal(y[4..], shifted);
    }

    [Fact]
    public void Every_documented_hook_point_exists_and_has_the_documented_shape()
    {
        var model = ToyLlama.Random(Toy, seed: 1);
        var (_, cache) = model.RunWithCache(Tensor.FromArray([1L, 2, 3], 1, 3));
        var expected = new Dictionary<string, int[]>
        {
            ["embed"] = [1, 3, 16], ["ln_final"] = [1, 3, 16], ["logits"] = [1, 3, 11],
        };
        for (int i = 0; i < Toy.Layers; i++)
        {
            expected[$"blocks.{i}.resid_pre"] = [1, 3, 16];
            expected[$"blocks.{i}.resid_mid"] = [1, 3, 16];
            expected[$"blocks.{i}.resid_post"] = [1, 3, 16];
            expected[$"blocks.{i}.attn.q"] = [1, 3, 4, 4];
            expected[$"blocks.{i}.attn.k"] = [1, 3, 2, 4];
            expected[$"blocks.{i}.attn.v"] = [1, 3, 2, 4];
            expected[$"blocks.{i}.attn.pattern"] = [1, 4, 3, 3];
            expected[$"blocks.{i}.attn.z"] = [1, 3, 4, 4];
            expected[$"blocks.{i}.attn.out"] = [1, 3, 16];
            expected[$"blocks.{i}.mlp.pre"] = [1, 3, 24];
            expected[$"blocks.{i}.mlp.post"] = [1, 3, 24];
            expected[$"blocks.{i}.mlp.out"] = [1, 3, 16];
        }
        foreach (var (name, shape) in expected) Assert.Equal(new Shape(shape), cache[name].Shape);
        var pattern = cache["blocks.0.attn.pattern"].ToArray();
        Assert.Equal(0f, pattern[1]); // query 0 cannot see key 1
        Assert.Equal(1f, pattern[0], 6);
    }

    [Fact]
    public void Bad_inputs_are_rejected_with_clear_messages()
    {
        var model = ToyLlama.Random(Toy, seed: 2);
        var floats = Assert.Throws<ArgumentException>(() => model.Call(Tensor.Zeros(1, 3)));
        Assert.Contains("Int64", floats.Message, StringComparison.Ordinal);
        var tooLong = Assert.Throws<ArgumentException>(() => model.Call(Tensor.FromArray(new long[17], 1, 17)));
        Assert.Contains("positions", tooLong.Message, StringComparison.Ordinal);
        var generator = new LlamaGenerator(model);
        Assert.Throws<ArgumentException>(() => generator.Generate([]));
        Assert.Throws<ArgumentException>(() => generator.Generate([11]));
        Assert.Throws<ArgumentException>(() => generator.Generate([1], new GenerationOptions { TopP = 0f }));
        Assert.Throws<ArgumentException>(() => new LlamaConfig { Dim = 10, Heads = 4 }.Validate());
        Assert.Throws<InvalidDataException>(() => LlamaCheckpoint.LoadLlama2c(new MemoryStream(new byte[28])));
    }

    [Fact]
    public void Sampling_with_a_tiny_nucleus_is_greedy_and_a_seed_is_reproducible()
    {
        float[] logits = [0.1f, 2f, 1.9f, -1f];
        var rng = new Random(0);
        Assert.Equal(1, LlamaGenerator.Sample(logits, new GenerationOptions(), rng));
        for (int i = 0; i < 20; i++) Assert.Equal(1, LlamaGenerator.Sample(logits, new GenerationOptions { Temperature = 1f, TopP = 0.01f }, rng));
        var options = new GenerationOptions { Temperature = 5f };
        var a = Enumerable.Range(0, 50).Select(_ => 0).Select((_, i) => LlamaGenerator.Sample(logits, options, new Random(i))).ToArray();
        var b = Enumerable.Range(0, 50).Select(_ => 0).Select((_, i) => LlamaGenerator.Sample(logits, options, new Random(i))).ToArray();
        Assert.Equal(a, b);
        Assert.Equal(4, a.Distinct().Count()); // a high temperature reaches every token
    }
}
