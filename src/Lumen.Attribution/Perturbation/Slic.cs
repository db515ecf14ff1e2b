using Lumen.Tensors;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// SLIC superpixels: k-means in colour and position, restricted to a window around each centre, followed by a pass
/// that makes every superpixel connected. The superpixel source of <see cref="FeatureMask.Slic"/>.
/// </summary>
/// <remarks>
/// Pixels are compared in CIELAB (a 3-channel image; each channel is first rescaled to [0, 1] by its own minimum and
/// maximum, which undoes a per-channel normalisation such as ImageNet's mean/std) or, for other channel counts, in
/// the channels rescaled to [0, 100]. With S = √(N/k) for N pixels and k requested segments, the centres start on a
/// regular grid of step ≈ S and move to the lowest gradient ‖I(x+1) − I(x−1)‖² + ‖I(y+1) − I(y−1)‖² of their 3 × 3
/// neighbourhood. Each of the iterations assigns every pixel within ±S (a 2S × 2S window) of a centre to the centre
/// with the least D = √(d_lab² + (m·d_xy/S)²), m the compactness, and moves each centre to the mean of its pixels.
/// Finally, 4-connected fragments smaller than S²/4 are merged into the superpixel they touch first in raster order
/// and every other fragment becomes a superpixel of its own, so that every label is connected. Labels are numbered
/// 0…K−1 in raster order of their first pixel; everything is deterministic. Achanta et al., "SLIC Superpixels Compared
/// to State-of-the-Art Superpixel Methods" (TPAMI 2012), https://doi.org/10.1109/TPAMI.2012.120
/// </remarks>
/// <example><code>var (labels, count) = Slic.Segment(image, segments: 100, compactness: 10); // image [C, H, W]</code></example>
public static class Slic
{
    /// <summary>Segments <paramref name="image"/> ([C, H, W], [1, C, H, W] or [H, W]) into about
    /// <paramref name="segments"/> connected superpixels; returns the label of every pixel [H·W] and the count K.</summary>
    /// <param name="image">The image; any value range.</param>
    /// <param name="segments">The approximate number of superpixels k (at least 1).</param>
    /// <param name="compactness">m: larger values give more regular, square superpixels (10 is the paper's choice for CIELAB).</param>
    /// <param name="iterations">Assignment/update rounds (the paper: 10).</param>
    public static (int[] Labels, int Count) Segment(Tensor image, int segments = 100, double compactness = 10, int iterations = 10)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (segments < 1 || !(compactness >= 0) || double.IsInfinity(compactness) || iterations < 1)
            throw new ArgumentOutOfRangeException(nameof(segments), $"Slic: needs segments ≥ 1, a finite compactness ≥ 0 and iterations ≥ 1, got {segments}, {compactness}, {iterations}.");
        var (features, channels, height, width) = Features(image);
        int n = height * width;
        double step = Math.Sqrt((double)n / Math.Min(segments, n));
        var centres = Seeds(features, channels, height, width, step);
        var labels = Cluster(features, channels, height, width, step, compactness, iterations, centres);
        return Connect(labels, height, width, Math.Max(1, (int)(step * step / 4)));
    }

    /// <summary>Per-pixel features [H·W·F] (pixel-major): CIELAB for three channels, rescaled channels otherwise.</summary>
    private static (double[] Features, int Channels, int Height, int Width) Features(Tensor image)
    {
        var shape = image.Shape;
        if (shape.Rank == 4 && shape[0] == 1) shape = new Shape(shape.Dims[1..].ToArray());
        if (shape.Rank == 2) shape = new Shape(1, shape[0], shape[1]);
        if (shape.Rank != 3 || shape.Size == 0)
            throw new ArgumentException($"Slic: needs an image [C, H, W], [1, C, H, W] or [H, W], got {image.Shape}.", nameof(image));
        int c = shape[0], h = shape[1], w = shape[2], n = h * w;
        var data = (image.DType == DType.Float32 ? image : image.ToFloat32()).AsReadOnlySpan();
        var scaled = new double[c * n]; // channel-major, each channel in [0, 1]
        for (int k = 0; k < c; k++)
        {
            var plane = data.Slice(k * n, n);
            float low = float.PositiveInfinity, high = float.NegativeInfinity;
            foreach (var v in plane) { low = MathF.Min(low, v); high = MathF.Max(high, v); }
            double range = high > low ? high - low : 1;
            for (int i = 0; i < n; i++) scaled[k * n + i] = (plane[i] - low) / range;
        }
        var features = new double[n * c]; // CIELAB has three components too, so F = C either way
        for (int i = 0; i < n; i++)
        {
            if (c == 3) Lab(scaled[i], scaled[n + i], scaled[2 * n + i], features.AsSpan(i * 3, 3));
            else for (int k = 0; k < c; k++) features[i * c + k] = 100 * scaled[k * n + i];
        }
        return (features, c, h, w);
    }

    /// <summary>sRGB in [0, 1] → CIELAB (D65 white).</summary>
    private static void Lab(double r, double g, double b, Span<double> lab)
    {
        static double Linear(double u) => u <= 0.04045 ? u / 12.92 : Math.Pow((u + 0.055) / 1.055, 2.4);
        static double F(double t) => t > 216.0 / 24389 ? Math.Cbrt(t) : (24389.0 / 27 * t + 16) / 116;
        double rl = Linear(r), gl = Linear(g), bl = Linear(b);
        double x = (0.4124564 * rl + 0.3575761 * gl + 0.1804375 * bl) / 0.95047;
        double y = 0.2126729 * rl + 0.7151522 * gl + 0.0721750 * bl;
        double z = (0.0193339 * rl + 0.1191920 * gl + 0.9503041 * bl) / 1.08883;
        double fx = F(x), fy = F(y), fz = F(z);
        lab[0] = 116 * fy - 16;
        lab[1] = 500 * (fx - fy);
        lab[2] = 200 * (fy - fz);
    }

    /// <summary>Grid centres (features, then y, x), each moved to the lowest gradient of its 3 × 3 neighbourhood.</summary>
    private static List<double[]> Seeds(double[] features, int f, int height, int width, double step)
    {
        int rows = Math.Max(1, (int)Math.Round(height / step)), columns = Math.Max(1, (int)Math.Round(width / step));
        var centres = new List<double[]>(rows * columns);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                int y = (int)((r + 0.5) * height / rows), x = (int)((c + 0.5) * width / columns);
                int bestY = y, bestX = x;
                double best = double.PositiveInfinity;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int yy = y + dy, xx = x + dx;
                        if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
                        double gradient = Distance(features, f, Index(yy, xx + 1), Index(yy, xx - 1)) + Distance(features, f, Index(yy + 1, xx), Index(yy - 1, xx));
                        if (gradient < best) { best = gradient; bestY = yy; bestX = xx; }
                    }
                var centre = new double[f + 2];
                features.AsSpan(Index(bestY, bestX) * f, f).CopyTo(centre);
                (centre[f], centre[f + 1]) = (bestY, bestX);
                centres.Add(centre);
            }
        return centres;

        int Index(int y, int x) => Math.Clamp(y, 0, height - 1) * width + Math.Clamp(x, 0, width - 1);
    }

    private static double Distance(double[] features, int f, int p, int q)
    {
        double sum = 0;
        for (int k = 0; k < f; k++) { double d = features[p * f + k] - features[q * f + k]; sum += d * d; }
        return sum;
    }

    /// <summary>The windowed k-means rounds; returns the label of every pixel (−1 where no window reached).</summary>
    private static int[] Cluster(double[] features, int f, int height, int width, double step, double compactness, int iterations, List<double[]> centres)
    {
        int n = height * width, radius = (int)Math.Ceiling(step);
        var labels = new int[n];
        var best = new double[n];
        double spatial = compactness * compactness / (step * step); // (m/S)² multiplies d_xy²
        var sums = new double[centres.Count, f + 3];
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            Array.Fill(labels, -1);
            Array.Fill(best, double.PositiveInfinity);
            for (int c = 0; c < centres.Count; c++)
            {
                var centre = centres[c];
                int cy = (int)Math.Round(centre[f]), cx = (int)Math.Round(centre[f + 1]);
                for (int y = Math.Max(0, cy - radius); y <= Math.Min(height - 1, cy + radius); y++)
                    for (int x = Math.Max(0, cx - radius); x <= Math.Min(width - 1, cx + radius); x++)
                    {
                        int p = y * width + x;
                        double colour = 0;
                        for (int k = 0; k < f; k++) { double d = features[p * f + k] - centre[k]; colour += d * d; }
                        double dy = y - centre[f], dx = x - centre[f + 1];
                        double distance = colour + spatial * (dy * dy + dx * dx);
                        if (distance < best[p]) { best[p] = distance; labels[p] = c; }
                    }
            }
            Array.Clear(sums);
            for (int p = 0; p < n; p++)
            {
                int c = labels[p];
                if (c < 0) continue;
                for (int k = 0; k < f; k++) sums[c, k] += features[p * f + k];
                sums[c, f] += p / width;
                sums[c, f + 1] += p % width;
                sums[c, f + 2]++;
            }
            for (int c = 0; c < centres.Count; c++)
            {
                double count = sums[c, f + 2];
                if (count == 0) continue; // an empty centre stays where it is
                for (int k = 0; k < f + 2; k++) centres[c][k] = sums[c, k] / count;
            }
        }
        return labels;
    }

    /// <summary>Relabels 4-connected fragments: those under <paramref name="minimum"/> pixels join the superpixel of
    /// the already-labelled neighbour of their first pixel, every other fragment gets a label of its own.</summary>
    private static (int[] Labels, int Count) Connect(int[] labels, int height, int width, int minimum)
    {
        int n = labels.Length, count = 0;
        var result = new int[n];
        Array.Fill(result, -1);
        var fragment = new List<int>();
        var queue = new Queue<int>();
        for (int start = 0; start < n; start++)
        {
            if (result[start] >= 0) continue;
            int y0 = start / width, x0 = start % width, adjacent = -1;
            if (x0 > 0) adjacent = result[start - 1];
            else if (y0 > 0) adjacent = result[start - width];
            fragment.Clear();
            queue.Enqueue(start);
            result[start] = int.MaxValue; // visited
            while (queue.Count > 0)
            {
                int p = queue.Dequeue();
                fragment.Add(p);
                int y = p / width, x = p % width;
                Visit(p, x > 0 ? p - 1 : -1);
                Visit(p, x < width - 1 ? p + 1 : -1);
                Visit(p, y > 0 ? p - width : -1);
                Visit(p, y < height - 1 ? p + width : -1);
            }
            int label = fragment.Count < minimum && adjacent >= 0 ? adjacent : count++;
            foreach (var p in fragment) result[p] = label;
        }
        return (result, count);

        void Visit(int from, int to)
        {
            if (to < 0 || result[to] >= 0 || labels[to] != labels[from]) return;
            result[to] = int.MaxValue;
            queue.Enqueue(to);
        }
    }
}
