using System.Diagnostics;
using Lumen.NN;
using Lumen.NN.Models.Llama;
using Lumen.NN.Optim;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Mechanistic;

/// <summary>Trains the translators of a <see cref="TunedLens"/> on token sequences, with the model frozen.</summary>
/// <remarks>
/// Loss per step on a batch of positions i (positions 1… of the sequences): <c>Σ_ℓ mean_i KL(p_final,i ‖ p_ℓ,i)</c>
/// over the translated layers ℓ, where <c>p_ℓ</c> is the lens's distribution at layer ℓ; each translator only
/// affects its own term, so this trains all layers at once. The residual streams are computed once, before the
/// first step, and the final distribution of each batch is decoded from the last one. Gradients are taken with
/// respect to the translators alone (<see cref="Gradients.Of(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, IReadOnlyList{Tensor}?, bool)"/>), so the
/// model's parameters receive none. The learning rate decays linearly to 0. Belrose et al. 2023,
/// https://arxiv.org/abs/2303.08112 (section 3; they use SGD with Nesterov momentum, see <see cref="TunedLensOptimizer"/>).
/// </remarks>
/// <example><code>
/// var corpus = SampledCorpus.Generate(model, count: 64, length: 96, seed: 0);
/// var training = new TunedLensTrainer(new TunedLensOptions { Steps = 300 }).Fit(model, corpus);
/// </code></example>
public sealed class TunedLensTrainer
{
    /// <summary>A trainer with <paramref name="options"/>.</summary>
    public TunedLensTrainer(TunedLensOptions? options = null) => Options = options ?? new TunedLensOptions();

    /// <summary>The settings.</summary>
    public TunedLensOptions Options { get; }

    /// <summary>Trains a new tuned lens over <paramref name="model"/> on positions 1… of <paramref name="sequences"/>.</summary>
    /// <exception cref="ArgumentException">The settings are out of range, or no sequence has two tokens.</exception>
    public TunedLensTraining Fit(Llama model, IReadOnlyList<IReadOnlyList<int>> sequences, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Options.Steps <= 0 || Options.BatchSize <= 0) throw new ArgumentException($"TunedLensTrainer: steps {Options.Steps} and batch size {Options.BatchSize} must be positive.");
        if (!(Options.LearningRate > 0) || !float.IsFinite(Options.LearningRate)) throw new ArgumentException($"TunedLensTrainer: learning rate {Options.LearningRate} must be positive and finite.");
        var clock = Stopwatch.StartNew();
        var data = LensSamples.Collect(model, sequences);
        var lens = new TunedLens(model);
        var parameters = lens.Parameters().ToList();
        Optimizer optimizer = Options.Optimizer switch
        {
            TunedLensOptimizer.SgdNesterov => new Sgd(parameters, Options.LearningRate, momentum: 0.9f, nesterov: true, weightDecay: 1e-3f),
            _ => new AdamW(parameters, Options.LearningRate, weightDecay: 0f),
        };
        var rng = new Random(Options.Seed);
        int n = data.Count, rows = Math.Min(Options.BatchSize, n), cursor = n;
        var order = Enumerable.Range(0, n).ToArray();
        var losses = new List<double>(Options.Steps);
        for (int step = 0; step < Options.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var index = new long[rows];
            for (int r = 0; r < rows; r++)
            {
                if (cursor == n) { rng.Shuffle(order); cursor = 0; }
                index[r] = order[cursor++];
            }
            var batch = rows == n ? data : data.Rows(index);
            var target = batch.Final();                                             // [B, V]
            Tensor? loss = null;
            for (int l = 0; l < lens.TranslatorCount; l++)
            {
                var kl = TunedLens.Divergence(target, lens.Decode(l, batch.Residuals[l])).Mean();
                loss = loss is null ? kl : loss + kl;
            }
            var grads = Gradients.Of([loss!], [.. parameters.Select(p => p.Value)]);
            for (int i = 0; i < parameters.Count; i++) parameters[i].Grad = grads[i];
            optimizer.LearningRate = Options.LearningRate * (1f - (float)step / Options.Steps);
            optimizer.Step();
            losses.Add(loss!.Item() / lens.TranslatorCount);
            progress?.Report((step + 1.0) / Options.Steps);
        }
        optimizer.ZeroGrad();
        lens.Eval();
        return new TunedLensTraining(lens, losses, clock.Elapsed.TotalSeconds, n);
    }
}
