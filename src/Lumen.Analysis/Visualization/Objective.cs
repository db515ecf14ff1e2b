using Lumen.Tensors;

namespace Lumen.Analysis.Visualization;

/// <summary>
/// What feature visualization maximises: a sum of weighted terms, each read from one hook point's activation (or the
/// model output). Build terms with the factories and combine them with <c>+</c> and <c>*</c>.
/// </summary>
/// <remarks>
/// Channel: mean over positions of a[b, c]. Neuron: a[b, c, y, x] (the centre by default). Direction: mean over
/// positions of Σ_c v_c·a[b, c] (the activation projected on v). Class: the output logit y[b, k]. Diversity (Olah et
/// al. 2017): −1/B Σ_b Σ_{b′≠b} cos(G_b, G_b′) with G_b = A_b A_bᵀ the channel Gram matrix of example b.
/// Each term sums over the selected batch elements (all when <c>batch</c> is null).
/// See Olah, Mordvintsev &amp; Schubert 2017, https://distill.pub/2017/feature-visualization/.
/// </remarks>
/// <example><code>
/// var objective = Objective.Channel("block3.relu", 12) + 0.5f * Objective.Diversity("block3.relu");
/// </code></example>
public sealed class Objective
{
    private Objective(IReadOnlyList<ObjectiveTerm> terms) => Terms = terms;

    /// <summary>The weighted terms.</summary>
    internal IReadOnlyList<ObjectiveTerm> Terms { get; }

    /// <summary>Readable form, e.g. "channel(conv3:12) + 0.5·diversity(conv3)".</summary>
    public override string ToString() => string.Join(" + ", Terms.Select(t => t.Weight == 1f ? t.Description : $"{t.Weight:0.###}·{t.Description}"));

    /// <summary>The mean activation of <paramref name="channel"/> at <paramref name="hookPoint"/>.</summary>
    public static Objective Channel(string hookPoint, int channel, int? batch = null)
    {
        CheckIndex(channel, nameof(channel));
        return Single(hookPoint, $"channel({hookPoint}:{channel}{Batch(batch)})", a => Select(a, batch, "channel").Slice(1, channel, channel + 1).Sum() / Positions(a));
    }

    /// <summary>One unit: channel <paramref name="channel"/> at position (<paramref name="y"/>, <paramref name="x"/>),
    /// the centre of the map when not given; for [B, D] activations, unit <paramref name="channel"/>.</summary>
    public static Objective Neuron(string hookPoint, int channel, int? y = null, int? x = null, int? batch = null)
    {
        CheckIndex(channel, nameof(channel));
        return Single(hookPoint, $"neuron({hookPoint}:{channel}{Batch(batch)})", a =>
        {
            var s = Select(a, batch, "neuron").Slice(1, channel, channel + 1);
            if (s.Rank == 4)
            {
                int yy = y ?? s.Shape[2] / 2, xx = x ?? s.Shape[3] / 2;
                s = s.Slice(2, yy, yy + 1).Slice(3, xx, xx + 1);
            }
            return s.Sum();
        });
    }

    /// <summary>The activation projected on <paramref name="direction"/> (one weight per channel), averaged over positions.</summary>
    public static Objective Direction(string hookPoint, IReadOnlyList<float> direction, int? batch = null)
    {
        ArgumentNullException.ThrowIfNull(direction);
        if (direction.Count == 0) throw new ArgumentException("Objective.Direction: the direction is empty.", nameof(direction));
        var v = Tensor.FromArray([.. direction], direction.Count);
        return Single(hookPoint, $"direction({hookPoint}{Batch(batch)})", a =>
        {
            var s = Select(a, batch, "direction");
            if (s.Shape[1] != direction.Count) throw new ArgumentException($"Objective.Direction: '{hookPoint}' has {s.Shape[1]} channels but the direction has {direction.Count} weights.");
            var weights = s.Rank == 2 ? v.Reshape(1, -1) : v.Reshape([1, direction.Count, .. Enumerable.Repeat(1, s.Rank - 2)]);
            return (s * weights).Sum() / Positions(a);
        });
    }

    /// <summary>The model output's logit <paramref name="index"/> (output [B, K] or [B, K, 1, 1]).</summary>
    public static Objective Class(int index, int? batch = null)
    {
        CheckIndex(index, nameof(index));
        return new([new ObjectiveTerm(null, 1f, $"class({index}{Batch(batch)})", y =>
        {
            var s = Select(y, batch, "class").Flatten(1);
            if (index >= s.Shape[1]) throw new ArgumentOutOfRangeException(nameof(index), $"Objective.Class: class {index} is out of range; the output has {s.Shape[1]}.");
            return s.Slice(1, index, index + 1).Sum();
        })]);
    }

    /// <summary>Rewards a batch whose examples differ in style at <paramref name="hookPoint"/> (negative mean cosine
    /// similarity of their channel Gram matrices); needs a batch of at least two.</summary>
    public static Objective Diversity(string hookPoint) => Single(hookPoint, $"diversity({hookPoint})", a =>
    {
        int b = a.Shape[0], c = a.Shape[1];
        if (b < 2) throw new ArgumentException("Objective.Diversity: needs a batch of at least two images.");
        var flat = a.Reshape(b, c, -1);                                              // [B, C, P]
        var gram = flat.MatMul(flat.Transpose(1, 2)).Reshape(b, c * c);              // [B, C²]
        var unit = gram / (gram * gram).Sum(1, keepDims: true).Sqrt().Maximum(Tensor.Scalar(1e-12f));
        var cosines = unit.MatMul(unit.Transpose(0, 1));                            // [B, B]
        return -(cosines.Sum() - (cosines * Eye(b)).Sum()) / b;
    });

    /// <summary>The sum of both objectives' terms.</summary>
    public static Objective operator +(Objective a, Objective b) => new([.. a.Terms, .. b.Terms]);

    /// <summary>The objective with every term's weight multiplied by <paramref name="weight"/>.</summary>
    public static Objective operator *(float weight, Objective a) => new([.. a.Terms.Select(t => t with { Weight = t.Weight * weight })]);

    private static Objective Single(string hookPoint, string description, Func<Tensor, Tensor> score)
    {
        ArgumentException.ThrowIfNullOrEmpty(hookPoint);
        return new([new ObjectiveTerm(hookPoint, 1f, description, score)]);
    }

    private static Tensor Select(Tensor a, int? batch, string what)
    {
        if (a.Rank < 2) throw new ArgumentException($"Objective.{what}: expected an activation [B, C, …], got {a.Shape}.");
        if (batch is not int b) return a;
        if (b < 0 || b >= a.Shape[0]) throw new ArgumentOutOfRangeException(nameof(batch), $"Objective.{what}: batch element {b} is out of range; the batch has {a.Shape[0]}.");
        return a.Slice(0, b, b + 1);
    }

    private static float Positions(Tensor a) => a.Rank <= 2 ? 1 : a.Shape.Product(2, a.Rank);

    private static Tensor Eye(int n)
    {
        var data = new float[n * n];
        for (int i = 0; i < n; i++) data[i * n + i] = 1;
        return Tensor.FromArray(data, n, n);
    }

    private static string Batch(int? batch) => batch is int b ? $", batch {b}" : "";

    private static void CheckIndex(int index, string name)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(name, $"Objective: {name} must be ≥ 0, got {index}.");
    }
}

/// <summary>One weighted term of an <see cref="Objective"/>: <c>Weight · Score(activation)</c>, the activation read
/// at <paramref name="HookPoint"/> (null: the model output).</summary>
internal sealed record ObjectiveTerm(string? HookPoint, float Weight, string Description, Func<Tensor, Tensor> Score);
