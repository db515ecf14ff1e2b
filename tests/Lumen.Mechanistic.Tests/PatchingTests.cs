using Lumen.NN.Models.Llama;
using Lumen.NN.Tests.Models;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Xunit.Abstractions;

namespace Lumen.Mechanistic.Tests;

/// <summary>Activation, attribution and path patching: exact sanity identities on the toy model, the gradient
/// estimate against finite differences, and a run on stories260K.</summary>
public class PatchingTests(ITestOutputHelper output)
{
    private static readonly int[] Clean = [1, 4, 7, 3, 2, 10, 0, 5];
    private static readonly int[] Corrupted = [1, 4, 9, 3, 2, 10, 0, 5];   // differs at position 2 only
    private static readonly LogitDifference Metric = new(Answer: 6, Wrong: 8);

    private static (Llama Model, ActivationPatching Patching) Setup(int seed = 21)
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed);
        return (model, new ActivationPatching(model, Clean, Corrupted, Metric));
    }

    [Fact]
    public void Patching_every_activation_from_the_clean_run_restores_the_clean_logits_exactly()
    {
        var (model, patching) = Setup();
        Assert.NotEqual(patching.Clean, patching.Corrupted);
        var logits = patching.RunPatched(patching.Everything());
        Assert.Equal(patching.CleanLogits.ToArray(), logits.ToArray());
        Assert.Equal(1.0, patching.Effect(patching.Everything()));
        Assert.Equal(0, model.Hooks.Count);
    }

    [Fact]
    public void Residual_patching_at_the_only_differing_position_restores_exactly_and_elsewhere_does_nothing()
    {
        var (_, patching) = Setup();
        var grid = patching.ByPosition(PatchSite.ResidPre);
        Assert.Equal(2 * Clean.Length, grid.Values.Length);
        Assert.Equal(1f, grid[0, 2]);
        for (int p = 0; p < Clean.Length; p++) if (p != 2) Assert.Equal(0f, grid[0, p]);
        Assert.Equal(0f, grid[1, 0]); // position 0 precedes the change in every layer
        var heads = patching.Heads();
        Assert.Equal(8, heads.Values.Length);
        Assert.All(heads.Values, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Attribution_patching_equals_the_directional_derivative_of_the_metric()
    {
        var (model, patching) = Setup();
        var estimate = new AttributionPatching(model, patching).ByPosition(PatchSite.AttnOut);
        // d/dε m(a_corr + ε·Δ_p) at ε = 0, for layer 1, position 5, by central differences
        string hook = LlamaHookNames.AttnOut(1);
        Tensor corruptedActivation;
        using (GradMode.Off()) corruptedActivation = model.RunWithCache(TokenSequence.ToTensor(Corrupted), n => n == hook, detach: true).Cache[hook];
        var delta = new ActivationPatch(hook, Position: 5).Apply(corruptedActivation.ZerosLike(), patching.CleanActivation(hook) - corruptedActivation);
        double MetricAt(float epsilon)
        {
            using var _ = model.Hooks.OnForward(hook, (a, _) => a + delta * epsilon);
            using var noGrad = GradMode.Off();
            return Metric.Evaluate(model.Call(TokenSequence.ToTensor(Corrupted)));
        }
        const float h = 1e-2f;
        double derivative = (MetricAt(h) - MetricAt(-h)) / (2 * h);
        Assert.Equal(derivative / (patching.Clean - patching.Corrupted), estimate[1, 5], 2);
        var truth = patching.ByPosition(PatchSite.AttnOut);
        output.WriteLine($"attribution vs activation patching, attn.out: r = {AttributionPatching.Correlation(estimate, truth):F3}");
        Assert.Equal(0f, estimate[0, 0]); // Δ = 0 before the change
    }

    [Fact]
    public void Direct_path_patching_of_a_head_equals_swapping_its_output_in_the_final_residual()
    {
        var (model, patching) = Setup();
        var paths = new PathPatching(model, patching);
        int layer = 0, head = 3;
        double effect = paths.Effect(layer, head, paths.DirectToLogits());
        // by hand: corrupted final residual + (clean − corrupted) output of the head, read out through the final norm
        var decomposition = new ResidualDecomposition(model);
        Tensor zCorrupted, final;
        using (GradMode.Off())
        {
            var (_, cache) = model.RunWithCache(TokenSequence.ToTensor(Corrupted), detach: true);
            zCorrupted = cache[LlamaHookNames.Z(layer)];
            final = cache[LlamaHookNames.ResidPost(1)];
            var swapped = final + decomposition.HeadOutput(patching.CleanActivation(LlamaHookNames.Z(layer)), layer, head) - decomposition.HeadOutput(zCorrupted, layer, head);
            var logits = model.Unembedding(Functional.RmsNorm(swapped, model.LnFinal.Weight!.Value, model.LnFinal.Eps));
            Assert.Equal(patching.Normalize(Metric.Evaluate(logits)), effect, 4);
        }
        // a head cannot reach the queries of its own layer
        Assert.Equal(0.0, paths.Effect(1, 2, [new ActivationPatch(LlamaHookNames.Q(1), Head: 0)]), 6);
        Assert.Equal(0, model.Hooks.Count);
    }

    [Fact]
    public void Steering_adds_the_scaled_vector_to_the_residual_stream_and_is_removed_on_dispose()
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed: 5);
        var vector = SteeringVector.FromContrast(model, 1, [1, 4, 4], [1, 9]);
        Assert.Equal(0.0, SteeringVector.FromContrast(model, 1, [1, 4], [1, 4]).Norm);
        string hook = LlamaHookNames.ResidPre(1);
        Tensor plain, steered;
        using (GradMode.Off())
        {
            plain = model.RunWithCache(TokenSequence.ToTensor(Clean), n => n == hook).Cache[hook];
            using (vector.Apply(model, 3f)) steered = model.RunWithCache(TokenSequence.ToTensor(Clean), n => n == hook).Cache[hook];
        }
        var expected = (plain + vector.Vector * 3f).ToArray();
        Assert.Equal(expected, steered.ToArray());
        Assert.Equal(0, model.Hooks.Count);
        var generator = new LlamaGenerator(model);
        var options = new GenerationOptions { MaxNewTokens = 6, StopTokens = [] };
        var baseline = generator.Generate([1, 4], options);
        using (vector.Apply(model, 0f)) Assert.Equal(baseline, generator.Generate([1, 4], options));
    }

    [SharedFact(Stories260K.Folder)]
    public void Stories260K_pronoun_patching_restores_fully_and_attribution_patching_tracks_it()
    {
        var model = Stories260K.Model;
        var tok = Stories260K.Tokenizer;
        // the pronoun that follows: " She" after the girl Lily, " He" after the boy Tim
        var clean = tok.Encode("Once upon a time, there was a little girl named Lily.");
        var corrupted = tok.Encode("Once upon a time, there was a little boy named Tim.");
        Assert.Equal(clean.Count, corrupted.Count);
        int answer = tok.Encode("She", bos: false)[0], wrong = tok.Encode("He", bos: false)[0];
        var patching = new ActivationPatching(model, clean, corrupted, new LogitDifference(answer, wrong));
        output.WriteLine($"clean {patching.Clean:F3}, corrupted {patching.Corrupted:F3}");
        Assert.True(patching.Clean > 1 && patching.Corrupted < -1, "the model tells the pronouns apart");
        Assert.Equal(patching.CleanLogits.ToArray(), patching.RunPatched(patching.Everything()).ToArray());
        var grid = patching.ByPosition(PatchSite.ResidPre);
        foreach (var (row, column, value) in grid.Strongest(4)) output.WriteLine($"resid_pre {row} position {column}: {value:F3}");
        // at layer 0 only the positions where the prompts differ can matter
        for (int p = 0; p < clean.Count; p++) if (clean[p] == corrupted[p]) Assert.Equal(0f, grid[0, p]);
        var estimate = new AttributionPatching(model, patching).ByPosition(PatchSite.ResidPre);
        double r = AttributionPatching.Correlation(estimate, grid);
        output.WriteLine($"attribution patching vs activation patching (resid_pre): r = {r:F3}");
        Assert.True(r > 0.5, $"r = {r}");
    }
}
