using Lumen.NN.Models.Llama;
using Lumen.NN.Tests.Models;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Xunit.Abstractions;

namespace Lumen.Mechanistic.Tests;

/// <summary>Token attribution: gradient × embedding against a finite difference, Integrated Gradients completeness
/// and batch invariance, and a pronoun on stories260K.</summary>
public class TokenAttributionTests(ITestOutputHelper output)
{
    private static readonly int[] Tokens = [1, 4, 7, 3, 2, 10, 0, 5];

    [Fact]
    public void Gradient_times_embedding_sums_to_the_derivative_along_the_embedding()
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed: 41);
        var result = new TokenAttribution(model).GradientTimesEmbedding(Tokens, target: 6);
        Assert.Equal(Tokens.Length, result.Scores.Length);
        Assert.Equal(7, result.Position);
        double Logit(float scale)
        {
            using var hook = model.Hooks.OnForward(LlamaHookNames.Embed, (e, _) => e * scale);
            using var _ = GradMode.Off();
            return model.Call(TokenSequence.ToTensor(Tokens))[0, 7, 6];
        }
        const float h = 1e-2f;
        double derivative = (Logit(1 + h) - Logit(1 - h)) / (2 * h);
        Assert.Equal(derivative, result.Scores.Sum(), 2);
        Assert.Equal(0, model.Hooks.Count);
    }

    [Fact]
    public void Integrated_gradients_are_complete_and_independent_of_the_batch_size()
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed: 42);
        var batched = new TokenAttribution(model, new TokenAttributionOptions { Steps = 64, BatchSize = 16 }).IntegratedGradients(Tokens, target: 3, position: 5);
        var single = new TokenAttribution(model, new TokenAttributionOptions { Steps = 64, BatchSize = 7 }).IntegratedGradients(Tokens, target: 3, position: 5);
        for (int i = 0; i < Tokens.Length; i++) Assert.Equal(batched.Scores[i], single.Scores[i], 4);
        output.WriteLine($"IG delta {batched.Delta:G3}, sum {batched.Scores.Sum():F4}");
        Assert.True(Math.Abs(batched.Delta!.Value) < 0.02 * Math.Max(1, Math.Abs(batched.Scores.Sum())), $"delta {batched.Delta}");
        Assert.Equal(0f, batched.Scores[0]);                     // BOS is kept, never attributed
        Assert.All(batched.Scores.Skip(6), s => Assert.Equal(0f, s)); // tokens after the position cannot matter
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenAttribution(model).IntegratedGradients(Tokens, target: 11));
    }

    [SharedFact(Stories260K.Folder)]
    public void Stories260K_pronoun_is_attributed_to_the_girl()
    {
        var model = Stories260K.Model;
        var tok = Stories260K.Tokenizer;
        var tokens = tok.Encode("Once upon a time, there was a little girl named Lily.");
        int she = tok.Encode("She", bos: false)[0];
        var ig = new TokenAttribution(model, new TokenAttributionOptions { Steps = 32 }).IntegratedGradients(tokens, she);
        for (int i = 0; i < tokens.Count; i++) output.WriteLine($"{tok.DecodeOne(tokens[i]),-8} {ig.Scores[i],8:F3}");
        output.WriteLine($"delta {ig.Delta:F4}");
        Assert.True(Math.Abs(ig.Delta!.Value) < 0.1 * Math.Abs(ig.Scores.Sum()), $"delta {ig.Delta}");
        // the final "." carries most (it is where the prediction is made); among the earlier tokens, the girl wins
        int best = Array.IndexOf(ig.Scores, ig.Scores[..^1].Max());
        Assert.Contains(tok.DecodeOne(tokens[best]).Trim(), new[] { "g", "ir", "l", "Lily" });
    }
}
