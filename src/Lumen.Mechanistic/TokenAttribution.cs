using Lumen.NN.Models.Llama;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Mechanistic;

/// <summary>Attribution of a next-token logit to the input tokens, through their embeddings: gradient × embedding
/// and Integrated Gradients from a mean-embedding baseline.</summary>
/// <remarks>
/// f = the logit of <c>target</c> at <c>position</c>, as a function of the embedded input E <c>[T, d]</c>.
/// Gradient × embedding: <c>a_t = Σ_d E_td ∂f/∂E_td</c>. Integrated Gradients:
/// <c>a_t = Σ_d (E_td − E'_td) · (1/m) Σ_k ∂f/∂E_td(E' + α_k (E − E'))</c>, α_k = (k + ½)/m (midpoint rule), with
/// baseline E'_t = the mean token embedding (a leading BOS keeps its own); completeness: <c>Σ_t a_t ≈ f(E) − f(E')</c>.
/// Not the zero embedding: RMSNorm is scale-invariant, so on the straight path from 0 the whole change happens within
/// α ≲ √ε/‖E_t‖ and no practical quadrature resolves it (the completeness error stays of the order of f itself).
/// The m interpolation steps run as batches of <see cref="TokenAttributionOptions.BatchSize"/>.
/// Sundararajan et al. 2017, https://arxiv.org/abs/1703.01365; Denil et al. 2014 / Shrikumar et al. 2016 (input × gradient).
/// </remarks>
/// <example><code>var ig = new TokenAttribution(model).IntegratedGradients(tokens, target: tok.Encode("park", bos: false)[0]);</code></example>
public sealed class TokenAttribution
{
    private readonly Llama model;
    private readonly TokenAttributionOptions options;

    /// <summary>Token attribution over <paramref name="model"/>.</summary>
    public TokenAttribution(Llama model, TokenAttributionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.model = model;
        this.options = options ?? new TokenAttributionOptions();
        if (this.options.Steps <= 0 || this.options.BatchSize <= 0) throw new ArgumentException($"TokenAttribution: steps {this.options.Steps} and batch size {this.options.BatchSize} must be positive.", nameof(options));
    }

    /// <summary>Gradient × embedding for the logit of <paramref name="target"/> at <paramref name="position"/> (default: last).</summary>
    public TokenAttributionResult GradientTimesEmbedding(IReadOnlyList<int> tokens, int target, int? position = null)
    {
        int p = CheckArguments(tokens, target, position);
        var embedding = Embed(tokens);                                                   // [1, T, d]
        var gradient = GradientAt(embedding, tokens, target, p);                         // [1, T, d]
        return new TokenAttributionResult("gradient-x-embedding", tokens, target, p, PerToken(embedding * gradient, tokens.Count), null);
    }

    /// <summary>Integrated Gradients for the logit of <paramref name="target"/> at <paramref name="position"/> (default: last).</summary>
    public TokenAttributionResult IntegratedGradients(IReadOnlyList<int> tokens, int target, int? position = null)
    {
        int p = CheckArguments(tokens, target, position);
        int t = tokens.Count, d = model.Config.Dim, m = options.Steps;
        var embedding = Embed(tokens);                                                   // [1, T, d]
        var baseline = Baseline(embedding, tokens);                                       // [1, T, d]
        var difference = embedding - baseline;
        var total = Tensor.Zeros(1, t, d);
        for (int start = 0; start < m; start += options.BatchSize)
        {
            int b = Math.Min(options.BatchSize, m - start);
            var alphas = Tensor.FromArray([.. Enumerable.Range(start, b).Select(k => (k + 0.5f) / m)], b, 1, 1);
            var points = baseline + alphas * difference;                                  // [b, T, d]
            total = total + GradientAt(points, tokens, target, p).Sum(0, keepDims: true);
        }
        var attribution = difference * total * (1f / m);
        var scores = PerToken(attribution, t);
        double delta = scores.Sum(s => (double)s) - (Score(embedding, tokens, target, p) - Score(baseline, tokens, target, p));
        return new TokenAttributionResult("integrated-gradients", tokens, target, p, scores, delta);
    }

    private int CheckArguments(IReadOnlyList<int> tokens, int target, int? position)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0) throw new ArgumentException("TokenAttribution: no tokens.", nameof(tokens));
        if ((uint)target >= (uint)model.Config.VocabSize) throw new ArgumentOutOfRangeException(nameof(target), $"TokenAttribution: target {target} is outside 0..{model.Config.VocabSize - 1}.");
        int p = position ?? tokens.Count - 1;
        if ((uint)p >= (uint)tokens.Count) throw new ArgumentOutOfRangeException(nameof(position), $"TokenAttribution: position {p} is outside 0..{tokens.Count - 1}.");
        return p;
    }

    /// <summary>The mean token embedding at every position, except a leading BOS, which keeps its own embedding.</summary>
    private Tensor Baseline(Tensor embedding, IReadOnlyList<int> tokens)
    {
        int t = tokens.Count, d = model.Config.Dim;
        var mean = model.Embed.Weight.Value.Detach().Mean(0).AsReadOnlySpan();                  // [d]
        var rows = new float[t * d];
        var own = embedding.AsReadOnlySpan();
        for (int p = 0; p < t; p++)
            for (int i = 0; i < d; i++) rows[p * d + i] = p == 0 && tokens[0] == LlamaTokenizer.Bos ? own[i] : mean[i];
        return Tensor.FromArray(rows, 1, t, d);
    }

    private Tensor Embed(IReadOnlyList<int> tokens)
    {
        using var _ = GradMode.Off();
        return model.Embed.Call(TokenSequence.ToTensor(tokens)).Detach();
    }

    /// <summary>∂ Σ_b logit[b, position, target] / ∂ embedded <c>[B, T, d]</c>, running the model on those embeddings.</summary>
    private Tensor GradientAt(Tensor embedded, IReadOnlyList<int> tokens, int target, int position)
    {
        var leaf = embedded.Detach().RequireGrad();
        Tensor score;
        using (model.Hooks.OnForward(LlamaHookNames.Embed, (_, _) => leaf))
        using (GradMode.On())
            score = model.Call(TokenSequence.ToTensor(tokens)).Slice(1, position, position + 1).Slice(2, target, target + 1).Sum();
        return Gradients.Of(score, leaf);
    }

    private double Score(Tensor embedded, IReadOnlyList<int> tokens, int target, int position)
    {
        using var hook = model.Hooks.OnForward(LlamaHookNames.Embed, (_, _) => embedded);
        using var _ = GradMode.Off();
        return model.Call(TokenSequence.ToTensor(tokens))[0, position, target];
    }

    private static float[] PerToken(Tensor attribution, int t) => attribution.Reshape(t, -1).Sum(1).ToArray();
}
