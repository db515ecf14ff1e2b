using Lumen.Tensors;

namespace Lumen.NN;

public static partial class Loss
{
    /// <summary>The PyTorch default <c>ignore_index</c>.</summary>
    public const long DefaultIgnoreIndex = -100;

    /// <summary>Cross-entropy of logits [N, C, d…] against Int64 class targets [N, d…] (or Float32 class
    /// probabilities shaped like the logits), with optional label smoothing.</summary>
    /// <remarks>ℓ = −Σ_c q_c·log softmax(x)_c with q = (1−ε)·onehot(t) + ε/C. Mean reduction divides by the number
    /// of targets not equal to <paramref name="ignoreIndex"/> (PyTorch semantics).</remarks>
    /// <exception cref="ArgumentException">Shapes or dtypes do not fit, or a target is out of [0, C).</exception>
    public static Tensor CrossEntropy(Tensor logits, Tensor targets, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f, long ignoreIndex = DefaultIgnoreIndex)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (labelSmoothing is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"CrossEntropy: label smoothing must be in [0, 1], got {labelSmoothing}.");
        if (logits.Rank < 2) throw new ArgumentException($"CrossEntropy: logits {logits.Shape} must be [N, C, …].", nameof(logits));
        return WeightedNegativeLogLikelihood(logits.LogSoftmax(1), targets, reduction, labelSmoothing, ignoreIndex, "CrossEntropy");
    }

    /// <summary>Negative log-likelihood of log-probabilities [N, C, d…] against Int64 class targets [N, d…].</summary>
    /// <remarks>ℓ = −log p_t; mean reduction divides by the number of non-ignored targets.</remarks>
    /// <exception cref="ArgumentException">Shapes or dtypes do not fit, or a target is out of [0, C).</exception>
    public static Tensor NllLoss(Tensor logProbabilities, Tensor targets, Reduction reduction = Reduction.Mean, long ignoreIndex = DefaultIgnoreIndex)
    {
        ArgumentNullException.ThrowIfNull(logProbabilities);
        if (logProbabilities.Rank < 2) throw new ArgumentException($"NllLoss: input {logProbabilities.Shape} must be [N, C, …].", nameof(logProbabilities));
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.DType != DType.Int64) throw new ArgumentException($"NllLoss: targets must be Int64 class indices, got {targets.DType} {targets.Shape}.", nameof(targets));
        return WeightedNegativeLogLikelihood(logProbabilities, targets, reduction, 0f, ignoreIndex, "NllLoss");
    }

    /// <summary>−Σ_c q_c·logp_c per target position, where q is the (smoothed) target distribution.</summary>
    private static Tensor WeightedNegativeLogLikelihood(Tensor logp, Tensor targets, Reduction reduction, float smoothing, long ignoreIndex, string op)
    {
        ArgumentNullException.ThrowIfNull(targets);
        int classes = logp.Shape[1];
        Tensor q;
        float count;
        if (targets.DType == DType.Float32)
        {
            if (targets.Shape != logp.Shape) throw new ArgumentException($"{op}: probability targets {targets.Shape} must match the input {logp.Shape}.", nameof(targets));
            q = smoothing == 0 ? targets : targets * (1 - smoothing) + smoothing / classes;
            count = logp.Shape.Size / classes;
        }
        else
        {
            (q, count) = TargetDistribution(logp.Shape, targets, smoothing, ignoreIndex, op);
        }
        var perTarget = (logp * q).Sum(1).Neg(); // [N, d…]
        return reduction == Reduction.Mean ? perTarget.Sum() / Math.Max(count, 1f) : Reduce(perTarget, reduction, op);
    }

    /// <summary>q [N, C, d…]: (1−ε)·onehot + ε/C per target, zero for ignored targets; also the non-ignored count.</summary>
    private static (Tensor Q, float Count) TargetDistribution(Shape shape, Tensor targets, float smoothing, long ignoreIndex, string op)
    {
        int n = shape[0], classes = shape[1], inner = shape.Product(2, shape.Rank);
        var expected = new Shape([n, .. shape.Dims[2..]]);
        if (targets.DType != DType.Int64 || targets.Shape != expected)
            throw new ArgumentException($"{op}: targets must be Int64 of shape {expected} for input {shape}, got {targets.DType} {targets.Shape}.", nameof(targets));
        var t = targets.AsInt64Span();
        var q = new float[shape.Size];
        int count = 0;
        for (int b = 0; b < n; b++)
            for (int i = 0; i < inner; i++)
            {
                long c = t[b * inner + i];
                if (c == ignoreIndex) continue;
                if (c < 0 || c >= classes) throw new ArgumentException($"{op}: target {c} at position {b * inner + i} is out of range for {classes} classes.", nameof(targets));
                count++;
                int baseIndex = b * classes * inner + i;
                for (int k = 0; k < classes; k++) q[baseIndex + k * inner] = smoothing / classes;
                q[baseIndex + (int)c * inner] += 1 - smoothing;
            }
        return (Tensor.FromArray(q, shape.ToArray()), count);
    }
}
