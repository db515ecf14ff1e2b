using Lumen.NN.Models.Llama;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Mechanistic;

/// <summary>The logit lens: decodes the residual stream after the embedding and after every block with the model's
/// own final normalisation and unembedding, to see at which depth a prediction forms.</summary>
/// <remarks><c>lens_ℓ = log softmax(RMSNorm_final(resid_ℓ) · W_U)</c> for ℓ = embed, block 0 … block L−1; the last
/// row is the model's own output. nostalgebraist 2020, "interpreting GPT: the logit lens",
/// https://www.lesswrong.com/posts/AcKRB8wDpdaN6v6ru.</remarks>
/// <example><code>var lens = new LogitLens(model).Run(tokens); var top = lens.Top(layer: 2, position: 5, k: 3);</code></example>
public sealed class LogitLens
{
    private readonly Llama model;

    /// <summary>A lens over <paramref name="model"/>.</summary>
    public LogitLens(Llama model)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.model = model;
    }

    /// <summary>Runs <paramref name="tokens"/> once and decodes every layer.</summary>
    public LogitLensResult Run(IReadOnlyList<int> tokens) => Run(tokens, (_, residual) => Decode(residual));

    /// <summary>Runs <paramref name="tokens"/> once and reads every layer's residual stream <c>[1, T, Dim]</c> with
    /// <paramref name="decode"/> (layer index, residual → log-probabilities <c>[1, T, Vocab]</c>).</summary>
    internal LogitLensResult Run(IReadOnlyList<int> tokens, Func<int, Tensor, Tensor> decode)
    {
        var names = ResidualHooks(model.Config);
        var wanted = names.ToHashSet(StringComparer.Ordinal);
        using var _ = GradMode.Off();
        var (_, cache) = model.RunWithCache(TokenSequence.ToTensor(tokens), wanted.Contains, detach: true);
        var rows = names.Select((n, l) => decode(l, cache[n])).ToList();            // each [1, T, V]
        var logProbabilities = Tensor.Concat(rows, axis: 0);                          // [L+1, T, V]
        return new LogitLensResult(LayerLabels(model.Config), tokens.ToArray(), logProbabilities);
    }

    /// <summary>The residual streams a lens reads: <c>embed</c>, then <c>blocks.{i}.resid_post</c> for every block.</summary>
    public static IReadOnlyList<string> ResidualHooks(LlamaConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return [LlamaHookNames.Embed, .. Enumerable.Range(0, config.Layers).Select(LlamaHookNames.ResidPost)];
    }

    /// <summary>Row labels of a lens: "embed", "block 0", ….</summary>
    public static IReadOnlyList<string> LayerLabels(LlamaConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return ["embed", .. Enumerable.Range(0, config.Layers).Select(i => $"block {i}")];
    }

    /// <summary>Log-probabilities <c>[.., Vocab]</c> read from a residual stream <c>[.., Dim]</c> through the final norm and unembedding.</summary>
    public Tensor Decode(Tensor residual)
    {
        ArgumentNullException.ThrowIfNull(residual);
        var normalized = Functional.RmsNorm(residual, model.LnFinal.Weight?.Value, model.LnFinal.Eps);
        return model.Unembedding(normalized).LogSoftmax(-1);
    }
}
