namespace Lumen.NN.Models.Llama;

/// <summary>How <see cref="LlamaGenerator"/> continues a prompt.</summary>
/// <remarks>Temperature 0 is greedy (argmax, first index on ties). Otherwise logits are divided by the temperature,
/// softmaxed, and, when <see cref="TopP"/> &lt; 1, restricted to the smallest set of tokens whose probability reaches
/// TopP (nucleus sampling, Holtzman et al. 2020, https://arxiv.org/abs/1904.09751).</remarks>
/// <example><code>new GenerationOptions { MaxNewTokens = 100, Temperature = 0.8f, TopP = 0.9f, Seed = 7 }</code></example>
public sealed record GenerationOptions
{
    /// <summary>Number of tokens to add (fewer if a stop token comes first).</summary>
    public int MaxNewTokens { get; init; } = 200;

    /// <summary>Sampling temperature; 0 means greedy.</summary>
    public float Temperature { get; init; }

    /// <summary>Nucleus mass in (0, 1]; 1 samples from the whole distribution.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>Seed of the sampler.</summary>
    public int Seed { get; init; }

    /// <summary>Tokens that end generation (not included in the result). llama2.c stops at BOS.</summary>
    public IReadOnlyList<int> StopTokens { get; init; } = [LlamaTokenizer.Bos];

    /// <summary>Reuse keys and values of earlier positions (true), or re-run the whole sequence per token (false,
    /// the naive twin used to test the cache).</summary>
    public bool UseKvCache { get; init; } = true;
}
