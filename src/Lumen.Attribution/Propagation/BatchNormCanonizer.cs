using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// Merges each <see cref="BatchNorm"/> into the linear layer just before it (consecutive children of a
/// <see cref="Sequential"/>), so that LRP sees one affine layer: W′ = W·γ/√(σ²+ε) per output channel,
/// b′ = (b − μ)·γ/√(σ²+ε) + β, and the batch norm becomes the identity (or, for a layer without bias, a shift by
/// b′). Disposing the handle restores every parameter and statistic.
/// </summary>
/// <remarks>Guillemot et al. / Zennit's <c>MergeBatchNorm</c>; Anders et al. 2021, https://arxiv.org/abs/2106.13200.
/// The layer is only equivalent in evaluation mode: models in training mode are refused.</remarks>
/// <example><code>var lrp = new Lrp(model, new() { Canonizers = [new BatchNormCanonizer()] });</code></example>
public sealed class BatchNormCanonizer : ICanonizer
{
    /// <inheritdoc/>
    public IDisposable Apply(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var saved = new List<(Tensor Target, float[] Values)>();
        var restore = new Restore(saved, model.WritableWeights());
        try
        {
            foreach (var (_, container) in model.NamedModules())
            {
                if (container is not Sequential sequence) continue;
                for (int i = 1; i < sequence.Count; i++)
                    if (sequence[i] is BatchNorm norm && sequence[i - 1] is ILinearLike linear and (Linear or Conv1d or Conv2d))
                        Merge(linear, norm, saved);
            }
        }
        catch
        {
            restore.Dispose();
            throw;
        }
        return restore;
    }

    private static void Merge(ILinearLike linear, BatchNorm norm, List<(Tensor, float[])> saved)
    {
        if (norm.Training) throw new InvalidOperationException($"BatchNormCanonizer: {PropagationHooks.Describe(norm.Name, norm)} is in training mode; call Eval() on the model first.");
        int channels = norm.NumFeatures;
        var weight = linear.Weight.Value;
        if (weight.Shape[0] != channels) throw new InvalidOperationException($"BatchNormCanonizer: {PropagationHooks.Describe(norm.Name, norm)} normalises {channels} channels but the layer before it has {weight.Shape[0]} outputs.");
        foreach (var t in new[] { weight, linear.Bias?.Value, norm.Weight?.Value, norm.Bias?.Value, norm.RunningMean, norm.RunningVar })
            if (t is not null) saved.Add((t, t.AsReadOnlySpan().ToArray()));

        var mean = norm.RunningMean.AsSpan();
        var variance = norm.RunningVar.AsSpan();
        var w = weight.AsSpan();
        int perChannel = weight.Size / channels;
        var shift = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            float gamma = norm.Weight?.Value.AsReadOnlySpan()[c] ?? 1f, beta = norm.Bias?.Value.AsReadOnlySpan()[c] ?? 0f;
            float scale = gamma / MathF.Sqrt(variance[c] + norm.Eps);
            for (int k = 0; k < perChannel; k++) w[c * perChannel + k] *= scale;
            float bias = linear.Bias?.Value.AsReadOnlySpan()[c] ?? 0f;
            shift[c] = (bias - mean[c]) * scale + beta;
        }
        // The norm becomes y = (x − μ′)/√(σ′² + ε)·1 + 0 with σ′² = 1 − ε: the identity, or x + shift when the
        // layer has no bias to carry it.
        for (int c = 0; c < channels; c++)
        {
            if (linear.Bias is not null) { linear.Bias.Value.AsSpan()[c] = shift[c]; mean[c] = 0f; }
            else mean[c] = -shift[c];
            variance[c] = 1f - norm.Eps;
            if (norm.Weight is not null) norm.Weight.Value.AsSpan()[c] = 1f;
            if (norm.Bias is not null) norm.Bias.Value.AsSpan()[c] = 0f;
        }
    }

    /// <summary>Puts the saved values back, then makes the weights that were read-only read-only again.</summary>
    private sealed class Restore(List<(Tensor Target, float[] Values)> saved, IDisposable writable) : IDisposable
    {
        private bool done;

        public void Dispose()
        {
            if (done) return;
            done = true;
            for (int i = saved.Count - 1; i >= 0; i--) saved[i].Values.CopyTo(saved[i].Target.AsSpan());
            writable.Dispose();
        }
    }
}
