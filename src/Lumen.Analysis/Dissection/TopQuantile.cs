namespace Lumen.Analysis.Dissection;

/// <summary>Per unit, the exact top-quantile threshold of a stream of values, from a min-heap of the m + 1 largest
/// values seen (m = ⌈q·n⌉ for n values per unit): O(q·n) memory per unit and O(log m) per value that enters.</summary>
/// <remarks>The threshold is the (m + 1)-th largest value, so exactly m values (a fraction q of n) lie above it
/// when there are no ties; with fewer than m + 1 values it is the smallest one.</remarks>
internal sealed class TopQuantile
{
    private readonly float[][] heaps;
    private readonly int[] counts;
    private readonly int keep;

    /// <summary>Thresholds for <paramref name="units"/> units of <paramref name="valuesPerUnit"/> values each.</summary>
    /// <exception cref="ArgumentException">The quantile is outside (0, 1), or the heaps would exceed <paramref name="budgetBytes"/>.</exception>
    public TopQuantile(int units, long valuesPerUnit, double quantile, long budgetBytes, string what)
    {
        if (!(quantile > 0 && quantile < 1)) throw new ArgumentException($"{what}: the quantile must be in (0, 1), got {quantile}.");
        long m = (long)Math.Ceiling(quantile * valuesPerUnit);
        long size = Math.Max(1, Math.Min(valuesPerUnit, m + 1));
        if (size * units * sizeof(float) > budgetBytes)
            throw new ArgumentException($"{what}: the top {quantile:P2} of {valuesPerUnit:N0} values for {units} units needs {size * units * 4 >> 20} MiB, over the budget of {budgetBytes >> 20} MiB; use fewer or smaller images, a smaller quantile or a larger budget.");
        keep = (int)size;
        heaps = [.. Enumerable.Range(0, units).Select(_ => new float[keep])];
        counts = new int[units];
    }

    /// <summary>Adds <paramref name="values"/> of unit <paramref name="unit"/> (thread-safe across different units).</summary>
    public void Add(int unit, ReadOnlySpan<float> values)
    {
        var heap = heaps[unit];
        int count = counts[unit];
        foreach (var v in values)
        {
            if (count < keep)
            {
                int i = count++;
                while (i > 0 && heap[(i - 1) / 2] > v) { heap[i] = heap[(i - 1) / 2]; i = (i - 1) / 2; }
                heap[i] = v;
            }
            else if (v > heap[0]) SiftDown(heap, v, keep);
        }
        counts[unit] = count;
    }

    /// <summary>The threshold of unit <paramref name="unit"/>: the smallest of the kept values.</summary>
    /// <exception cref="InvalidOperationException">No value was added for the unit.</exception>
    public float Threshold(int unit) => counts[unit] > 0 ? heaps[unit][0]
        : throw new InvalidOperationException($"TopQuantile: no value was added for unit {unit}.");

    /// <summary>Replaces the root by <paramref name="value"/> and restores the heap order.</summary>
    private static void SiftDown(float[] heap, float value, int count)
    {
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= count) break;
            if (child + 1 < count && heap[child + 1] < heap[child]) child++;
            if (heap[child] >= value) break;
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = value;
    }
}
