using Lumen.Analysis.Similarity;

namespace Lumen.Reports.Analyze;

/// <summary>Options of <see cref="SimilarityJob"/>.</summary>
public sealed record SimilarityOptions
{
    /// <summary>The hook points of the first model.</summary>
    public IReadOnlyList<string> HookPoints { get; init; } = [];

    /// <summary>The hook points of the second model (null: the same names, or the first model's own when there is
    /// no second model).</summary>
    public IReadOnlyList<string>? OtherHookPoints { get; init; }

    /// <summary>CKA's kernel and estimator.</summary>
    public CkaOptions Cka { get; init; } = new();

    /// <summary>Average each channel over its spatial positions ([B, C, H, W] → [B, C]) before comparing; otherwise
    /// every value is a feature.</summary>
    public bool PoolSpatially { get; init; } = true;

    /// <summary>Examples per forward pass.</summary>
    public int BatchSize { get; init; } = 16;
}
