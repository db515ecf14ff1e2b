using Lumen.NN.Hooks;
using Lumen.NN.Models.Llama;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Mechanistic;

/// <summary>Activation patching (causal tracing): run the corrupted prompt, overwrite chosen activations with their
/// values from the clean prompt, and measure how much of the clean behaviour returns.</summary>
/// <remarks>
/// Effect of a patch = <c>(m(patched) − m(corrupted)) / (m(clean) − m(corrupted))</c> for a metric m such as a logit
/// difference. Both prompts must have the same number of tokens. Patching every activation that feeds the output
/// (the embedding and every attention and MLP output, at all positions) reproduces the clean logits exactly.
/// Meng et al. 2022, Locating and Editing Factual Associations in GPT, https://arxiv.org/abs/2202.05262;
/// Heimersheim and Nanda 2024, How to use and interpret activation patching, https://arxiv.org/abs/2404.15255.
/// </remarks>
/// <example><code>
/// var patching = new ActivationPatching(model, clean, corrupted, new LogitDifference(answer, wrong));
/// var grid = patching.ByPosition(PatchSite.ResidPre);   // [layers × positions]
/// </code></example>
public sealed class ActivationPatching
{
    private readonly Llama model;
    private readonly ActivationCache cleanCache;

    /// <summary>Runs both prompts once and keeps every activation of the clean run.</summary>
    /// <exception cref="ArgumentException">The prompts differ in length.</exception>
    public ActivationPatching(Llama model, IReadOnlyList<int> clean, IReadOnlyList<int> corrupted, LogitDifference metric)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(clean);
        ArgumentNullException.ThrowIfNull(corrupted);
        ArgumentNullException.ThrowIfNull(metric);
        if (clean.Count != corrupted.Count) throw new ArgumentException($"ActivationPatching: the clean prompt has {clean.Count} tokens, the corrupted {corrupted.Count}; they must align.", nameof(corrupted));
        this.model = model;
        Metric = metric;
        CleanTokens = clean;
        CorruptedTokens = corrupted;
        using var _ = GradMode.Off();
        (var cleanLogits, cleanCache) = model.RunWithCache(TokenSequence.ToTensor(clean), detach: true);
        CleanLogits = cleanLogits;
        CorruptedLogits = model.Call(TokenSequence.ToTensor(corrupted));
        Clean = metric.Evaluate(CleanLogits);
        Corrupted = metric.Evaluate(CorruptedLogits);
    }

    /// <summary>The metric.</summary>
    public LogitDifference Metric { get; }

    /// <summary>The clean prompt.</summary>
    public IReadOnlyList<int> CleanTokens { get; }

    /// <summary>The corrupted prompt.</summary>
    public IReadOnlyList<int> CorruptedTokens { get; }

    /// <summary>Logits of the clean run.</summary>
    public Tensor CleanLogits { get; }

    /// <summary>Logits of the corrupted run.</summary>
    public Tensor CorruptedLogits { get; }

    /// <summary>Metric on the clean run.</summary>
    public double Clean { get; }

    /// <summary>Metric on the corrupted run.</summary>
    public double Corrupted { get; }

    /// <summary>The clean run's activation at <paramref name="hook"/>.</summary>
    public Tensor CleanActivation(string hook) => cleanCache[hook];

    /// <summary>Logits of the corrupted prompt with <paramref name="patches"/> taken from the clean run.</summary>
    public Tensor RunPatched(IEnumerable<ActivationPatch> patches)
    {
        ArgumentNullException.ThrowIfNull(patches);
        using var scope = new HookScope();
        foreach (var patch in patches)
        {
            var source = cleanCache[patch.Hook];
            scope.Add(model.Hooks.OnForward(patch.Hook, (activation, _) => patch.Apply(activation, source)));
        }
        using var _ = GradMode.Off();
        return model.Call(TokenSequence.ToTensor(CorruptedTokens));
    }

    /// <summary>Normalised effect of one set of patches.</summary>
    public double Effect(IEnumerable<ActivationPatch> patches) => Normalize(Metric.Evaluate(RunPatched(patches)));

    /// <summary><c>(m − m_corrupted) / (m_clean − m_corrupted)</c>.</summary>
    public double Normalize(double value) => (value - Corrupted) / (Clean - Corrupted);

    /// <summary>Every activation that feeds the output: the embedding and each attention and MLP output.</summary>
    public IReadOnlyList<ActivationPatch> Everything() =>
        [new(LlamaHookNames.Embed), .. Enumerable.Range(0, model.Config.Layers).SelectMany(l => new ActivationPatch[] { new(LlamaHookNames.AttnOut(l)), new(LlamaHookNames.MlpOut(l)) })];

    /// <summary>Patches <paramref name="site"/> at one layer and one position at a time: a <c>[layers × positions]</c> grid.</summary>
    public PatchingGrid ByPosition(PatchSite site)
    {
        int layers = model.Config.Layers, t = CleanTokens.Count;
        var values = new float[layers * t];
        for (int l = 0; l < layers; l++)
            for (int p = 0; p < t; p++)
                values[l * t + p] = (float)Effect([new ActivationPatch(SiteHook(site, l), Position: p)]);
        return new PatchingGrid($"{site} by layer and position", LayerLabels(), PositionLabels(), values, Clean, Corrupted);
    }

    /// <summary>Patches each head's output (<c>attn.z</c>) at all positions: a <c>[layers × heads]</c> grid.</summary>
    public PatchingGrid Heads()
    {
        int layers = model.Config.Layers, heads = model.Config.Heads;
        var values = new float[layers * heads];
        for (int l = 0; l < layers; l++)
            for (int h = 0; h < heads; h++)
                values[l * heads + h] = (float)Effect([new ActivationPatch(LlamaHookNames.Z(l), Head: h)]);
        return new PatchingGrid("head outputs (attn.z), all positions", LayerLabels(), HeadLabels(), values, Clean, Corrupted);
    }

    /// <summary>Patches each head's output at each position: a <c>[heads × positions]</c> grid (rows LiHh).</summary>
    public PatchingGrid HeadsByPosition()
    {
        int layers = model.Config.Layers, heads = model.Config.Heads, t = CleanTokens.Count;
        var values = new float[layers * heads * t];
        var rows = new List<string>();
        for (int l = 0; l < layers; l++)
            for (int h = 0; h < heads; h++)
            {
                rows.Add(ResidualDecomposition.HeadName(l, h));
                for (int p = 0; p < t; p++)
                    values[(l * heads + h) * t + p] = (float)Effect([new ActivationPatch(LlamaHookNames.Z(l), Position: p, Head: h)]);
            }
        return new PatchingGrid("head outputs (attn.z) by position", rows, PositionLabels(), values, Clean, Corrupted);
    }

    /// <summary>The hook a site names at <paramref name="layer"/>.</summary>
    public static string SiteHook(PatchSite site, int layer) => site switch
    {
        PatchSite.ResidPre => LlamaHookNames.ResidPre(layer),
        PatchSite.AttnOut => LlamaHookNames.AttnOut(layer),
        PatchSite.MlpOut => LlamaHookNames.MlpOut(layer),
        _ => throw new ArgumentOutOfRangeException(nameof(site), site, "ActivationPatching: unknown patch site."),
    };

    internal IReadOnlyList<string> LayerLabels() => [.. Enumerable.Range(0, model.Config.Layers).Select(l => $"layer {l}")];

    internal IReadOnlyList<string> HeadLabels() => [.. Enumerable.Range(0, model.Config.Heads).Select(h => $"H{h}")];

    internal IReadOnlyList<string> PositionLabels() => [.. Enumerable.Range(0, CleanTokens.Count).Select(p => $"{p}")];
}
