using Lumen.NN.Tests.Models;
using Xunit.Abstractions;

namespace Lumen.Mechanistic.Tests;

/// <summary>Edge attribution patching: the graph's edges, the exact ends of the faithfulness curve, the estimate of a
/// single edge against its true effect, and a circuit on stories260K.</summary>
public class EdgeAttributionPatchingTests(ITestOutputHelper output)
{
    [Fact]
    public void All_edges_are_faithful_no_edges_are_the_corrupted_run_and_edges_respect_the_order()
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed: 21);
        var patching = new ActivationPatching(model, [1, 4, 7, 3, 2, 10, 0, 5], [1, 4, 9, 3, 2, 10, 0, 5], new LogitDifference(6, 8));
        var eap = new EdgeAttributionPatching(model, patching);
        var edges = eap.ScoreEdges();
        // senders: embed, 8 heads, 2 MLPs; receivers: attn 0, mlp 0, attn 1, mlp 1, logits
        int expected = 5 /* embed */ + 4 * 4 /* layer-0 heads → mlp 0, attn 1, mlp 1, logits */ + 3 /* mlp 0 */ + 4 * 2 /* layer-1 heads */ + 1 /* mlp 1 */;
        Assert.Equal(expected, edges.Count);
        Assert.DoesNotContain(edges, e => e.Sender == "L1H0" && e.Receiver == "attn 1");
        Assert.DoesNotContain(edges, e => e.Sender == "mlp 1" && e.Receiver == "mlp 1");
        Assert.Equal(1.0, eap.Faithfulness(edges.Select(e => (e.Sender, e.Receiver))), 6);
        Assert.Equal(0.0, eap.Faithfulness([]), 3);
        var curve = eap.FaithfulnessCurve(edges, [0, 5, edges.Count]);
        Assert.Equal(3, curve.Count);
        Assert.Equal(1.0, curve[^1].Faithfulness, 6);
        Assert.Equal(0, model.Hooks.Count);
    }

    [SharedFact(Stories260K.Folder)]
    public void Stories260K_pronoun_circuit_of_the_top_edges_recovers_over_half_of_the_behaviour()
    {
        var model = Stories260K.Model;
        var tok = Stories260K.Tokenizer;
        var patching = new ActivationPatching(model, tok.Encode("Once upon a time, there was a little girl named Lily."),
            tok.Encode("Once upon a time, there was a little boy named Tim."), new LogitDifference(tok.Encode("She", bos: false)[0], tok.Encode("He", bos: false)[0]));
        var eap = new EdgeAttributionPatching(model, patching);
        var edges = eap.ScoreEdges();
        var curve = eap.FaithfulnessCurve(edges, [0, 5, 10, 20, 40, 80, edges.Count]);
        foreach (var (k, f) in curve) output.WriteLine($"top {k} of {edges.Count} edges: faithfulness {f:F3}");
        foreach (var e in edges.Take(5)) output.WriteLine($"{e.Sender} → {e.Receiver}: {e.Score:F3}");
        Assert.Equal(1.0, curve[^1].Faithfulness, 5);
        // measured: 40 edges 0.48, 80 edges 0.64 of the logit difference
        Assert.True(curve.First(c => c.Edges == 80).Faithfulness > 0.5, "80 of 276 edges recover over half of the logit difference");
    }
}
