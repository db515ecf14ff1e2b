using Lumen.Mechanistic.Sae;
using Lumen.NN.Models.Llama;
using Lumen.NN.Tests.Models;
using Lumen.Tensors;
using Xunit.Abstractions;

namespace Lumen.Mechanistic.Tests;

/// <summary>Sparse autoencoders: exact cases (a perfect ±identity dictionary, the top-K mask), recovery of a known
/// sparse code, and an SAE on stories260K's middle residual stream.</summary>
public class SaeTests(ITestOutputHelper output)
{
    /// <summary>Features ±e_i with ReLU reconstruct any input exactly: relu(x) − relu(−x) = x.</summary>
    private static SparseAutoencoder PlusMinusIdentity(int d)
    {
        var sae = new SparseAutoencoder(d, new SaeOptions { Features = 2 * d });
        var enc = new float[d * 2 * d];
        var dec = new float[2 * d * d];
        for (int i = 0; i < d; i++)
        {
            enc[i * 2 * d + i] = 1; enc[i * 2 * d + d + i] = -1;
            dec[i * d + i] = 1; dec[(d + i) * d + i] = -1;
        }
        enc.CopyTo(sae.EncoderWeight.Value.AsSpan());
        dec.CopyTo(sae.DecoderWeight.Value.AsSpan());
        sae.EncoderBias.Value.AsSpan().Clear();
        sae.DecoderBias.Value.AsSpan().Clear();
        return sae;
    }

    [Fact]
    public void A_perfect_dictionary_explains_all_variance_and_splicing_it_leaves_the_loss_unchanged()
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed: 31);
        var evaluator = new SaeEvaluator(model, LlamaHookNames.ResidPost(0));
        IReadOnlyList<IReadOnlyList<int>> sequences = [[1, 4, 7, 7, 2, 10], [1, 3, 3, 9, 0, 5, 6]];
        var metrics = evaluator.Evaluate(PlusMinusIdentity(16), sequences);
        Assert.Equal(1.0, metrics.ExplainedVariance, 6);
        Assert.Equal(16.0, metrics.L0);                 // one of ±e_i per coordinate
        Assert.Equal(metrics.CleanLoss, metrics.SplicedLoss, 5);
        Assert.Equal(1.0, metrics.LossRecovered, 4);
        Assert.NotEqual(metrics.CleanLoss, metrics.ZeroAblationLoss);
        Assert.Equal(11, evaluator.Collect(sequences).Shape[0]); // positions 1… of both sequences
        Assert.Equal(0, model.Hooks.Count);
    }

    [Fact]
    public void Top_k_keeps_exactly_the_k_largest_positive_pre_activations()
    {
        var sae = PlusMinusIdentity(4);
        var topk = new SparseAutoencoder(4, new SaeOptions { Features = 8, Activation = SaeActivation.TopK, K = 2 });
        sae.EncoderWeight.Value.AsReadOnlySpan().CopyTo(topk.EncoderWeight.Value.AsSpan());
        topk.EncoderBias.Value.AsSpan().Clear();
        topk.DecoderBias.Value.AsSpan().Clear();
        var f = topk.Encode(Tensor.FromArray([3f, -5f, 1f, 0.5f], 1, 4)).ToArray();
        Assert.Equal([3f, 0f, 0f, 0f, 0f, 5f, 0f, 0f], f);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SparseAutoencoder(4, new SaeOptions { Features = 8, Activation = SaeActivation.TopK, K = 9 }));
        Assert.Throws<ArgumentException>(() => topk.Encode(Tensor.Zeros(2, 3)));
    }

    [Theory]
    [InlineData(SaeActivation.TopK)]
    [InlineData(SaeActivation.Relu)]
    public void Training_recovers_a_one_hot_code_of_four_directions(SaeActivation activation)
    {
        // x = a·u_i with a ∈ [1, 2] and i one of 4 random directions in 8 dimensions
        var rng = new Random(4);
        var directions = Tensor.Randn(new Shape(4, 8), seed: 9).ToArray();
        var data = new float[512 * 8];
        for (int n = 0; n < 512; n++)
        {
            int i = rng.Next(4);
            float a = 1 + (float)rng.NextDouble();
            for (int j = 0; j < 8; j++) data[n * 8 + j] = a * directions[i * 8 + j];
        }
        var x = Tensor.FromArray(data, 512, 8);
        var training = new SaeTrainer(new SaeOptions { Features = 16, Activation = activation, K = 1, L1Coefficient = 0.05f, Steps = 400, BatchSize = 64, LearningRate = 1e-2f }).Fit(x);
        var sae = training.Autoencoder;
        var reconstruction = sae.Call(x).ToArray();
        double error = 0, total = 0;
        for (int i = 0; i < data.Length; i++) { error += Math.Pow(data[i] - reconstruction[i], 2); total += data[i] * data[i]; }
        output.WriteLine($"{activation}: relative error {error / total:F4}, final loss {training.Losses[^1]:F4}, {training.StepsPerSecond:F0} steps/s");
        Assert.True(error / total < 0.05, $"relative error {error / total}");
        Assert.True(training.Losses[^1] < training.Losses[0]);
        var norms = Enumerable.Range(0, 16).Select(f => Math.Sqrt(sae.DecoderWeight.Value.ToArray().Skip(f * 8).Take(8).Sum(v => (double)v * v)));
        Assert.All(norms, n => Assert.Equal(1.0, n, 4));
        if (activation == SaeActivation.TopK)
            Assert.All(Enumerable.Range(0, 512), r => Assert.True(sae.Encode(x.Slice(0, r, r + 1)).ToArray().Count(v => v > 0) <= 1));
    }

    [SharedFact(Stories260K.Folder)]
    public void Stories260K_mid_layer_sae_reports_variance_sparsity_and_spliced_loss()
    {
        var model = Stories260K.Model;
        var train = SampledCorpus.Generate(model, 24, 64, seed: 1);
        var test = SampledCorpus.Generate(model, 6, 64, seed: 2);
        var evaluator = new SaeEvaluator(model, LlamaHookNames.ResidPost(2));
        var training = new SaeTrainer(new SaeOptions { Features = 256, Activation = SaeActivation.TopK, K = 16, Steps = 600, BatchSize = 128, LearningRate = 3e-3f }).Fit(evaluator.Collect(train));
        var metrics = evaluator.Evaluate(training.Autoencoder, test);
        output.WriteLine($"top-k SAE on blocks.2.resid_post: EV {metrics.ExplainedVariance:F3}, L0 {metrics.L0:F1}, dead {metrics.DeadFraction:P0}, CE clean {metrics.CleanLoss:F3} → spliced {metrics.SplicedLoss:F3} (+{metrics.LossIncrease:F3}), zero-ablated {metrics.ZeroAblationLoss:F3}, recovered {metrics.LossRecovered:P1}, {training.StepsPerSecond:F0} steps/s");
        Assert.True(metrics.ExplainedVariance > 0.7, $"EV {metrics.ExplainedVariance}");
        Assert.True(metrics.L0 <= 16.0);
        Assert.True(metrics.LossRecovered > 0.5, $"recovered {metrics.LossRecovered}");
        var rates = SaeEvaluator.FiringRates(training.Autoencoder, evaluator.Collect(test));
        int feature = Array.IndexOf(rates, rates.Where(r => r < 0.5).Max());
        var contexts = evaluator.TopContexts(training.Autoencoder, test, [feature], top: 3)[0];
        Assert.NotEmpty(contexts);
        Assert.True(contexts.Zip(contexts.Skip(1)).All(p => p.First.Activation >= p.Second.Activation));
        foreach (var c in contexts) output.WriteLine($"feature {feature} ({c.Activation:F2}): {Stories260K.Tokenizer.Decode(c.Tokens)}");
    }
}
