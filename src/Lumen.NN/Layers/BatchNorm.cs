using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>
/// Batch normalisation over axis 1 of [N, C, …] (Ioffe &amp; Szegedy 2015, https://arxiv.org/abs/1502.03167):
/// y = (x − μ)/√(σ² + ε)·γ + β, with batch statistics in training mode (updating the running statistics with
/// <see cref="Momentum"/>) and the running statistics in evaluation mode.
/// </summary>
public abstract class BatchNorm : Module, INormalization, IAffine
{
    /// <summary>Creates the layer for <paramref name="numFeatures"/> channels.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size or hyper-parameter is out of range.</exception>
    protected BatchNorm(int numFeatures, float eps, float momentum, bool affine)
    {
        if (numFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(numFeatures), $"{GetType().Name}: numFeatures must be positive, got {numFeatures}.");
        if (!(eps > 0) || momentum is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(eps), $"{GetType().Name}: eps {eps} must be > 0 and momentum {momentum} in [0, 1].");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        Weight = affine ? RegisterParameter("weight", Tensor.Ones(numFeatures)) : null;
        Bias = affine ? RegisterParameter("bias", Tensor.Zeros(numFeatures)) : null;
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures));
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.FromArray(new long[] { 0 }).Reshape());
    }

    /// <summary>C.</summary>
    public int NumFeatures { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <summary>Weight of the new batch statistic in the running average.</summary>
    public float Momentum { get; }

    /// <summary>γ [C], or null.</summary>
    public Parameter? Weight { get; }

    /// <summary>β [C], or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>Running mean [C] (a buffer, updated in place in training mode).</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running (unbiased) variance [C].</summary>
    public Tensor RunningVar { get; }

    /// <summary>Number of training batches seen (an Int64 scalar buffer, kept for PyTorch state-dict compatibility).</summary>
    public Tensor NumBatchesTracked { get; }

    /// <summary>The input ranks the layer accepts.</summary>
    protected abstract int[] AcceptedRanks { get; }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!AcceptedRanks.Contains(x.Rank) || x.Shape[1] != NumFeatures)
            throw new ArgumentException($"{Describe()}: input {x.Shape} must have rank {string.Join(" or ", AcceptedRanks)} and {NumFeatures} channels on axis 1.", nameof(x));
        if (Training) NumBatchesTracked.AsInt64Span()[0]++;
        return Functional.BatchNorm(x, RunningMean, RunningVar, Weight?.Value, Bias?.Value, Training, Momentum, Eps);
    }
}
