using Lumen.NN.Models.Llama;
using Lumen.NN.Tests.Models;
using Lumen.Tensors;
using Xunit.Abstractions;

namespace Lumen.Mechanistic.Tests;

/// <summary>Head detectors: exact scores for forced attention patterns on the toy model, and real previous-token and
/// induction heads in stories260K.</summary>
public class HeadDetectorTests(ITestOutputHelper output)
{
    /// <summary>Replaces head <paramref name="head"/>'s pattern by a one-hot attention to the key chosen by <paramref name="key"/>.</summary>
    private static IDisposable Force(Llama model, int layer, int head, Func<int[], int, int> key, int[] tokens) =>
        model.Hooks.OnForward(LlamaHookNames.Pattern(layer), (pattern, _) =>
        {
            var forced = pattern.Clone();
            var p = forced.AsSpan();
            int t = pattern.Shape[2];
            for (int i = 0; i < t; i++)
            {
                int row = (head * t + i) * t;
                p.Slice(row, t).Clear();
                p[row + key(tokens, i)] = 1f;
            }
            return forced;
        });

    [Fact]
    public void A_forced_previous_token_head_scores_exactly_one()
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed: 1);
        int[] tokens = [1, 4, 7, 7, 2, 10, 0, 5];
        using (Force(model, 1, 2, (_, i) => Math.Max(0, i - 1), tokens))
        {
            var scores = new HeadDetector(model).PreviousToken(tokens);
            Assert.Equal(1f, scores[1, 2]);
            Assert.Equal((1, 2, 1f), scores.Best(1)[0]);
            Assert.True(scores[0, 0] < 1f);
        }
        Assert.Equal(0, model.Hooks.Count);
    }

    [Fact]
    public void A_forced_induction_head_scores_exactly_one_on_a_repeated_sequence()
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed: 2);
        int[] tokens = [1, 3, 8, 5, 3, 8, 5];
        // queries 4, 5, 6 repeat tokens 1, 2, 3: attend to the token after the earlier copy (2, 3, 4)
        using (Force(model, 0, 1, (seq, i) => i >= 4 ? i - 2 : 0, tokens))
        {
            Assert.Equal(1f, new HeadDetector(model).Induction(tokens)[0, 1], 6);
            Assert.Equal(0f, new HeadDetector(model).DuplicateToken(tokens)[0, 1], 6);
        }
        using (Force(model, 0, 1, (seq, i) => i >= 4 ? i - 3 : 0, tokens))
            Assert.Equal(1f, new HeadDetector(model).DuplicateToken(tokens)[0, 1], 6);
    }

    [SharedFact(Stories260K.Folder)]
    public void Stories260K_has_a_previous_token_head_and_a_lower_loss_on_the_second_copy_of_random_tokens()
    {
        var model = Stories260K.Model;
        var text = File.ReadAllText(Stories260K.File("expected_greedy_200steps.txt"));
        var tokens = Stories260K.Tokenizer.Encode(text);
        var detector = new HeadDetector(model);
        var previous = detector.PreviousToken(tokens);
        foreach (var (l, h, s) in previous.Best(3)) output.WriteLine($"previous-token L{l}H{h}: {s:F3}");
        Assert.True(previous.Best(1)[0].Score > 0.5f, $"best previous-token score {previous.Best(1)[0].Score}");
        var words = Enumerable.Range(0, 512).Where(i => !Stories260K.Tokenizer.IsByteFallback(i) && i > LlamaTokenizer.Eos).ToList();
        var search = detector.SearchInduction(length: 40, count: 4, seed: 0, candidates: words);
        foreach (var (l, h, s) in search.Induction.Best(3)) output.WriteLine($"induction L{l}H{h}: {s:F3}");
        output.WriteLine($"loss first repeat {search.LossFirstRepeat:F3}, second repeat {search.LossSecondRepeat:F3}, drop {search.LossDrop:F3}");
        // stories260K (5 layers, 260K parameters) copies only weakly: measured drop 0.39 nats, best induction
        // score 0.036 on 4 × 40 random word tokens (seed 0); the test pins that the second copy is easier.
        Assert.True(search.LossDrop > 0.1, $"loss drop {search.LossDrop}");
        Assert.Equal(4, search.Sequences.Count);
        Assert.Equal(80, search.LossByPosition.Count);
    }
}
