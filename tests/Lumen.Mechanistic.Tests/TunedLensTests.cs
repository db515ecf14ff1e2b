using System.Diagnostics;
using Lumen.NN.Models.Llama;
using Lumen.NN.Tests.Models;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Xunit.Abstractions;

namespace Lumen.Mechanistic.Tests;

/// <summary>The tuned lens: untrained = logit lens, the KL and its gradient against hand values and finite
/// differences, save/load, determinism, and training on stories260K lowering the held-out KL at every layer.</summary>
public class TunedLensTests(ITestOutputHelper output)
{
    private static readonly int[] ToyTokens = [1, 4, 7, 7, 2, 10, 0, 5];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_untrained_tuned_lens_is_the_logit_lens_bit_for_bit(bool tied)
    {
        var model = ToyLlama.Random(ToyLlama.Config with { TiedEmbeddings = tied }, seed: 21);
        var lens = new TunedLens(model);
        var tuned = lens.Run(ToyTokens);
        var plain = new LogitLens(model).Run(ToyTokens);
        Assert.Equal(plain.Layers, tuned.Layers);
        Assert.Equal(plain.LogProbabilities.Shape, tuned.LogProbabilities.Shape);
        Assert.Equal(plain.LogProbabilities.ToArray(), tuned.LogProbabilities.ToArray());
        Assert.Equal(2, lens.TranslatorCount);
        Assert.Equal(["translators.0.weight", "translators.0.bias", "translators.1.weight", "translators.1.bias"], lens.StateDict().Keys);
        Assert.Equal(0, model.Hooks.Count);
    }

    [Fact]
    public void Evaluation_averages_kl_and_cross_entropy_over_positions_one_onwards_across_chunks()
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed: 25);
        var rng = new Random(5);
        IReadOnlyList<IReadOnlyList<int>> sequences = [.. Enumerable.Range(0, 20).Select(_ => (IReadOnlyList<int>)[1, .. Enumerable.Range(0, 14).Select(_ => rng.Next(11))])];
        var evaluation = new TunedLens(model).Evaluate(sequences);               // 20 × 14 = 280 positions: two chunks
        Assert.Equal(280, evaluation.Positions);
        var kl = new double[3];
        var ce = new double[3];
        foreach (var sequence in sequences)
        {
            var lens = new LogitLens(model).Run(sequence);
            var v = lens.LogProbabilities.ToArray();
            for (int p = 1; p < sequence.Count; p++)
                for (int l = 0; l < 3; l++)
                {
                    for (int k = 0; k < 11; k++)
                    {
                        double final = v[(2 * 15 + p) * 11 + k];
                        kl[l] += Math.Exp(final) * (final - v[(l * 15 + p) * 11 + k]);
                    }
                    if (p + 1 < sequence.Count) ce[l] -= v[(l * 15 + p) * 11 + sequence[p + 1]];
                }
        }
        for (int l = 0; l < 3; l++)
        {
            Assert.Equal(kl[l] / 280, evaluation.LogitLensKl[l], 4);
            Assert.Equal(ce[l] / (20 * 13), evaluation.LogitLensCrossEntropy[l], 4);
        }
        Assert.Equal(evaluation.LogitLensKl, evaluation.TunedLensKl);           // untrained: the same lens
        Assert.Equal(evaluation.LogitLensCrossEntropy, evaluation.TunedLensCrossEntropy);
        Assert.Equal(0.0, evaluation.LogitLensKl[2]);
    }

    [Fact]
    public void Divergence_matches_hand_values()
    {
        // KL([½, ½] ‖ [¼, ¾]) = ½ ln 2 + ½ ln ⅔; KL(p ‖ p) = 0
        var p = Tensor.FromArray([MathF.Log(0.5f), MathF.Log(0.5f), MathF.Log(0.2f), MathF.Log(0.8f)], 2, 2);
        var q = Tensor.FromArray([MathF.Log(0.25f), MathF.Log(0.75f), MathF.Log(0.2f), MathF.Log(0.8f)], 2, 2);
        var kl = TunedLens.Divergence(p, q).ToArray();
        Assert.Equal(0.5 * Math.Log(2) + 0.5 * Math.Log(2.0 / 3), kl[0], 6);
        Assert.Equal(0.0, kl[1], 7);
        Assert.Throws<ArgumentException>(() => TunedLens.Divergence(p, Tensor.Zeros(2, 3)));
    }

    [Fact]
    public void The_gradient_of_the_lens_loss_matches_finite_differences()
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed: 22);
        var lens = new TunedLens(model);
        var h = Tensor.Randn(new Shape(5, 16), seed: 3);                      // residual streams at layer 1
        var target = Tensor.Randn(new Shape(5, 11), seed: 4).LogSoftmax(-1);  // some final distribution
        var weight = lens.Translator(1).Weight.Value;
        var bias = lens.Translator(1).Bias!.Value;
        // Move away from zero so that the check covers a general point.
        Tensor.Randn(new Shape(16, 16), seed: 5).AsReadOnlySpan().CopyTo(weight.AsSpan());
        for (int i = 0; i < weight.Size; i++) weight.AsSpan()[i] *= 0.2f;
        Tensor.Randn(new Shape(16), seed: 6).AsReadOnlySpan().CopyTo(bias.AsSpan());
        double Loss() { using var _ = GradMode.Off(); return TunedLens.Divergence(target, lens.Decode(1, h)).Mean().Item(); }
        var grads = Gradients.Of(TunedLens.Divergence(target, lens.Decode(1, h)).Mean(), [weight, bias]);
        const float eps = 1e-2f;
        foreach (var (value, grad) in new[] { (weight, grads[0]), (bias, grads[1]) })
            for (int i = 0; i < value.Size; i += 7)
            {
                float saved = value.AsReadOnlySpan()[i];
                value.AsSpan()[i] = saved + eps;
                double up = Loss();
                value.AsSpan()[i] = saved - eps;
                double down = Loss();
                value.AsSpan()[i] = saved;
                double numeric = (up - down) / (2 * eps), analytic = grad.AsReadOnlySpan()[i];
                Assert.True(Math.Abs(numeric - analytic) <= 2e-3 + 2e-2 * Math.Abs(numeric), $"element {i}: finite differences {numeric}, autograd {analytic}");
            }
    }

    [Fact]
    public void Saving_and_loading_gives_identical_outputs_and_a_wrong_model_is_refused()
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed: 23);
        var training = new TunedLensTrainer(new TunedLensOptions { Steps = 5, BatchSize = 8 }).Fit(model, [ToyTokens, [1, 3, 3, 9, 0, 5, 6]]);
        using var stream = new MemoryStream();
        training.Lens.Save(stream);
        stream.Position = 0;
        var loaded = TunedLens.Load(model, stream);
        Assert.Equal(training.Lens.Run(ToyTokens).LogProbabilities.ToArray(), loaded.Run(ToyTokens).LogProbabilities.ToArray());
        Assert.NotEqual(new LogitLens(model).Run(ToyTokens).LogProbabilities.ToArray(), loaded.Run(ToyTokens).LogProbabilities.ToArray());
        var hooks = LogitLens.ResidualHooks(model.Config);
        var (_, cache) = model.RunWithCache(TokenSequence.ToTensor(ToyTokens), hooks.Contains, detach: true);
        using (GradMode.Off())
            Assert.Equal(loaded.Run(ToyTokens).LogProbabilities.ToArray(), loaded.Call(Tensor.Concat([.. hooks.Select(h => cache[h])], axis: 0)).ToArray()); // [3, 8, 16] → [3, 8, 11]
        Assert.Throws<ArgumentException>(() => loaded.Call(Tensor.Zeros(2, 8, 16)));
        stream.Position = 0;
        var other = ToyLlama.Random(ToyLlama.Config with { Layers = 3 }, seed: 23);
        var error = Assert.Throws<InvalidDataException>(() => TunedLens.Load(other, stream));
        Assert.Contains("2 layers", error.Message);
    }

    [Fact]
    public void Training_is_deterministic_and_leaves_the_model_without_gradients()
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed: 24);
        IReadOnlyList<IReadOnlyList<int>> corpus = [ToyTokens, [1, 3, 3, 9, 0, 5, 6], [1, 2, 8, 8, 4, 10]];
        var options = new TunedLensOptions { Steps = 20, BatchSize = 6, Seed = 3 };
        var a = new TunedLensTrainer(options).Fit(model, corpus);
        var b = new TunedLensTrainer(options).Fit(model, corpus);
        Assert.Equal(a.Losses, b.Losses);
        Assert.Equal(a.Lens.Translator(0).Weight.Value.ToArray(), b.Lens.Translator(0).Weight.Value.ToArray());
        Assert.All(model.Parameters(), p => Assert.Null(p.Grad));
        Assert.True(a.Losses[^1] < a.Losses[0], $"loss {a.Losses[0]} → {a.Losses[^1]}");
        Assert.Equal(7 + 6 + 5, a.Positions);                           // positions 1… of 8, 7 and 6 tokens
    }

    [SharedFact(Stories260K.Folder)]
    public void A_short_training_on_stories260K_lowers_the_held_out_kl_at_every_layer() =>
        TrainAndCompare(sequences: 16, length: 64, new TunedLensOptions { Steps = 60, BatchSize = 256 });

    /// <summary>The default training of <c>lumen lm lens --train-tuned</c> (64 stories of 96 tokens, 300 steps).</summary>
    [SlowSharedFact(Stories260K.Folder)]
    public void The_default_training_on_stories260K_lowers_the_held_out_kl_at_every_layer() =>
        TrainAndCompare(sequences: 64, length: 96, new TunedLensOptions());

    private void TrainAndCompare(int sequences, int length, TunedLensOptions options)
    {
        var model = Stories260K.Model;
        var clock = Stopwatch.StartNew();
        var train = SampledCorpus.Generate(model, sequences, length, seed: 1);
        var test = SampledCorpus.Generate(model, sequences / 4, length, seed: 2);
        var training = new TunedLensTrainer(options).Fit(model, train);
        var evaluation = training.Lens.Evaluate(test);
        output.WriteLine($"{training.Losses.Count} steps on {training.Positions} positions in {training.Seconds:F2} s; total {clock.Elapsed.TotalSeconds:F2} s; {evaluation.Positions} held-out positions");
        for (int l = 0; l < evaluation.Layers.Count; l++)
            output.WriteLine($"{evaluation.Layers[l],-8} KL logit {evaluation.LogitLensKl[l]:F4} tuned {evaluation.TunedLensKl[l]:F4}   CE logit {evaluation.LogitLensCrossEntropy[l]:F4} tuned {evaluation.TunedLensCrossEntropy[l]:F4}");
        for (int l = 0; l + 1 < evaluation.Layers.Count; l++)
            Assert.True(evaluation.TunedLensKl[l] < evaluation.LogitLensKl[l], $"{evaluation.Layers[l]}: tuned {evaluation.TunedLensKl[l]} vs logit {evaluation.LogitLensKl[l]}");
        Assert.Equal(0.0, evaluation.TunedLensKl[^1], 6);
        Assert.Equal(evaluation.LogitLensCrossEntropy[^1], evaluation.TunedLensCrossEntropy[^1]);
        Assert.True(training.Losses[^1] < training.Losses[0]);
        Assert.All(model.Parameters(), p => Assert.Null(p.Grad));
    }
}
