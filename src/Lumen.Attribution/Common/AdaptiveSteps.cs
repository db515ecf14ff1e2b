namespace Lumen.Attribution.Common;

/// <summary>
/// Adaptive placement of the points of a path integral whose antiderivative is known wherever the integrand is:
/// for Integrated Gradients one gradient pass at α gives both ∇f(γ(α)) and f(γ(α)), so every cell [l, r] of the path
/// knows its exact integral f(γ(r)) − f(γ(l)) and the trapezoid rule's error on it. The cells with the largest
/// error are bisected until the evaluation budget is spent; their errors sum to the completeness error, which this
/// therefore drives down greedily with no evaluation spent on a pilot.
/// </summary>
/// <remarks>
/// Start: ⌈n/4⌉ + 1 (at least 2) equally spaced points including both ends. Each round bisects, per sample, up to
/// half of its cells (and half the remaining budget), those with the largest |eₖ| = |(F(r) − F(l)) − (r − l)(g(l) + g(r))/2|, where g is the scalar integrand ∇f·γ′; the
/// weights are the trapezoid rule's on the final, non-uniform points. Known as adaptive quadrature (e.g. Davis &amp;
/// Rabinowitz, "Methods of Numerical Integration", ch. 6); the error estimate here is exact, not extrapolated.
/// </remarks>
public sealed class AdaptiveSteps
{
    private readonly List<Point>[] paths;
    private readonly int budget;

    /// <summary>A path per sample, to be evaluated at <paramref name="steps"/> points each (at least 3).</summary>
    public AdaptiveSteps(int samples, int steps)
    {
        if (steps < 3) throw new ArgumentOutOfRangeException(nameof(steps), $"AdaptiveSteps: needs at least 3 evaluations per sample, got {steps}.");
        budget = steps;
        paths = [.. Enumerable.Range(0, samples).Select(_ => new List<Point>())];
    }

    /// <summary>The points of the first round: ⌈steps/4⌉ + 1 equally spaced, both ends included.</summary>
    public double[] InitialAlphas()
    {
        int cells = Math.Max(1, (budget + 3) / 4);
        return [.. Enumerable.Range(0, cells + 1).Select(i => (double)i / cells)];
    }

    /// <summary>Records an evaluation at <paramref name="alpha"/> of <paramref name="sample"/>'s path: the score
    /// <paramref name="value"/>, the scalar integrand <paramref name="slope"/> and the caller's index of the gradient.</summary>
    public void Add(int sample, double alpha, double value, double slope, int index)
    {
        var path = paths[sample];
        int at = path.FindIndex(p => p.Alpha > alpha);
        path.Insert(at < 0 ? path.Count : at, new Point(alpha, value, slope, index));
    }

    /// <summary>The midpoints of the cells to bisect next for <paramref name="sample"/>: its worst cells, at most half
    /// its cells and half its remaining budget (at least one while budget remains), so that later rounds can still
    /// follow the errors the earlier ones reveal. The choice depends on the evaluations alone, not on chunking.</summary>
    public double[] NextAlphas(int sample)
    {
        var path = paths[sample];
        int remaining = budget - path.Count;
        if (remaining <= 0) return [];
        int count = Math.Max(1, Math.Min(remaining / 2, (path.Count - 1) / 2));
        return [.. Enumerable.Range(0, path.Count - 1)
            .OrderByDescending(k => Math.Abs(CellError(path[k], path[k + 1])))
            .Take(count)
            .Select(k => 0.5 * (path[k].Alpha + path[k + 1].Alpha))];
    }

    /// <summary>Whether every sample has spent its budget.</summary>
    public bool Done => paths.All(p => p.Count >= budget);

    /// <summary>The trapezoid weights of <paramref name="sample"/>'s points, by the index given to <see cref="Add"/>.</summary>
    public IEnumerable<(int Index, double Weight)> Weights(int sample)
    {
        var path = paths[sample];
        for (int k = 0; k < path.Count; k++)
        {
            double left = k > 0 ? path[k].Alpha - path[k - 1].Alpha : 0, right = k < path.Count - 1 ? path[k + 1].Alpha - path[k].Alpha : 0;
            yield return (path[k].Index, 0.5 * (left + right));
        }
    }

    private static double CellError(Point left, Point right) =>
        right.Value - left.Value - 0.5 * (right.Alpha - left.Alpha) * (left.Slope + right.Slope);

    private readonly record struct Point(double Alpha, double Value, double Slope, int Index);
}
