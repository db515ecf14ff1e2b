using Lumen.Analysis.Weights;
using Lumen.Imaging;
using Lumen.NN;

namespace Lumen.Reports.Analyze;

/// <summary>A model's weights as <c>lumen analyze filters</c> shows them.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="FirstLayer">The first convolution's parameter name, or null when there is none.</param>
/// <param name="Filters">Its filters drawn as a grid (null when there is none).</param>
/// <param name="Statistics">Every parameter's statistics.</param>
/// <param name="Spectra">Singular values of the weight matrices analysed (name, σ descending, stable rank, effective rank).</param>
/// <param name="Created">When it ran (UTC).</param>
public sealed record WeightsReport(string Model, string? FirstLayer, Image? Filters, IReadOnlyList<ParameterStatistics> Statistics,
    IReadOnlyList<(string Name, double[] SingularValues, double StableRank, double EffectiveRank)> Spectra, DateTime Created)
{
    /// <summary>Analyses <paramref name="model"/>: statistics of every parameter, spectra of up to
    /// <paramref name="maxSpectra"/> evenly spaced weight matrices whose smaller side is at most
    /// <paramref name="maxSide"/>, and the first-layer filters.</summary>
    public static WeightsReport Create(string name, Module model, int maxSpectra = 8, int maxSide = 512)
    {
        ArgumentNullException.ThrowIfNull(model);
        var statistics = WeightAnalysis.Statistics(model);
        var matrices = model.NamedParameters().Where(p => p.Parameter.Value.Rank >= 2 && Math.Min(p.Parameter.Shape[0], p.Parameter.Value.Size / p.Parameter.Shape[0]) is > 1 and var side && side <= maxSide).ToList();
        var chosen = matrices.Count <= maxSpectra ? matrices
            : [.. Enumerable.Range(0, maxSpectra).Select(i => matrices[(int)Math.Round(i * (matrices.Count - 1) / (double)(maxSpectra - 1))]).Distinct()];
        var spectra = chosen.Select(p =>
        {
            var s = WeightAnalysis.SingularValues(p.Parameter.Value);
            return (p.Name, s, WeightAnalysis.StableRank(s), WeightAnalysis.EffectiveRank(s));
        }).ToList();
        string? first = null;
        Image? filters = null;
        try
        {
            var (layer, weight) = WeightAnalysis.FirstLayerFilters(model);
            first = layer;
            filters = FilterImages.Render(weight);
        }
        catch (InvalidOperationException) { /* no image-reading convolution: the report says so */ }
        return new WeightsReport(name, first, filters, statistics, spectra, DateTime.UtcNow);
    }
}
