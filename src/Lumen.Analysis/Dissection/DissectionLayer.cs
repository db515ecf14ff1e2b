using Lumen.Analysis.Recording;
using Lumen.Tensors;

namespace Lumen.Analysis.Dissection;

/// <summary>The running state of one hook point during <see cref="NetworkDissection.Dissect"/>: threshold heaps and
/// top examples (pass 1), intersection and area counts per half of the set (pass 2), Net2Vec pixel samples and the
/// combined masks' counts (pass 3). Memory is bounded by the options, not by the number of images.</summary>
internal sealed class DissectionLayer
{
    private readonly string name;
    private readonly int units, height, width, concepts;
    private readonly TopQuantile quantile;
    private readonly ChannelAccumulator[] examples;
    private readonly long[,] area;          // [half, unit]: Σ|M_k|
    private readonly long[,,] intersection; // [half, unit, concept]: Σ|M_k ∩ L_c|
    private readonly long[,] conceptArea;   // [half, concept]: Σ|L_c|
    private readonly long[] combinedArea, combinedIntersection; // [concept], held-out half
    private readonly List<float> sampleFeatures = [], sampleLabels = [];
    private float[] thresholds = [];
    private bool[] saturated = [];

    public DissectionLayer(string name, Tensor activation, int images, int concepts, DissectionOptions options)
    {
        if (activation.Rank != 4)
            throw new InvalidOperationException($"NetworkDissection: '{name}' produced {activation.Shape}; dissection needs spatial maps [batch, units, height, width].");
        this.name = name;
        this.concepts = concepts;
        (units, height, width) = (activation.Shape[1], activation.Shape[2], activation.Shape[3]);
        if ((long)options.ExamplesPerUnit * units * height * width * sizeof(float) > options.MemoryBudget)
            throw new ArgumentException($"NetworkDissection: keeping {options.ExamplesPerUnit} maps of {height}×{width} for {units} units of '{name}' exceeds the memory budget of {options.MemoryBudget >> 20} MiB; lower ExamplesPerUnit.");
        quantile = new TopQuantile(units, (long)images * height * width, options.Quantile, options.MemoryBudget, $"NetworkDissection ('{name}')");
        examples = [.. Enumerable.Range(0, units).Select(_ => new ChannelAccumulator(Math.Max(1, options.ExamplesPerUnit), true, height, width))];
        area = new long[2, units];
        intersection = new long[2, units, concepts];
        conceptArea = new long[2, concepts];
        combinedArea = new long[concepts];
        combinedIntersection = new long[concepts];
    }

    public int[] Shape => [units, height, width];

    /// <summary>Pass 1: feeds the raw activations [B, K, h, w] of images <paramref name="start"/>… to the threshold
    /// heaps and the top-example lists.</summary>
    public void Observe(int start, Tensor activation)
    {
        Check(activation);
        int positions = height * width, batch = activation.Shape[0];
        Parallel.For(0, units, new ParallelOptions { MaxDegreeOfParallelism = Parallelism.MaxDegree }, k =>
        {
            var values = activation.AsReadOnlySpan();
            for (int b = 0; b < batch; b++)
            {
                var map = values.Slice((b * units + k) * positions, positions);
                quantile.Add(k, map);
                examples[k].Add(start + b, map, ChannelScore.Max);
            }
        });
    }

    /// <summary>Ends pass 1: the thresholds T_k, and which of them are ties at the unit's maximum (T_k = max &gt; min:
    /// the unit then fires where it reaches T_k; a constant unit never fires).</summary>
    public void Thresholds()
    {
        thresholds = [.. Enumerable.Range(0, units).Select(quantile.Threshold)];
        saturated = [.. Enumerable.Range(0, units).Select(k => examples[k].Statistics() is var s && thresholds[k] >= s.Max && s.Min < s.Max)];
    }

    /// <summary>Pass 2: counts |M_k|, |L_c| and |M_k ∩ L_c| of the activations [B, K, h, w] of images
    /// <paramref name="start"/>… upsampled one image at a time (<paramref name="upsample"/>: [1, K, h, w] →
    /// [1, K, H, W]), per half (even images train Net2Vec, odd ones test it), and samples Net2Vec pixels from the even
    /// images when <paramref name="net2vec"/> is set.</summary>
    public void Count(int start, ConceptSample[] samples, Tensor activation, Func<Tensor, Tensor> upsample, Net2VecOptions? net2vec)
    {
        Check(activation);
        for (int b = 0; b < samples.Length; b++)
        {
            var upsampled = upsample(activation.Slice(0, b, b + 1));
            int pixels = upsampled.Shape[2] * upsampled.Shape[3];
            int index = start + b, half = index % 2;
            var masks = samples[b].Masks;
            foreach (var mask in masks) conceptArea[half, mask.Concept] += mask.Area;
            Parallel.For(0, units, new ParallelOptions { MaxDegreeOfParallelism = Parallelism.MaxDegree }, k =>
            {
                var map = upsampled.AsReadOnlySpan().Slice(k * pixels, pixels);
                float t = thresholds[k];
                bool atLeast = saturated[k];
                long fired = 0;
                var hits = new long[masks.Count];
                for (int p = 0; p < pixels; p++)
                {
                    if (!(map[p] > t || (atLeast && map[p] >= t))) continue;
                    fired++;
                    for (int m = 0; m < masks.Count; m++) if (masks[m].Pixels[p]) hits[m]++;
                }
                area[half, k] += fired;
                for (int m = 0; m < masks.Count; m++) intersection[half, k, masks[m].Concept] += hits[m];
            });
            if (net2vec is not null && half == 0) Sample(index, upsampled.AsReadOnlySpan(), pixels, masks, net2vec);
        }
    }

    /// <summary>Net2Vec: the starting units (best on the training half), fitted on the sampled pixels.</summary>
    public Net2Vec? Fit(Net2VecOptions options)
    {
        int rows = sampleLabels.Count / concepts;
        if (rows == 0) return null;
        var labels = Tensor.FromArray([.. sampleLabels], rows, concepts);
        var start = Enumerable.Range(0, concepts).Select(c => BestUnit(0, c)).ToArray();
        return Net2Vec.Fit(Tensor.FromArray([.. sampleFeatures], rows, units), labels, options, start);
    }

    /// <summary>Pass 3: counts the combined masks of the held-out (odd) images against their labels.</summary>
    public void Evaluate(ConceptSample[] samples, Tensor activation, Func<Tensor, Tensor> upsample, Net2Vec fit)
    {
        Check(activation);
        var scale = Tensor.FromArray([.. thresholds.Select(Scale)], 1, units, 1, 1);
        for (int b = 0; b < samples.Length; b++)
        {
            var upsampled = upsample(activation.Slice(0, b, b + 1)) * scale;                    // [1, K, H, W]
            int pixels = upsampled.Shape[2] * upsampled.Shape[3];
            var features = upsampled.Reshape(units, pixels).Transpose(0, 1);                   // [pixels, K]
            var inside = fit.Predict(features);                                                 // [pixels, C]
            var truth = new bool[concepts][];
            foreach (var mask in samples[b].Masks) truth[mask.Concept] = mask.Pixels;
            for (int c = 0; c < concepts; c++)
                for (int p = 0; p < pixels; p++)
                {
                    if (!inside[p * concepts + c]) continue;
                    combinedArea[c]++;
                    if (truth[c]?[p] == true) combinedIntersection[c]++;
                }
        }
    }

    /// <summary>The result for this hook point.</summary>
    public LayerDissection Result(DissectionOptions options, Net2Vec? fit)
    {
        var iou = Enumerable.Range(0, units).Select(k => (IReadOnlyList<double>)[.. Enumerable.Range(0, concepts).Select(c => IouBoth(k, c))]).ToList();
        var list = new List<UnitDissection>();
        for (int k = 0; k < units; k++)
        {
            int best = 0;
            for (int c = 1; c < concepts; c++) if (iou[k][c] > iou[k][best]) best = c;
            list.Add(new UnitDissection(k, thresholds[k], best, iou[k][best], iou[k][best] > options.IouThreshold, options.ExamplesPerUnit == 0 ? [] : examples[k].TopExamples(), saturated[k]));
        }
        var combinations = new List<ConceptCombination>();
        if (fit is not null)
        {
            var w = fit.Weights.ToArray();
            var bias = fit.Bias.ToArray();
            for (int c = 0; c < concepts; c++)
            {
                if (conceptArea[0, c] == 0 || conceptArea[1, c] == 0) continue;
                int unit = BestUnit(0, c);
                double union = combinedArea[c] + conceptArea[1, c] - combinedIntersection[c];
                combinations.Add(new ConceptCombination(c, [.. Enumerable.Range(0, units).Select(k => w[k * concepts + c])], bias[c],
                    union == 0 ? 0 : combinedIntersection[c] / union, unit, Iou(unit, c, 1)));
            }
        }
        return new LayerDissection(name, Shape, list, iou, combinations);
    }

    /// <summary>IoU_{k,c} over the whole set: Σ|M_k ∩ L_c| / Σ|M_k ∪ L_c|, with |M ∪ L| = |M| + |L| − |M ∩ L|.</summary>
    private double IouBoth(int k, int c)
    {
        long i = intersection[0, k, c] + intersection[1, k, c];
        double union = area[0, k] + area[1, k] + conceptArea[0, c] + conceptArea[1, c] - i;
        return union == 0 ? 0 : i / union;
    }

    /// <summary>IoU_{k,c} over one half of the set.</summary>
    private double Iou(int k, int c, int half)
    {
        double union = area[half, k] + conceptArea[half, c] - intersection[half, k, c];
        return union == 0 ? 0 : intersection[half, k, c] / union;
    }

    private int BestUnit(int half, int c)
    {
        int best = 0;
        for (int k = 1; k < units; k++) if (Iou(k, c, half) > Iou(best, c, half)) best = k;
        return best;
    }

    /// <summary>Features are activations divided by the unit's threshold (1 when the threshold is not positive), so
    /// a_k/T_k &gt; 1 exactly where unit k fires.</summary>
    private static float Scale(float threshold) => threshold > 0 ? 1f / threshold : 1f;

    private void Sample(int index, ReadOnlySpan<float> maps, int pixels, IReadOnlyList<ConceptMask> masks, Net2VecOptions options)
    {
        var rng = new Random(unchecked(options.Seed * 1000003 + index));
        for (int s = 0; s < options.PixelsPerImage; s++)
        {
            int p = rng.Next(pixels);
            for (int k = 0; k < units; k++) sampleFeatures.Add(maps[k * pixels + p] * Scale(thresholds[k]));
            var row = new float[concepts];
            foreach (var mask in masks) if (mask.Pixels[p]) row[mask.Concept] = 1f;
            sampleLabels.AddRange(row);
        }
    }

    private void Check(Tensor activation)
    {
        if (activation.Rank != 4 || activation.Shape[1] != units || activation.Shape[2] != height || activation.Shape[3] != width)
            throw new InvalidOperationException($"NetworkDissection: '{name}' produced {activation.Shape} after [B, {units}, {height}, {width}]; all images must give the same shape.");
    }
}
