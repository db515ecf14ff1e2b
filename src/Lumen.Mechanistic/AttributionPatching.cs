using Lumen.NN.Hooks;
using Lumen.NN.Models.Llama;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Mechanistic;

/// <summary>Attribution patching: a first-order estimate of every activation patch from one forward and one
/// backward pass of the corrupted prompt, to compare with (or stand in for) true activation patching.</summary>
/// <remarks>
/// <c>m(patched) − m(corrupted) ≈ (a_clean − a_corrupted) · ∂m/∂a |_corrupted</c>, summed over the patched part of
/// the activation a, then normalised like <see cref="ActivationPatching"/>. Exact when m is linear in a.
/// Nanda 2023, Attribution Patching, https://www.neelnanda.io/mechanistic-interpretability/attribution-patching;
/// Syed et al. 2023, https://arxiv.org/abs/2310.10348.
/// </remarks>
/// <example><code>var estimate = new AttributionPatching(model, patching).ByPosition(PatchSite.ResidPre);
/// double r = AttributionPatching.Correlation(estimate, patching.ByPosition(PatchSite.ResidPre));</code></example>
public sealed class AttributionPatching
{
    private readonly Llama model;
    private readonly ActivationPatching patching;

    /// <summary>Estimates for the prompts and metric of <paramref name="patching"/> (whose clean activations it reuses).</summary>
    public AttributionPatching(Llama model, ActivationPatching patching)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(patching);
        this.model = model;
        this.patching = patching;
    }

    /// <summary>Estimated effect of patching <paramref name="site"/> at each layer and position.</summary>
    public PatchingGrid ByPosition(PatchSite site)
    {
        int layers = model.Config.Layers, t = patching.CleanTokens.Count, d = model.Config.Dim;
        var hooks = Enumerable.Range(0, layers).Select(l => ActivationPatching.SiteHook(site, l)).ToList();
        var (activations, gradients) = CorruptedGradients(hooks);
        var values = new float[layers * t];
        for (int l = 0; l < layers; l++)
        {
            var delta = (patching.CleanActivation(hooks[l]) - activations[l]).AsReadOnlySpan();
            var g = gradients[l].AsReadOnlySpan();
            for (int p = 0; p < t; p++)
            {
                double sum = 0;
                for (int i = p * d; i < (p + 1) * d; i++) sum += delta[i] * g[i];
                values[l * t + p] = (float)(sum / (patching.Clean - patching.Corrupted));
            }
        }
        return new PatchingGrid($"{site} by layer and position (attribution patching)", patching.LayerLabels(), patching.PositionLabels(), values, patching.Clean, patching.Corrupted);
    }

    /// <summary>Estimated effect of patching each head's output (<c>attn.z</c>) at all positions.</summary>
    public PatchingGrid Heads()
    {
        int layers = model.Config.Layers, heads = model.Config.Heads, t = patching.CleanTokens.Count, hd = model.Config.HeadDim;
        var hooks = Enumerable.Range(0, layers).Select(LlamaHookNames.Z).ToList();
        var (activations, gradients) = CorruptedGradients(hooks);
        var values = new float[layers * heads];
        for (int l = 0; l < layers; l++)
        {
            var delta = (patching.CleanActivation(hooks[l]) - activations[l]).AsReadOnlySpan();  // [1, T, H, d]
            var g = gradients[l].AsReadOnlySpan();
            for (int h = 0; h < heads; h++)
            {
                double sum = 0;
                for (int p = 0; p < t; p++)
                    for (int i = (p * heads + h) * hd; i < (p * heads + h + 1) * hd; i++) sum += delta[i] * g[i];
                values[l * heads + h] = (float)(sum / (patching.Clean - patching.Corrupted));
            }
        }
        return new PatchingGrid("head outputs (attn.z), all positions (attribution patching)", patching.LayerLabels(), patching.HeadLabels(), values, patching.Clean, patching.Corrupted);
    }

    /// <summary>Pearson correlation of two grids of the same size (e.g. the estimate against true patching).</summary>
    /// <exception cref="ArgumentException">The grids differ in size.</exception>
    public static double Correlation(PatchingGrid a, PatchingGrid b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Values.Length != b.Values.Length) throw new ArgumentException($"AttributionPatching: grids of {a.Values.Length} and {b.Values.Length} cells cannot be compared.", nameof(b));
        double ma = a.Values.Average(), mb = b.Values.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Values.Length; i++)
        {
            double x = a.Values[i] - ma, y = b.Values[i] - mb;
            sab += x * y; saa += x * x; sbb += y * y;
        }
        return sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>The corrupted run's activations at <paramref name="hooks"/> and the metric's gradients there.</summary>
    private (Tensor[] Activations, Tensor[] Gradients) CorruptedGradients(IReadOnlyList<string> hooks)
    {
        var captured = new Tensor[hooks.Count];
        Tensor metric;
        using (var scope = new HookScope())
        {
            for (int i = 0; i < hooks.Count; i++)
            {
                int index = i;
                scope.Add(model.Hooks.OnForward(hooks[i], (activation, _) => { captured[index] = activation; }));
            }
            using var grad = GradMode.On();
            metric = patching.Metric.Of(model.Call(TokenSequence.ToTensor(patching.CorruptedTokens)));
        }
        var gradients = Gradients.Of(metric, captured);
        return ([.. captured.Select(a => a.Detach())], gradients);
    }
}
