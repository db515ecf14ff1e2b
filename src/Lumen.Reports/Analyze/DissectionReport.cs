using Lumen.Analysis.Dissection;

namespace Lumen.Reports.Analyze;

/// <summary>What <see cref="DissectionJob"/> found.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Result">The dissection of every hook point (with the concept set, to show examples).</param>
/// <param name="ShownUnits">Per hook point, how many of the best interpretable units the report shows with examples.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Created">When it ran (UTC).</param>
public sealed record DissectionReport(string Model, DissectionResult Result, int ShownUnits, double Seconds, DateTime Created);
