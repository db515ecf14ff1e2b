using Lumen.NN.Models.Llama;
using Lumen.NN.Tests.Models;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Xunit.Abstractions;

namespace Lumen.Mechanistic.Tests;

/// <summary>Logit lens, residual decomposition and direct logit attribution: exact identities on the toy model and
/// on stories260K.</summary>
public class ResidualStreamTests(ITestOutputHelper output)
{
    private static readonly int[] ToyTokens = [1, 4, 7, 7, 2, 10, 0, 5];

    [Fact]
    public void Layer_components_sum_to_the_final_residual_bit_for_bit()
    {
        var model = ToyLlama.Random(ToyLlama.Config with { TiedEmbeddings = true }, seed: 9);
        var parts = new ResidualDecomposition(model).Decompose(ToyTokens);
        Assert.Equal(["embed", "attn 0", "mlp 0", "attn 1", "mlp 1"], parts.Names);
        Assert.Equal(parts.Final.ToArray(), parts.Sum());
    }

    [Fact]
    public void Head_components_sum_to_the_final_residual_and_each_layer_to_its_attention_output()
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed: 10);
        var byHead = new ResidualDecomposition(model).Decompose(ToyTokens, perHead: true);
        var byLayer = new ResidualDecomposition(model).Decompose(ToyTokens);
        Assert.Equal(1 + 2 * (4 + 1), byHead.Names.Count);
        Assert.Equal("L1H3", byHead.Names[9]);
        var sum = byHead.Sum();
        var final = byHead.Final.ToArray();
        for (int i = 0; i < sum.Length; i++) Assert.True(Math.Abs(final[i] - sum[i]) <= 1e-5f * Math.Max(1f, Math.Abs(final[i])), $"{final[i]} vs {sum[i]}");
        int t = ToyTokens.Length, d = 16;
        for (int p = 0; p < t; p++)
            for (int i = 0; i < d; i++)
            {
                float heads = 0;
                for (int h = 0; h < 4; h++) heads += byHead.At(1 + h, p)[i];
                Assert.True(Math.Abs(byLayer.At(1, p)[i] - heads) <= 1e-5f * Math.Max(1f, Math.Abs(heads)), $"{byLayer.At(1, p)[i]} vs {heads}");
            }
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, 3)]
    public void Direct_logit_attributions_sum_to_the_logit_or_logit_difference(bool tied, int? against)
    {
        var model = ToyLlama.Random(ToyLlama.Config with { TiedEmbeddings = tied }, seed: 12);
        var parts = new ResidualDecomposition(model).Decompose(ToyTokens, perHead: true);
        float[] logits;
        using (GradMode.Off()) logits = model.Call(TokenSequence.ToTensor(ToyTokens)).ToArray();
        for (int position = 0; position < ToyTokens.Length; position++)
        {
            var scores = new DirectLogitAttribution(model).Compute(parts, position, token: 6, against);
            double expected = logits[position * 11 + 6] - (against is int b ? logits[position * 11 + b] : 0);
            Assert.Equal(expected, scores.Sum(s => s.Score), 4);
        }
    }

    [Fact]
    public void The_lens_at_the_last_layer_is_the_models_own_log_softmax()
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed: 13);
        var lens = new LogitLens(model).Run(ToyTokens);
        Assert.Equal(new Shape(3, 8, 11), lens.LogProbabilities.Shape);
        Tensor expected;
        using (GradMode.Off()) expected = model.Call(TokenSequence.ToTensor(ToyTokens)).LogSoftmax(-1);
        var last = lens.LogProbabilities.Slice(0, 2, 3).ToArray();
        var e = expected.ToArray();
        for (int i = 0; i < e.Length; i++) Assert.Equal(e[i], last[i], 5);
        var top = lens.Top(2, 3, 2);
        Assert.Equal(0, lens.Rank(2, 3, top[0].Token));
        Assert.Equal(Math.Exp(e[3 * 11 + top[0].Token]), top[0].Probability, 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => lens.Top(3, 0, 1));
    }

    [SharedFact(Stories260K.Folder)]
    public void On_stories260K_the_lens_sharpens_with_depth_and_dla_explains_the_top_logit()
    {
        var model = Stories260K.Model;
        var tokens = Stories260K.Tokenizer.Encode("Once upon a time, there was a little girl named Lily. She loved to play");
        var lens = new LogitLens(model).Run(tokens);
        var probabilities = lens.NextTokenProbabilities();
        int t = tokens.Count;
        double MeanAt(int layer) => Enumerable.Range(0, t - 1).Average(p => probabilities[layer * t + p]);
        for (int l = 0; l < lens.Layers.Count; l++) output.WriteLine($"{lens.Layers[l]}: mean p(next token) = {MeanAt(l):F3}");
        Assert.True(MeanAt(lens.Layers.Count - 1) > MeanAt(0), "the last layer predicts the text better than the embedding");
        var parts = new ResidualDecomposition(model).Decompose(tokens, perHead: true);
        Assert.Equal(parts.Final.ToArray(), new ResidualDecomposition(model).Decompose(tokens).Final.ToArray());
        int position = t - 1, predicted = lens.Top(lens.Layers.Count - 1, position, 1)[0].Token;
        var scores = new DirectLogitAttribution(model).Compute(parts, position, predicted);
        float[] logits;
        using (GradMode.Off()) logits = model.Call(TokenSequence.ToTensor(tokens)).ToArray();
        Assert.Equal(logits[position * 512 + predicted], scores.Sum(s => s.Score), 3);
        foreach (var (name, score) in scores.OrderByDescending(s => Math.Abs(s.Score)).Take(5)) output.WriteLine($"DLA {name}: {score:F3}");
    }
}
