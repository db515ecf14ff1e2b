using Lumen.Tensors;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// The cooperative game of the Shapley methods (and of Lime's and KernelShap's interpretable inputs): the players are
/// the features of a <see cref="FeatureMask"/>, and a coalition's value is the target score of the input with the
/// features outside it set to the baseline.
/// </summary>
internal sealed class Coalitions
{
    private readonly PerturbationMethod method;
    private readonly Tensor input;
    private readonly Target target;
    private readonly int[] ids;
    private readonly float[] x;
    private readonly float[] x0;
    private readonly int rowSize;

    public Coalitions(PerturbationMethod method, Tensor input, Target target, FeatureMask mask, Common.Baseline baseline)
    {
        this.method = method;
        this.input = input;
        this.target = target;
        SampleCount = input.Shape[0];
        RowShape = new Shape(input.Shape.Dims[1..].ToArray());
        (ids, Features) = mask.For(input);
        rowSize = RowShape.Size;
        x = input.AsReadOnlySpan().ToArray();
        x0 = baseline.For(input).AsReadOnlySpan().ToArray();
    }

    /// <summary>The batch size B.</summary>
    public int SampleCount { get; }

    /// <summary>The number of features K.</summary>
    public int Features { get; }

    /// <summary>The shape of one row.</summary>
    public Shape RowShape { get; }

    /// <summary>The value of <paramref name="perSample"/> coalitions of every sample, sample-major:
    /// <paramref name="members"/>(q, member) marks the features of coalition q (member starts all false).</summary>
    public float[] Values(int perSample, Action<int, bool[]> members, int chunk, CancellationToken cancellation, IProgress<double>? progress)
    {
        return method.ScoreRowsFor(RowShape, SampleCount * perSample, (r, row) =>
        {
            int b = r / perSample, offset = b * rowSize;
            var member = new bool[Features];
            members(r % perSample, member);
            for (int i = 0; i < rowSize; i++) row[i] = member[ids[i]] ? x[offset + i] : x0[offset + i];
        }, r => r / perSample, target, chunk, cancellation, progress);
    }

    /// <summary>The attribution of per-feature values φ [B, K], broadcast to every element of each feature, with the
    /// efficiency gap Σφ − (f(x) − f(x′)) per sample as the delta.</summary>
    public Attribution Result(double[] phi, string name)
    {
        var both = Values(2, (q, member) => Array.Fill(member, q == 0), 2 * SampleCount, CancellationToken.None, null);
        var delta = new float[SampleCount];
        for (int b = 0; b < SampleCount; b++)
        {
            double sum = 0;
            for (int k = 0; k < Features; k++) sum += phi[b * Features + k];
            delta[b] = (float)(sum - ((double)both[2 * b] - both[2 * b + 1]));
        }
        return new Attribution(Broadcast(phi), target, name, Tensor.FromArray(delta, SampleCount));
    }

    /// <summary>Per-feature values φ [B, K] broadcast to every element of each feature, input-shaped.</summary>
    public Tensor Broadcast(double[] phi)
    {
        var map = new float[SampleCount * rowSize];
        for (int b = 0; b < SampleCount; b++)
            for (int i = 0; i < rowSize; i++) map[b * rowSize + i] = (float)phi[b * Features + ids[i]];
        return Tensor.FromArray(map, input.Shape.ToArray());
    }
}
