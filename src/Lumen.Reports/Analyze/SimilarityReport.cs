namespace Lumen.Reports.Analyze;

/// <summary>What <see cref="SimilarityJob"/> found.</summary>
/// <param name="ModelA">The first model's name.</param>
/// <param name="ModelB">The second model's name (the first's when one model is compared with itself).</param>
/// <param name="Examples">What the examples were.</param>
/// <param name="LayersA">Hook points of the first model (matrix rows).</param>
/// <param name="LayersB">Hook points of the second model (matrix columns).</param>
/// <param name="Cka">CKA for every (row, column) pair.</param>
/// <param name="Pairs">For each row, the best-matching column by CKA, with SVCCA, PWCCA and RSA of that pair.</param>
/// <param name="Kernel">Which CKA (e.g. "linear, biased").</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Created">When the job ran (UTC).</param>
public sealed record SimilarityReport(string ModelA, string ModelB, string Examples, IReadOnlyList<string> LayersA, IReadOnlyList<string> LayersB,
    double[,] Cka, IReadOnlyList<LayerPair> Pairs, string Kernel, double Seconds, DateTime Created);

/// <summary>A pair of layers and their similarity under every index.</summary>
/// <param name="LayerA">Hook point in the first model.</param>
/// <param name="LayerB">Hook point in the second model.</param>
/// <param name="Cka">CKA.</param>
/// <param name="Svcca">SVCCA (99 % variance).</param>
/// <param name="Pwcca">PWCCA (weights from the first model's layer).</param>
/// <param name="Rsa">RSA (Spearman ρ of correlation-distance RDMs).</param>
public sealed record LayerPair(string LayerA, string LayerB, double Cka, double Svcca, double Pwcca, double Rsa);
