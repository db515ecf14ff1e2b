namespace Lumen.Metrics.Common;

/// <summary>Ranks features, or square patches of pixels, by relevance.</summary>
internal static class Grouping
{
    /// <summary>Groups of feature indices in removal order: single features (patch 0), or patches of
    /// <paramref name="patch"/>×<paramref name="patch"/> pixels ranked by their summed relevance.</summary>
    public static int[][] Rank(FeatureLayout layout, double[] relevance, int patch, bool descending)
    {
        var groups = patch <= 0 ? [.. Enumerable.Range(0, layout.Features).Select(f => new[] { f })] : Patches(layout, patch);
        var sums = groups.Select(g => g.Sum(f => relevance[f])).ToArray();
        var order = descending ? Statistics.Descending(sums) : Statistics.Descending([.. sums.Select(s => -s)]);
        return [.. order.Select(i => groups[i])];
    }

    /// <summary>Square patches tiling the image (edge patches are smaller); for non-images, runs of features.</summary>
    public static int[][] Patches(FeatureLayout layout, int patch)
    {
        var result = new List<int[]>();
        for (int top = 0; top < layout.Height; top += patch)
            for (int left = 0; left < layout.Width; left += patch)
            {
                var cells = new List<int>();
                for (int y = top; y < Math.Min(top + patch, layout.Height); y++)
                    for (int x = left; x < Math.Min(left + patch, layout.Width); x++) cells.Add(y * layout.Width + x);
                result.Add([.. cells]);
            }
        return [.. result];
    }
}
