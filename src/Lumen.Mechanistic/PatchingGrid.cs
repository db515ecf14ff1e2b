namespace Lumen.Mechanistic;

/// <summary>A grid of patching results: rows × columns (layers × positions, layers × heads, heads × positions).</summary>
/// <param name="Title">What was patched.</param>
/// <param name="Rows">Row labels.</param>
/// <param name="Columns">Column labels.</param>
/// <param name="Values">Normalised effect <c>(m − m_corrupted) / (m_clean − m_corrupted)</c>, row-major: 0 = no
/// effect, 1 = the clean behaviour fully restored.</param>
/// <param name="Clean">Metric on the clean run.</param>
/// <param name="Corrupted">Metric on the corrupted run.</param>
public sealed record PatchingGrid(string Title, IReadOnlyList<string> Rows, IReadOnlyList<string> Columns, float[] Values, double Clean, double Corrupted)
{
    /// <summary>Value at a row and column.</summary>
    public float this[int row, int column] => Values[row * Columns.Count + column];

    /// <summary>The cells with the largest |value|, largest first.</summary>
    public IReadOnlyList<(string Row, string Column, float Value)> Strongest(int k) =>
        [.. Enumerable.Range(0, Values.Length).OrderByDescending(i => Math.Abs(Values[i])).Take(k).Select(i => (Rows[i / Columns.Count], Columns[i % Columns.Count], Values[i]))];
}
