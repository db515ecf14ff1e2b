using System.Diagnostics;
using Lumen.NN.Optim;
using Lumen.Tensors;

namespace Lumen.Mechanistic.Sae;

/// <summary>Trains a <see cref="SparseAutoencoder"/> on a matrix of activations with AdamW.</summary>
/// <remarks>
/// Loss per batch on scaled inputs: <c>mean_n ‖x̂ − x‖²</c> plus, for ReLU features, <c>λ · mean_n Σ_f f</c>;
/// decoder rows are renormalised to unit norm after every step, and the decoder bias starts at the data mean.
/// The input scale is <c>√(d / mean‖x‖²)</c>.
/// </remarks>
/// <example><code>var training = new SaeTrainer(new SaeOptions { Activation = SaeActivation.TopK, K = 8 }).Fit(activations);</code></example>
public sealed class SaeTrainer
{
    /// <summary>A trainer with <paramref name="options"/>.</summary>
    public SaeTrainer(SaeOptions? options = null) => Options = options ?? new SaeOptions();

    /// <summary>The settings.</summary>
    public SaeOptions Options { get; }

    /// <summary>Trains on <paramref name="activations"/> <c>[N, d]</c>.</summary>
    /// <exception cref="ArgumentException">The matrix is not 2-D or has no rows.</exception>
    public SaeTraining Fit(Tensor activations, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(activations);
        if (activations.Rank != 2 || activations.Shape[0] == 0) throw new ArgumentException($"SaeTrainer: activations must be [N, d] with N > 0, got {activations.Shape}.", nameof(activations));
        if (Options.Steps <= 0 || Options.BatchSize <= 0) throw new ArgumentException($"SaeTrainer: steps {Options.Steps} and batch size {Options.BatchSize} must be positive.");
        int n = activations.Shape[0], d = activations.Shape[1];
        var data = activations.Detach();
        double meanSquare = data.AsReadOnlySpan().ToArray().Sum(v => (double)v * v) / n;
        float scale = (float)Math.Sqrt(d / Math.Max(meanSquare, 1e-12));
        var sae = new SparseAutoencoder(d, Options, scale);
        (data.Mean(0) * scale).AsReadOnlySpan().CopyTo(sae.DecoderBias.Value.AsSpan());
        var optimizer = new AdamW(sae.Parameters(), Options.LearningRate, weightDecay: 0f);
        var rng = new Random(Options.Seed);
        var order = Enumerable.Range(0, n).ToArray();
        int cursor = n;
        var losses = new List<double>(Options.Steps);
        var clock = Stopwatch.StartNew();
        for (int step = 0; step < Options.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            int rows = Math.Min(Options.BatchSize, n);
            var index = new long[rows];
            for (int r = 0; r < rows; r++)
            {
                if (cursor == n) { rng.Shuffle(order); cursor = 0; }
                index[r] = order[cursor++];
            }
            var x = data.IndexSelect(0, Tensor.FromArray(index, rows)) * scale;      // [B, d], scaled
            var features = sae.Encode(x * (1f / scale));                             // Encode rescales internally
            var reconstruction = features.MatMul(sae.DecoderWeight.Value) + sae.DecoderBias.Value; // scaled units
            var error = reconstruction - x;
            var loss = (error * error).Sum(1).Mean();
            if (Options.Activation == SaeActivation.Relu) loss = loss + features.Sum(1).Mean() * Options.L1Coefficient;
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            sae.NormalizeDecoder();
            losses.Add(loss.Item());
            progress?.Report((step + 1.0) / Options.Steps);
        }
        sae.Eval();
        return new SaeTraining(sae, losses, clock.Elapsed.TotalSeconds);
    }
}
