namespace Lumen.Tensors;

public static partial class Functional
{
    /// <summary>Group normalisation of x [N, C, …]: channels split into <paramref name="groups"/> groups, each
    /// standardised over its channels and spatial positions (<see href="https://arxiv.org/abs/1803.08494">Wu &amp; He</see>).</summary>
    /// <remarks>y = (x − E_g[x]) / √(Var_g[x] + ε) · weight_c + bias_c, population variance per (sample, group).</remarks>
    public static Tensor GroupNorm(Tensor x, int groups, Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 2) throw new ArgumentException($"GroupNorm: input {x.Shape} must be [N, C, …] (rank ≥ 2).");
        int n = x.Shape.Dims[0], channels = x.Shape.Dims[1];
        if (groups < 1 || channels % groups != 0)
            throw new ArgumentException($"GroupNorm: {channels} channels of input {x.Shape} cannot be split into {groups} groups.");
        var channelShape = new Shape(channels);
        CheckParameter("GroupNorm", "weight", weight, channelShape, x.Shape);
        CheckParameter("GroupNorm", "bias", bias, channelShape, x.Shape);
        var grouped = x.Reshape(n, groups, x.Size / Math.Max(n * groups, 1));   // [N, G, C/G·spatial]
        var normalized = Standardize(grouped, [2], eps).Reshape(x.Shape.ToArray());
        var broadcast = new int[x.Rank];                                         // [1, C, 1, …]
        Array.Fill(broadcast, 1);
        broadcast[1] = channels;
        return Affine(normalized, weight?.Reshape(broadcast), bias?.Reshape(broadcast));
    }
}
