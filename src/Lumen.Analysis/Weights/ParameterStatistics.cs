namespace Lumen.Analysis.Weights;

/// <summary>Statistics of one parameter tensor.</summary>
/// <param name="Name">Dotted parameter name.</param>
/// <param name="Shape">Its shape.</param>
/// <param name="Count">Number of values.</param>
/// <param name="Mean">Mean value.</param>
/// <param name="StandardDeviation">Population standard deviation.</param>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
/// <param name="Norm">Euclidean (Frobenius) norm.</param>
/// <param name="NearZeroFraction">Fraction of values with |w| below 1e-3 of the largest magnitude.</param>
public sealed record ParameterStatistics(string Name, IReadOnlyList<int> Shape, int Count, double Mean, double StandardDeviation, double Min, double Max, double Norm, double NearZeroFraction);
