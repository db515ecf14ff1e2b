using Lumen.NN;
using Lumen.NN.Hooks;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Analysis.Patching;

/// <summary>
/// Ablates units (channels) of a layer and measures the effect on the model's output: the causal counterpart of
/// looking at activations. Zero, mean and resample ablation replace the chosen channels through a forward hook.
/// </summary>
/// <remarks>
/// For activation a [B, C, …] and channel mask m_c ∈ {0, 1}: a′ = a·(1 − m) + r·m, with r = 0 (zero), r = E_ref[a]
/// (mean over the reference examples, per position) or r_b = a_ref[π(b)] (resample, π drawn uniformly with the seed).
/// The effect of ablating a set S on a score s(y) per example is Δ = mean_b (s(y′_b) − s(y_b)); see Meyes et al. 2019
/// (https://arxiv.org/abs/1901.08644) and Morcos et al. 2018 (https://arxiv.org/abs/1803.06959).
/// </remarks>
/// <example><code>
/// var ablation = new Ablation(model, "layer3.0.relu", AblationMode.Mean, reference: calibrationBatch);
/// using (ablation.Patch([4, 9])) { var y = model.Call(x); }      // channels 4 and 9 mean-ablated
/// var effects = ablation.Scan(x, y => y.Max(1));                  // per channel: Δ of the top logit, top-1 agreement
/// </code></example>
public sealed class Ablation
{
    private readonly Module model;
    private readonly string hookPoint;
    private readonly AblationMode mode;
    private readonly Tensor? reference;
    private readonly Tensor? referenceMean;
    private readonly int seed;

    /// <summary>Prepares ablations of <paramref name="hookPoint"/>; Mean and Resample need <paramref name="reference"/>
    /// inputs [N, …], run once now to record the layer's reference activations.</summary>
    /// <exception cref="ArgumentException">Unknown hook point, or no reference for Mean/Resample.</exception>
    public Ablation(Module model, string hookPoint, AblationMode mode = AblationMode.Zero, Tensor? reference = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Hooks.Resolve(hookPoint);
        if (mode != AblationMode.Zero && reference is null)
            throw new ArgumentException($"Ablation: {mode} ablation needs reference inputs to take activations from.", nameof(reference));
        this.model = model;
        this.hookPoint = hookPoint;
        this.mode = mode;
        this.seed = seed;
        if (reference is not null && mode != AblationMode.Zero)
        {
            using (GradMode.Off()) this.reference = model.RunWithCache(reference, n => n == hookPoint, detach: true).Cache[hookPoint];
            referenceMean = this.reference.Mean(0, keepDims: true);
        }
    }

    /// <summary>Ablates <paramref name="channels"/> until the returned handle is disposed.</summary>
    /// <exception cref="ArgumentException">No channel given (at use: a channel out of range).</exception>
    public IDisposable Patch(IReadOnlyList<int> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count == 0) throw new ArgumentException("Ablation: name at least one channel.", nameof(channels));
        int call = 0;
        return model.Hooks.OnForward(hookPoint, (a, context) => context.Index != 0 ? a : Replace(a, channels, call++));
    }

    /// <summary>The model output on <paramref name="input"/> with <paramref name="channels"/> ablated.</summary>
    public Tensor Run(Tensor input, IReadOnlyList<int> channels)
    {
        using var patch = Patch(channels);
        using (GradMode.Off()) return model.Call(input);
    }

    /// <summary>For each channel in <paramref name="channels"/> (all when null) alone: the mean change of
    /// <paramref name="score"/> (one value per example, e.g. the clean prediction's logit) when it is ablated, and
    /// how often the top-1 output stays the same.</summary>
    public IReadOnlyList<UnitEffect> Scan(Tensor input, Func<Tensor, Tensor> score, IReadOnlyList<int>? channels = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(score);
        Tensor clean, activation;
        using (GradMode.Off())
        {
            var (output, cache) = model.RunWithCache(input, n => n == hookPoint, detach: true);
            clean = output;
            activation = cache[hookPoint];
        }
        var results = new List<UnitEffect>();
        foreach (var c in channels ?? [.. Enumerable.Range(0, activation.Shape[1])])
        {
            cancellation.ThrowIfCancellationRequested();
            results.Add(Effect(c, clean, Run(input, [c]), score));
        }
        return results;
    }

    /// <summary>The effect of ablating every channel of <paramref name="channels"/> together (reported as channel −1).</summary>
    public UnitEffect Measure(Tensor input, IReadOnlyList<int> channels, Func<Tensor, Tensor> score)
    {
        ArgumentNullException.ThrowIfNull(score);
        Tensor clean;
        using (GradMode.Off()) clean = model.Call(input);
        return Effect(-1, clean, Run(input, channels), score);
    }

    private static UnitEffect Effect(int channel, Tensor clean, Tensor ablated, Func<Tensor, Tensor> score)
    {
        var before = score(clean).ToArray();
        var after = score(ablated).ToArray();
        var top = clean.Flatten(1).ArgMax(1).ToInt64Array();
        var topAfter = ablated.Flatten(1).ArgMax(1).ToInt64Array();
        return new UnitEffect(channel, Enumerable.Range(0, before.Length).Average(i => (double)after[i] - before[i]),
            Enumerable.Range(0, top.Length).Count(i => top[i] == topAfter[i]) / (double)top.Length);
    }

    private Tensor Replace(Tensor a, IReadOnlyList<int> channels, int call)
    {
        if (a.Rank < 2) throw new InvalidOperationException($"Ablation: '{hookPoint}' produced {a.Shape}; expected [B, C, …].");
        int c = a.Shape[1];
        var mask = new float[c];
        foreach (var ch in channels)
            mask[ch >= 0 && ch < c ? ch : throw new ArgumentOutOfRangeException(nameof(channels), $"Ablation: channel {ch} is out of range; '{hookPoint}' has {c} channels.")] = 1f;
        var m = Tensor.FromArray(mask, [1, c, .. Enumerable.Repeat(1, a.Rank - 2)]);
        var kept = a * (1f - m);
        if (mode == AblationMode.Zero) return kept;
        CheckReference(a);
        if (mode == AblationMode.Mean) return kept + referenceMean! * m;
        var rng = new Random(HashCode.Combine(seed, call));
        var picks = Enumerable.Range(0, a.Shape[0]).Select(_ => (long)rng.Next(reference!.Shape[0])).ToArray();
        return kept + reference!.IndexSelect(0, Tensor.FromArray(picks, picks.Length)) * m;
    }

    private void CheckReference(Tensor a)
    {
        if (!reference!.Shape.Dims[1..].SequenceEqual(a.Shape.Dims[1..]))
            throw new InvalidOperationException($"Ablation: '{hookPoint}' has per-example shape {a.Shape} now but {reference.Shape} on the reference inputs.");
    }
}
