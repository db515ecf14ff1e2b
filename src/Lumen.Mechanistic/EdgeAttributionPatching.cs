using Lumen.NN.Hooks;
using Lumen.NN.Models.Llama;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Mechanistic;

/// <summary>Automatic circuit discovery by edge attribution patching (EAP): scores every edge of the residual graph
/// (embedding, heads and MLPs → the attention, MLP and unembedding inputs downstream of them) with one backward pass,
/// then measures how faithful the circuits of the top-scoring edges are.</summary>
/// <remarks>
/// Score of edge u → v: <c>(u_clean − u_corrupted) · ∂m/∂in_v</c> summed over positions, with the gradient taken at the
/// corrupted run through receiver v alone (the input of its RMSNorm). A circuit is evaluated on the clean prompt with
/// every edge outside it patched: each receiver reads <c>in_v − Σ_{u→v ∉ circuit} (u − u_corrupted)</c>, where u is
/// the sender's output in the same run. Faithfulness <c>(m − m_corrupted)/(m_clean − m_corrupted)</c> is 1 for all
/// edges and 0 for none. Syed et al. 2023, Attribution Patching Outperforms Automated Circuit Discovery,
/// https://arxiv.org/abs/2310.10348; Conmy et al. 2023 (ACDC), https://arxiv.org/abs/2304.14997.
/// </remarks>
/// <example><code>var eap = new EdgeAttributionPatching(model, patching); var edges = eap.ScoreEdges(); var curve = eap.FaithfulnessCurve(edges, [1, 5, 20, 100]);</code></example>
public sealed class EdgeAttributionPatching
{
    private readonly Llama model;
    private readonly ActivationPatching patching;
    private readonly ResidualDecomposition decomposition;
    private readonly Dictionary<string, Tensor> clean, corrupted; // sender name → output [1, T, Dim]

    /// <summary>EAP for the prompts and metric of <paramref name="patching"/>.</summary>
    public EdgeAttributionPatching(Llama model, ActivationPatching patching)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(patching);
        this.model = model;
        this.patching = patching;
        decomposition = new ResidualDecomposition(model);
        clean = SenderOutputs(patching.CleanTokens);
        corrupted = SenderOutputs(patching.CorruptedTokens);
    }

    /// <summary>Senders in model order: "embed", "LiHh", "mlp i".</summary>
    public IReadOnlyList<string> Senders => [.. clean.Keys];

    /// <summary>Receivers in model order: "attn i", "mlp i", "logits".</summary>
    public IReadOnlyList<string> Receivers =>
        [.. Enumerable.Range(0, model.Config.Layers).SelectMany(l => new[] { $"attn {l}", $"mlp {l}" }), "logits"];

    /// <summary>Every edge with its score, by |score| descending.</summary>
    public IReadOnlyList<(string Sender, string Receiver, double Score)> ScoreEdges()
    {
        var receivers = Receivers;
        var captured = new Tensor[receivers.Count];
        Tensor metric;
        using (var scope = new HookScope())
        {
            for (int r = 0; r < receivers.Count; r++)
            {
                int index = r;
                scope.Add(model.Hooks.OnInput(ReceiverModule(receivers[r]), (x, _) => captured[index] = x * 1f));
            }
            using var grad = GradMode.On();
            metric = patching.Metric.Of(model.Call(TokenSequence.ToTensor(patching.CorruptedTokens)));
        }
        var gradients = Gradients.Of(metric, captured);
        var edges = new List<(string, string, double)>();
        for (int r = 0; r < receivers.Count; r++)
        {
            var g = gradients[r].AsReadOnlySpan().ToArray();
            foreach (var sender in Senders.Where(s => Feeds(s, receivers[r])))
            {
                var delta = (clean[sender] - corrupted[sender]).AsReadOnlySpan();
                double score = 0;
                for (int i = 0; i < g.Length; i++) score += delta[i] * g[i];
                edges.Add((sender, receivers[r], score / (patching.Clean - patching.Corrupted)));
            }
        }
        return [.. edges.OrderByDescending(e => Math.Abs(e.Item3))];
    }

    /// <summary>Normalised metric of the circuit made of <paramref name="circuit"/> (every other edge patched).</summary>
    public double Faithfulness(IEnumerable<(string Sender, string Receiver)> circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var kept = circuit.ToHashSet();
        var current = new Dictionary<string, Tensor>();
        using var scope = new HookScope();
        scope.Add(model.Hooks.OnForward(LlamaHookNames.Embed, (e, _) => { current["embed"] = e; }));
        for (int l = 0; l < model.Config.Layers; l++)
        {
            int layer = l;
            scope.Add(model.Hooks.OnForward(LlamaHookNames.Z(l), (z, _) =>
            {
                for (int h = 0; h < model.Config.Heads; h++) current[ResidualDecomposition.HeadName(layer, h)] = decomposition.HeadOutput(z, layer, h);
            }));
            scope.Add(model.Hooks.OnForward(LlamaHookNames.MlpOut(l), (m, _) => { current[$"mlp {layer}"] = m; }));
        }
        foreach (var receiver in Receivers)
            scope.Add(model.Hooks.OnInput(ReceiverModule(receiver), (x, _) =>
            {
                var input = x;
                foreach (var sender in Senders)
                    if (Feeds(sender, receiver) && !kept.Contains((sender, receiver)))
                        input = input - (current[sender] - corrupted[sender]);
                return input;
            }));
        using var _ = GradMode.Off();
        return patching.Normalize(patching.Metric.Evaluate(model.Call(TokenSequence.ToTensor(patching.CleanTokens))));
    }

    /// <summary>Faithfulness of the circuits of the top <c>k</c> edges for each k in <paramref name="edgeCounts"/>.</summary>
    public IReadOnlyList<(int Edges, double Faithfulness)> FaithfulnessCurve(IReadOnlyList<(string Sender, string Receiver, double Score)> ranked, IEnumerable<int> edgeCounts)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(edgeCounts);
        return [.. edgeCounts.Select(k => Math.Clamp(k, 0, ranked.Count)).Distinct().Select(k => (k, Faithfulness(ranked.Take(k).Select(e => (e.Sender, e.Receiver)))))];
    }

    /// <summary>True when <paramref name="sender"/> writes to the residual stream before <paramref name="receiver"/> reads it.</summary>
    private bool Feeds(string sender, string receiver)
    {
        int senderOrder = sender == "embed" ? -1 : sender.StartsWith('L') ? 2 * Layer(sender[1..sender.IndexOf('H', StringComparison.Ordinal)]) : 2 * Layer(sender[4..]) + 1;
        int receiverOrder = receiver == "logits" ? int.MaxValue : receiver.StartsWith("attn", StringComparison.Ordinal) ? 2 * Layer(receiver[5..]) : 2 * Layer(receiver[4..]) + 1;
        return senderOrder < receiverOrder;
    }

    private static int Layer(string digits) => int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);

    private string ReceiverModule(string receiver) =>
        receiver == "logits" ? LlamaHookNames.LnFinal
        : receiver.StartsWith("attn", StringComparison.Ordinal) ? LlamaHookNames.Ln1(Layer(receiver[5..])) : LlamaHookNames.Ln2(Layer(receiver[4..]));

    private Dictionary<string, Tensor> SenderOutputs(IReadOnlyList<int> tokens)
    {
        using var _ = GradMode.Off();
        var (_, cache) = model.RunWithCache(TokenSequence.ToTensor(tokens), n => n == LlamaHookNames.Embed || n.EndsWith(".attn.z", StringComparison.Ordinal) || n.EndsWith(".mlp.out", StringComparison.Ordinal), detach: true);
        var outputs = new Dictionary<string, Tensor> { ["embed"] = cache[LlamaHookNames.Embed] };
        for (int l = 0; l < model.Config.Layers; l++)
        {
            for (int h = 0; h < model.Config.Heads; h++) outputs[ResidualDecomposition.HeadName(l, h)] = decomposition.HeadOutput(cache[LlamaHookNames.Z(l)], l, h);
            outputs[$"mlp {l}"] = cache[LlamaHookNames.MlpOut(l)];
        }
        return outputs;
    }
}
