using Lumen.NN.Hooks;
using Lumen.NN.Models.Llama;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Mechanistic;

/// <summary>Path patching: the effect of a sender head on the metric through chosen receivers only (the final
/// residual stream for the direct path, or later heads' queries, keys or values).</summary>
/// <remarks>
/// Three runs (Wang et al. 2022, Interpretability in the Wild, https://arxiv.org/abs/2211.00593; Goldowsky-Dill et al.
/// 2023, https://arxiv.org/abs/2304.05969): (1) the clean and corrupted activations are known from
/// <see cref="ActivationPatching"/>; (2) the corrupted prompt runs with the sender head's <c>attn.z</c> set to its
/// clean value and every other head's <c>attn.z</c> and every MLP output frozen at the corrupted values, and the
/// receivers' activations are recorded; (3) the corrupted prompt runs with only the receivers set to those recorded
/// values. The normalised metric of run 3 is the path's effect. A sender at or after a receiver's layer has no path
/// to it and scores 0.
/// </remarks>
/// <example><code>var direct = new PathPatching(model, patching).Heads([new ActivationPatch(LlamaHookNames.ResidPost(4))]);</code></example>
public sealed class PathPatching
{
    private readonly Llama model;
    private readonly ActivationPatching patching;
    private readonly ActivationCache corrupted;

    /// <summary>Path patching for the prompts and metric of <paramref name="patching"/>.</summary>
    public PathPatching(Llama model, ActivationPatching patching)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(patching);
        this.model = model;
        this.patching = patching;
        using var noGrad = GradMode.Off();
        (_, corrupted) = model.RunWithCache(TokenSequence.ToTensor(patching.CorruptedTokens),
            n => n.EndsWith(".attn.z", StringComparison.Ordinal) || n.EndsWith(".mlp.out", StringComparison.Ordinal), detach: true);
    }

    /// <summary>The receivers of the direct path: the final residual stream.</summary>
    public IReadOnlyList<ActivationPatch> DirectToLogits() => [new(LlamaHookNames.ResidPost(model.Config.Layers - 1))];

    /// <summary>Effect of one sender head through <paramref name="receivers"/>.</summary>
    public double Effect(int layer, int head, IReadOnlyList<ActivationPatch> receivers)
    {
        ArgumentNullException.ThrowIfNull(receivers);
        if (receivers.Count == 0) throw new ArgumentException("PathPatching: give at least one receiver.", nameof(receivers));
        var recorded = new Tensor[receivers.Count];
        using (var scope = new HookScope())
        {
            for (int l = 0; l < model.Config.Layers; l++)
            {
                var frozenZ = corrupted[LlamaHookNames.Z(l)];
                var cleanZ = patching.CleanActivation(LlamaHookNames.Z(l));
                var sender = new ActivationPatch(LlamaHookNames.Z(l), Head: head);
                bool isSender = l == layer;
                scope.Add(model.Hooks.OnForward(LlamaHookNames.Z(l), (_, _) => isSender ? sender.Apply(frozenZ, cleanZ) : frozenZ));
                var frozenMlp = corrupted[LlamaHookNames.MlpOut(l)];
                scope.Add(model.Hooks.OnForward(LlamaHookNames.MlpOut(l), (_, _) => frozenMlp));
            }
            for (int r = 0; r < receivers.Count; r++)
            {
                int index = r;
                scope.Add(model.Hooks.OnForward(receivers[r].Hook, (activation, _) => { recorded[index] = activation; }));
            }
            using var _ = GradMode.Off();
            model.Call(TokenSequence.ToTensor(patching.CorruptedTokens));
        }
        using (var scope = new HookScope())
        {
            for (int r = 0; r < receivers.Count; r++)
            {
                var (patch, source) = (receivers[r], recorded[r]);
                scope.Add(model.Hooks.OnForward(patch.Hook, (activation, _) => patch.Apply(activation, source)));
            }
            using var _ = GradMode.Off();
            return patching.Normalize(patching.Metric.Evaluate(model.Call(TokenSequence.ToTensor(patching.CorruptedTokens))));
        }
    }

    /// <summary>Effect of every head through <paramref name="receivers"/>: a <c>[layers × heads]</c> grid.</summary>
    public PatchingGrid Heads(IReadOnlyList<ActivationPatch> receivers, string description = "the final residual stream")
    {
        int layers = model.Config.Layers, heads = model.Config.Heads;
        var values = new float[layers * heads];
        for (int l = 0; l < layers; l++)
            for (int h = 0; h < heads; h++) values[l * heads + h] = (float)Effect(l, h, receivers);
        return new PatchingGrid($"path patching: head → {description}", patching.LayerLabels(), patching.HeadLabels(), values, patching.Clean, patching.Corrupted);
    }
}
