using Lumen.NN.Models.Llama;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Mechanistic.Sae;

/// <summary>Collects a hook's activations over token sequences, and evaluates a <see cref="SparseAutoencoder"/> on
/// them: reconstruction, sparsity, spliced-in loss and the top-activating contexts of each feature.</summary>
/// <remarks>Position 0 (BOS, whose residual stream is an outlier) is left out of the activations, the metrics and
/// the splice; the loss is the mean next-token cross-entropy over the remaining positions.</remarks>
/// <example><code>
/// var evaluator = new SaeEvaluator(model, LlamaHookNames.ResidPost(2));
/// var training = new SaeTrainer(options).Fit(evaluator.Collect(train));
/// var metrics = evaluator.Evaluate(training.Autoencoder, test);
/// </code></example>
public sealed class SaeEvaluator
{
    private readonly Llama model;

    /// <summary>An evaluator for the activations at <paramref name="hook"/> (a <c>[B, T, Dim]</c> hook).</summary>
    public SaeEvaluator(Llama model, string hook)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(hook);
        model.Hooks.Resolve(hook);
        this.model = model;
        Hook = hook;
    }

    /// <summary>The hook.</summary>
    public string Hook { get; }

    /// <summary>Activations <c>[N, d]</c> at positions 1… of every sequence, sequence by sequence.</summary>
    public Tensor Collect(IReadOnlyList<IReadOnlyList<int>> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0) throw new ArgumentException("SaeEvaluator: no sequences.", nameof(sequences));
        var rows = new List<Tensor>();
        using var _ = GradMode.Off();
        foreach (var sequence in sequences)
        {
            if (sequence.Count < 2) continue;
            var activation = Activation(sequence);                              // [T, d]
            rows.Add(activation.Slice(0, 1, sequence.Count));
        }
        if (rows.Count == 0) throw new ArgumentException("SaeEvaluator: every sequence is shorter than 2 tokens.", nameof(sequences));
        return Tensor.Concat(rows, axis: 0);
    }

    /// <summary>Reconstruction, sparsity and loss metrics of <paramref name="sae"/> on <paramref name="sequences"/>.</summary>
    public SaeMetrics Evaluate(SparseAutoencoder sae, IReadOnlyList<IReadOnlyList<int>> sequences)
    {
        ArgumentNullException.ThrowIfNull(sae);
        var x = Collect(sequences);
        double residual = 0, total = 0, l0 = 0;
        var fired = new bool[sae.Features];
        int n = x.Shape[0], d = x.Shape[1];
        using (GradMode.Off())
        {
            var features = sae.Encode(x).AsReadOnlySpan().ToArray();
            var reconstruction = sae.Decode(sae.Encode(x)).AsReadOnlySpan();
            var values = x.AsReadOnlySpan();
            var mean = x.Mean(0).AsReadOnlySpan().ToArray();
            for (int i = 0; i < n * d; i++)
            {
                double e = values[i] - reconstruction[i], c = values[i] - mean[i % d];
                residual += e * e;
                total += c * c;
            }
            for (int i = 0; i < features.Length; i++)
                if (features[i] > 0) { l0++; fired[i % sae.Features] = true; }
        }
        double clean = Loss(sequences, null), spliced = Loss(sequences, a => Splice(a, sae.Call)), zero = Loss(sequences, a => Splice(a, r => r.ZerosLike()));
        return new SaeMetrics(1 - residual / total, l0 / n, fired.Count(f => !f) / (double)sae.Features, clean, spliced, zero);
    }

    /// <summary>For each of <paramref name="features"/>, the <paramref name="top"/> strongest activations over
    /// <paramref name="sequences"/> with a window of <paramref name="window"/> tokens before each.</summary>
    public IReadOnlyList<IReadOnlyList<FeatureContext>> TopContexts(SparseAutoencoder sae, IReadOnlyList<IReadOnlyList<int>> sequences, IReadOnlyList<int> features, int top = 5, int window = 10)
    {
        ArgumentNullException.ThrowIfNull(sae);
        ArgumentNullException.ThrowIfNull(features);
        var best = features.Select(_ => new List<FeatureContext>()).ToArray();
        using var _ = GradMode.Off();
        for (int s = 0; s < sequences.Count; s++)
        {
            var sequence = sequences[s];
            if (sequence.Count < 2) continue;
            var acts = sae.Encode(Activation(sequence).Slice(0, 1, sequence.Count)).AsReadOnlySpan().ToArray(); // [T−1, F]
            for (int k = 0; k < features.Count; k++)
                for (int p = 1; p < sequence.Count; p++)
                {
                    float a = acts[(p - 1) * sae.Features + features[k]];
                    if (a <= 0) continue;
                    int from = Math.Max(0, p - window), to = Math.Min(sequence.Count, p + 2);
                    best[k].Add(new FeatureContext(features[k], a, s, p, [.. sequence.Skip(from).Take(to - from)], p - from));
                }
            for (int k = 0; k < best.Length; k++)
                if (best[k].Count > 4 * top) best[k] = [.. best[k].OrderByDescending(c => c.Activation).Take(top)];
        }
        return [.. best.Select(list => (IReadOnlyList<FeatureContext>)[.. list.OrderByDescending(c => c.Activation).Take(top)])];
    }

    /// <summary>How often each feature fires on <paramref name="activations"/> <c>[N, d]</c> (fraction of rows).</summary>
    public static double[] FiringRates(SparseAutoencoder sae, Tensor activations)
    {
        ArgumentNullException.ThrowIfNull(sae);
        using var _ = GradMode.Off();
        var features = sae.Encode(activations).AsReadOnlySpan();
        int n = activations.Shape[0];
        var rates = new double[sae.Features];
        for (int i = 0; i < features.Length; i++) if (features[i] > 0) rates[i % sae.Features] += 1.0 / n;
        return rates;
    }

    private Tensor Activation(IReadOnlyList<int> sequence)
    {
        var (_, cache) = model.RunWithCache(TokenSequence.ToTensor(sequence), n => n == Hook, detach: true);
        var a = cache[Hook];
        if (a.Rank != 3) throw new ArgumentException($"SaeEvaluator: hook '{Hook}' gives {a.Shape}; a [B, T, d] activation is needed.");
        return a.Reshape(a.Shape[1], a.Shape[2]);
    }

    /// <summary>The activation <c>[1, T, d]</c> with positions 1… replaced by <paramref name="replace"/> of them.</summary>
    private static Tensor Splice(Tensor activation, Func<Tensor, Tensor> replace)
    {
        int t = activation.Shape[1], d = activation.Shape[2];
        if (t < 2) return activation;
        var rows = activation.Reshape(t, d);
        var replaced = replace(rows.Slice(0, 1, t));
        return Tensor.Concat([rows.Slice(0, 0, 1), replaced], axis: 0).Reshape(1, t, d);
    }

    private double Loss(IReadOnlyList<IReadOnlyList<int>> sequences, Func<Tensor, Tensor>? splice)
    {
        double sum = 0;
        int count = 0;
        using var _ = GradMode.Off();
        foreach (var sequence in sequences)
        {
            if (sequence.Count < 2) continue;
            using var hook = splice is null ? null : model.Hooks.OnForward(Hook, (a, _) => splice(a));
            var logp = TokenSequence.NextTokenLogProbabilities(model.Call(TokenSequence.ToTensor(sequence)), sequence);
            for (int i = 1; i < logp.Length; i++) { sum -= logp[i]; count++; }
        }
        return sum / Math.Max(count, 1);
    }
}
