namespace Lumen.Mechanistic;

/// <summary>One score per attention head, from a <see cref="HeadDetector"/>.</summary>
/// <param name="Kind">What was scored ("previous-token", "duplicate-token", "induction").</param>
/// <param name="Layers">Number of layers.</param>
/// <param name="Heads">Heads per layer.</param>
/// <param name="Scores">Scores <c>[Layers × Heads]</c>, row-major.</param>
public sealed record HeadScores(string Kind, int Layers, int Heads, float[] Scores)
{
    /// <summary>Score of head <paramref name="head"/> in <paramref name="layer"/>.</summary>
    public float this[int layer, int head] => Scores[layer * Heads + head];

    /// <summary>The <paramref name="k"/> highest-scoring heads, best first.</summary>
    public IReadOnlyList<(int Layer, int Head, float Score)> Best(int k) =>
        [.. Enumerable.Range(0, Scores.Length).OrderByDescending(i => Scores[i]).Take(k).Select(i => (i / Heads, i % Heads, Scores[i]))];
}
