namespace Lumen.Analysis.Recording;

/// <summary>Running statistics and top-k examples of one channel, updated one example at a time in O(positions)
/// time and O(k · positions) memory.</summary>
/// <remarks>Moments merge per example with Chan et al.'s pairwise update (n = n_a + n_b, δ = μ_b − μ_a,
/// μ = μ_a + δ·n_b/n, M₂ = M₂a + M₂b + δ²·n_a·n_b/n), in double precision. The top-k set is a min-heap ordered by
/// (score, −example), so among equal scores the earliest examples are kept.</remarks>
internal sealed class ChannelAccumulator(int topK, bool keepMaps, int height, int width)
{
    private readonly PriorityQueue<TopExample, (float Score, int NegExample)> heap = new();
    private long count, positive;
    private double mean, m2, scoreSum;
    private int examples;
    private float min = float.PositiveInfinity, max = float.NegativeInfinity;

    /// <summary>Adds example <paramref name="example"/>'s map <paramref name="values"/> (length height·width).</summary>
    public void Add(int example, ReadOnlySpan<float> values, ChannelScore score)
    {
        double sum = 0;
        int argMax = 0;
        float best = float.NegativeInfinity;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (float.IsNaN(v)) throw new InvalidOperationException($"ActivationRecorder: example {example} has a NaN activation at position {i}.");
            sum += v;
            if (v > best) { best = v; argMax = i; }
            if (v < min) min = v;
            if (v > 0) positive++;
        }
        if (best > max) max = best;
        double batchMean = sum / values.Length, batchM2 = 0;
        foreach (var v in values) batchM2 += (v - batchMean) * (v - batchMean);
        long n = count + values.Length;
        double delta = batchMean - mean;
        mean += delta * values.Length / n;
        m2 += batchM2 + delta * delta * count * values.Length / n;
        count = n;
        float s = score == ChannelScore.Max ? best : (float)batchMean;
        scoreSum += s;
        examples++;
        Offer(example, s, argMax, values);
    }

    private void Offer(int example, float score, int argMax, ReadOnlySpan<float> values)
    {
        var priority = (score, -example);
        if (heap.Count == topK)
        {
            heap.TryPeek(out _, out var worst);
            if (priority.CompareTo(worst) <= 0) return;
            heap.Dequeue();
        }
        heap.Enqueue(new TopExample(example, score, argMax / width, argMax % width, keepMaps ? values.ToArray() : null, height, width), priority);
    }

    /// <summary>The statistics so far.</summary>
    public ChannelStatistics Statistics() => new(count, mean, count == 0 ? 0 : Math.Sqrt(m2 / count), min, max,
        count == 0 ? 0 : (double)positive / count, examples == 0 ? 0 : scoreSum / examples);

    /// <summary>Writes the exact state (moments, extremes, counts and kept examples) for <see cref="Read"/>.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(count); writer.Write(positive); writer.Write(mean); writer.Write(m2); writer.Write(scoreSum);
        writer.Write(examples); writer.Write(min); writer.Write(max);
        writer.Write(heap.Count);
        foreach (var (top, _) in heap.UnorderedItems)
        {
            writer.Write(top.Example); writer.Write(top.Score); writer.Write(top.Y); writer.Write(top.X);
            writer.Write(top.Map?.Length ?? -1);
            foreach (var v in top.Map ?? []) writer.Write(v);
        }
    }

    /// <summary>Restores the state written by <see cref="Write"/> into this (empty) accumulator.</summary>
    /// <exception cref="InvalidDataException">The kept examples do not fit this accumulator's k or map size.</exception>
    public void Read(BinaryReader reader)
    {
        (count, positive, mean, m2, scoreSum) = (reader.ReadInt64(), reader.ReadInt64(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
        (examples, min, max) = (reader.ReadInt32(), reader.ReadSingle(), reader.ReadSingle());
        int kept = reader.ReadInt32();
        if (kept < 0 || kept > topK) throw new InvalidDataException($"ActivationRecorder checkpoint: {kept} kept examples for top-{topK}.");
        for (int i = 0; i < kept; i++)
        {
            var (example, score, y, x, length) = (reader.ReadInt32(), reader.ReadSingle(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
            if (length != (keepMaps ? height * width : -1)) throw new InvalidDataException($"ActivationRecorder checkpoint: a kept map of {length} values where {(keepMaps ? height * width : -1)} were expected.");
            float[]? map = length < 0 ? null : [.. Enumerable.Range(0, length).Select(_ => reader.ReadSingle())];
            heap.Enqueue(new TopExample(example, score, y, x, map, height, width), (score, -example));
        }
    }

    /// <summary>The kept examples by descending score, ties by ascending example index.</summary>
    public IReadOnlyList<TopExample> TopExamples() =>
        [.. heap.UnorderedItems.Select(e => e.Element).OrderByDescending(e => e.Score).ThenBy(e => e.Example)];
}
