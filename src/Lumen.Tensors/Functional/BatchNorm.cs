using Lumen.Tensors.Autograd;

namespace Lumen.Tensors;

public static partial class Functional
{
    /// <summary>Batch normalisation of x [N, C, …] per channel (<see href="https://arxiv.org/abs/1502.03167">Ioffe &amp; Szegedy</see>).</summary>
    /// <remarks>
    /// y = (x − μ) / √(σ² + ε) · weight + bias. In training, μ and σ² are the batch statistics over every axis but
    /// the channel axis (σ² biased), and the running statistics are updated in place:
    /// running ← (1 − momentum)·running + momentum·batch, with the unbiased batch variance.
    /// In evaluation, the running statistics are used.
    /// </remarks>
    /// <param name="x">Input [N, C, …].</param>
    /// <param name="runningMean">[C]; required in evaluation, updated in training when given.</param>
    /// <param name="runningVar">[C]; required in evaluation, updated in training when given.</param>
    /// <param name="weight">Optional per-channel scale [C].</param>
    /// <param name="bias">Optional per-channel shift [C].</param>
    /// <param name="training">Use batch statistics (and update the running ones).</param>
    /// <param name="momentum">Weight of the batch statistics in the running update.</param>
    /// <param name="eps">Added to the variance.</param>
    public static Tensor BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, float momentum = 0.1f, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 2) throw new ArgumentException($"BatchNorm: input {x.Shape} must be [N, C, …] (rank ≥ 2).");
        int channels = x.Shape.Dims[1];
        var channelShape = new Shape(channels);
        CheckParameter("BatchNorm", "runningMean", runningMean, channelShape, x.Shape);
        CheckParameter("BatchNorm", "runningVar", runningVar, channelShape, x.Shape);
        CheckParameter("BatchNorm", "weight", weight, channelShape, x.Shape);
        CheckParameter("BatchNorm", "bias", bias, channelShape, x.Shape);
        var broadcast = new int[x.Rank];                                       // [1, C, 1, …]
        Array.Fill(broadcast, 1);
        broadcast[1] = channels;
        if (!training)
        {
            if (runningMean is null || runningVar is null)
                throw new ArgumentException($"BatchNorm: evaluation mode needs runningMean and runningVar (input {x.Shape}).");
            // fold the statistics and the affine map into one scale and shift per channel: two passes over x, not four
            var scale = (runningVar + eps).Rsqrt();                                // [C]
            if (weight is not null) scale *= weight;
            var shift = runningMean.Neg() * scale;                                 // [C]
            if (bias is not null) shift += bias;
            return x * scale.Reshape(broadcast) + shift.Reshape(broadcast);
        }
        var axes = Enumerable.Range(0, x.Rank).Where(a => a != 1).ToArray();
        int count = x.Size / Math.Max(channels, 1);
        if (count <= 1) throw new ArgumentException($"BatchNorm: training needs more than one value per channel, got input {x.Shape}.");
        var mean = x.Mean(axes, keepDims: true);                                   // [1, C, 1, …]
        var centered = x - mean;
        var variance = (centered * centered).Mean(axes, keepDims: true);           // [1, C, 1, …]
        using (GradMode.Off())
        {
            if (runningMean is not null) UpdateRunning(runningMean, mean, momentum, 1f);
            if (runningVar is not null) UpdateRunning(runningVar, variance, momentum, count / (count - 1f));
        }
        return Affine(centered * (variance + eps).Rsqrt(), weight?.Reshape(broadcast), bias?.Reshape(broadcast));
    }

    /// <summary>running ← (1 − m)·running + m·scale·batch, in place.</summary>
    private static void UpdateRunning(Tensor running, Tensor batch, float momentum, float scale)
    {
        var r = running.AsSpan();
        var b = batch.AsReadOnlySpan();
        for (int c = 0; c < r.Length; c++) r[c] = (1 - momentum) * r[c] + momentum * scale * b[c];
    }
}
