using Lumen.NN;
using Lumen.NN.Optim;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Analysis.Dissection;

/// <summary>
/// Net2Vec (Fong &amp; Vedaldi 2018, "Net2Vec: Quantifying and Explaining how Concepts are Encoded by Filters in Deep
/// Neural Networks", CVPR, https://arxiv.org/abs/1801.03454): each concept as a learned non-negative weighted
/// combination of a layer's units, to compare with the best single unit of network dissection.
/// </summary>
/// <remarks>
/// For pixel features a ∈ ℝᴷ (one value per unit) the concept-c mask is M_c(a) = σ(Σ_k w_kc·a_k + b_c) with w ≥ 0,
/// fitted to the labels y ∈ {0, 1} by the class-balanced binary cross-entropy of the paper,
/// ℓ = −mean[α_c·y·log σ(z) + (1 − α_c)·(1 − y)·log(1 − σ(z))] with α_c = 1 − (fraction of positive pixels of c),
/// by full-batch AdamW (no weight decay), w projected onto w ≥ 0 after every step. A pixel belongs to the combined
/// mask when σ(z) &gt; ½, i.e. z &gt; 0. Starting from a single unit (w = e_k, b = −1) makes the start exactly that
/// unit's mask when features are activations divided by the unit thresholds, as <see cref="NetworkDissection"/> does.
/// </remarks>
/// <example><code>
/// var fit = Net2Vec.Fit(features, labels);          // [P, K] unit values, [P, C] 0/1 labels
/// var mask = fit.Predict(features);                  // [P, C] booleans, row-major
/// </code></example>
public sealed class Net2Vec
{
    private Net2Vec(Tensor weights, Tensor bias, IReadOnlyList<float> losses)
    {
        Weights = weights;
        Bias = bias;
        Losses = losses;
    }

    /// <summary>The non-negative unit weights, [K, C] (column c combines the units for concept c).</summary>
    public Tensor Weights { get; }

    /// <summary>The biases, [C].</summary>
    public Tensor Bias { get; }

    /// <summary>The training loss after each step.</summary>
    public IReadOnlyList<float> Losses { get; }

    /// <summary>Fits the weights of every concept to <paramref name="features"/> [P, K] and 0/1
    /// <paramref name="labels"/> [P, C]; <paramref name="initialUnits"/> (one unit per concept, or null to start from
    /// w = 0, b = 0) sets the starting unit of each concept.</summary>
    /// <exception cref="ArgumentException">Mismatched or empty inputs, a label other than 0 or 1, a starting unit out
    /// of range, or invalid options.</exception>
    public static Net2Vec Fit(Tensor features, Tensor labels, Net2VecOptions? options = null, IReadOnlyList<int>? initialUnits = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        options ??= new Net2VecOptions();
        if (features.Rank != 2 || labels.Rank != 2 || features.Shape[0] != labels.Shape[0] || features.Shape[0] == 0)
            throw new ArgumentException($"Net2Vec: expected features [P, K] and labels [P, C] with the same P ≥ 1, got {features.Shape} and {labels.Shape}.");
        if (labels.AsReadOnlySpan().ToArray().Any(v => v is not (0f or 1f))) throw new ArgumentException("Net2Vec: labels must be 0 or 1.");
        if (options.Steps < 0 || !(options.LearningRate > 0))
            throw new ArgumentException($"Net2Vec: steps ({options.Steps}) must be ≥ 0 and the learning rate ({options.LearningRate}) > 0.", nameof(options));
        int k = features.Shape[1], c = labels.Shape[1];
        var w0 = new float[k * c];
        var b0 = new float[c];
        if (initialUnits is not null)
        {
            if (initialUnits.Count != c) throw new ArgumentException($"Net2Vec: {initialUnits.Count} starting units for {c} concepts.");
            for (int j = 0; j < c; j++)
            {
                if (initialUnits[j] < 0 || initialUnits[j] >= k) throw new ArgumentException($"Net2Vec: starting unit {initialUnits[j]} of concept {j} is outside [0, {k}).");
                w0[initialUnits[j] * c + j] = 1f;
                b0[j] = -1f;
            }
        }
        var weights = new Parameter(Tensor.FromArray(w0, k, c), "weights");
        var bias = new Parameter(Tensor.FromArray(b0, c), "bias");
        var alpha = 1f - labels.Mean(0, keepDims: true);                  // [1, C]
        var positive = labels * alpha;
        var negative = (1f - labels) * (1f - alpha);
        var optimizer = new AdamW([weights, bias], options.LearningRate, weightDecay: 0f);
        var losses = new List<float>();
        for (int step = 0; step < options.Steps; step++)
        {
            var z = features.MatMul(weights.Value) + bias.Value.Reshape(1, c);     // [P, C]
            var loss = (positive * z.Neg().Softplus() + negative * z.Softplus()).Mean();
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            var w = weights.Value.AsSpan();
            for (int i = 0; i < w.Length; i++) w[i] = Math.Max(w[i], 0f);
            losses.Add(loss.Item());
        }
        return new Net2Vec(weights.Value.Detach(), bias.Value.Detach(), losses);
    }

    /// <summary>The logits z = a·W + b of <paramref name="features"/> [P, K]: [P, C].</summary>
    public Tensor Logits(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rank != 2 || features.Shape[1] != Weights.Shape[0])
            throw new ArgumentException($"Net2Vec: fitted on {Weights.Shape[0]} units, got features {features.Shape}.");
        using (GradMode.Off()) return features.MatMul(Weights) + Bias.Reshape(1, -1);
    }

    /// <summary>The combined masks of <paramref name="features"/> [P, K]: row-major [P, C], true where z &gt; 0.</summary>
    public bool[] Predict(Tensor features) => [.. Logits(features).AsReadOnlySpan().ToArray().Select(z => z > 0)];
}
