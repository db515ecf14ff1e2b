namespace Lumen.NN.Layers;

/// <summary>Batch normalisation of [N, C] or [N, C, L] (see <see cref="BatchNorm"/>).</summary>
public sealed class BatchNorm1d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true)
    : BatchNorm(numFeatures, eps, momentum, affine)
{
    /// <inheritdoc/>
    protected override int[] AcceptedRanks => [2, 3];
}
