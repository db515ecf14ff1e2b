using Lumen.NN.Models.Llama;

namespace Lumen.Mechanistic;

/// <summary>Direct logit attribution: how much each residual component adds to a logit (or a logit difference)
/// through the direct path, with the final RMSNorm scale frozen at its value on the actual final residual.</summary>
/// <remarks>
/// With <c>s = 1/√(mean(x_final²) + ε)</c> at the position and <c>u = s · g ⊙ (W_U[:, a] − W_U[:, b])</c>,
/// component c scores <c>DLA_c = c · u</c>, and <c>Σ_c DLA_c = logit_a − logit_b</c> because the logits are linear in
/// the residual once s is fixed. Elhage et al. 2021; Nanda, TransformerLens "direct logit attribution".
/// </remarks>
/// <example><code>var scores = new DirectLogitAttribution(model).Compute(parts, position: 7, token: 263, against: 301);</code></example>
public sealed class DirectLogitAttribution
{
    private readonly Llama model;

    /// <summary>Attribution over <paramref name="model"/>.</summary>
    public DirectLogitAttribution(Llama model)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.model = model;
    }

    /// <summary>The score of each component for <c>logit[token] − logit[against]</c> (just <c>logit[token]</c> when
    /// <paramref name="against"/> is null) at <paramref name="position"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The position or a token is out of range.</exception>
    public IReadOnlyList<(string Component, double Score)> Compute(ResidualComponents components, int position, int token, int? against = null)
    {
        ArgumentNullException.ThrowIfNull(components);
        var config = model.Config;
        int t = components.Final.Shape[0], d = config.Dim, v = config.VocabSize;
        if ((uint)position >= (uint)t) throw new ArgumentOutOfRangeException(nameof(position), $"DirectLogitAttribution: position {position} is outside 0..{t - 1}.");
        if ((uint)token >= (uint)v || (against is int w && (uint)w >= (uint)v)) throw new ArgumentOutOfRangeException(nameof(token), $"DirectLogitAttribution: tokens must lie in 0..{v - 1}.");
        var direction = Direction(components.Final.AsReadOnlySpan().Slice(position * d, d), token, against);
        var scores = new List<(string, double)>();
        for (int c = 0; c < components.Names.Count; c++)
        {
            var vector = components.At(c, position);
            double score = 0;
            for (int i = 0; i < d; i++) score += vector[i] * direction[i];
            scores.Add((components.Names[c], score));
        }
        return scores;
    }

    /// <summary>The scores of the heads only, as a <c>[layers × heads]</c> grid, from a per-head decomposition.</summary>
    /// <exception cref="ArgumentException">The components are not per head.</exception>
    public HeadScores Heads(ResidualComponents perHead, int position, int token, int? against = null)
    {
        var scores = Compute(perHead, position, token, against).ToDictionary(s => s.Component, s => s.Score);
        int layers = model.Config.Layers, heads = model.Config.Heads;
        var grid = new float[layers * heads];
        for (int l = 0; l < layers; l++)
            for (int h = 0; h < heads; h++)
                grid[l * heads + h] = scores.TryGetValue(ResidualDecomposition.HeadName(l, h), out double v) ? (float)v
                    : throw new ArgumentException("DirectLogitAttribution: the components are not split per head (Decompose with perHead: true).", nameof(perHead));
        return new HeadScores("direct-logit", layers, heads, grid);
    }

    /// <summary>The frozen-scale readout direction <c>u</c> for the final residual <paramref name="final"/> <c>[Dim]</c>.</summary>
    public double[] Direction(ReadOnlySpan<float> final, int token, int? against)
    {
        int d = model.Config.Dim;
        double meanSquare = 0;
        foreach (float x in final) meanSquare += (double)x * x;
        double scale = 1 / Math.Sqrt(meanSquare / d + model.LnFinal.Eps);
        var unembed = model.UnembedMatrix.AsReadOnlySpan();               // [Dim, V] row-major
        var gain = model.LnFinal.Weight?.Value.AsReadOnlySpan().ToArray();
        int vocab = model.Config.VocabSize;
        var direction = new double[d];
        for (int i = 0; i < d; i++)
        {
            double column = unembed[i * vocab + token] - (against is int b ? unembed[i * vocab + b] : 0);
            direction[i] = scale * (gain?[i] ?? 1) * column;
        }
        return direction;
    }
}
