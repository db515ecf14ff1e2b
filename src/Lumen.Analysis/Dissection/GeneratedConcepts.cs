using Lumen.Tensors;

namespace Lumen.Analysis.Dissection;

/// <summary>
/// A small Broden-like concept set generated in code (no downloaded data): coloured regions, two-colour textures and
/// filled shapes, every pixel labelled exactly. Deterministic: the same seed, count and size give the same images.
/// </summary>
/// <remarks>
/// Concepts: the 11 Broden colours (black, blue, brown, green, grey, orange, pink, purple, red, white, yellow; Bau et
/// al. 2017 take them from van de Weijer et al. 2009), textures (stripes at 0°, 45°, 90° and 135° with a period of
/// 4–16 px, checkerboard, dots, grid) and shapes (circle, square, triangle). Image i is of kind i mod 3:
/// <list type="bullet">
/// <item>colour: 2–4 rectangles or ellipses of different colours;</item>
/// <item>texture: a rectangle covering 40–100 % of each side filled with a texture drawn in two colours;</item>
/// <item>shape: one shape (a quarter to three quarters of the side) in one colour.</item>
/// </list>
/// The background is neutral and unlabelled: grey noise (a level of 70–190 per image, ±40 per pixel), so that colour
/// concepts cover a part of the pixels, as in Broden, rather than all of them (with q = 0.005 a unit fires on 0.5 %
/// of the pixels, which bounds the IoU of a concept covering a fraction f of them by 0.005/f). Each region's colour is
/// its named colour jittered by up to ±12 per channel, plus pixel noise of up to ±6; every painted pixel carries the
/// colour concept it was painted with, and texture/shape pixels carry that concept too.
/// Image i draws from <c>new Random(seed · 1000003 + i)</c>, so any image can be produced alone.
/// </remarks>
/// <example><code>
/// var set = GeneratedConcepts.Create(count: 300, size: 112, seed: 0);
/// var dissection = new NetworkDissection(model, new() { HookPoints = ["conv1"] }).Dissect(set, toInput);
/// </code></example>
public static class GeneratedConcepts
{
    /// <summary>The colour concepts with their RGB centres.</summary>
    public static IReadOnlyList<(string Name, byte R, byte G, byte B)> Colors { get; } =
    [
        ("black", 20, 20, 20), ("blue", 30, 60, 200), ("brown", 120, 75, 35), ("green", 40, 160, 50), ("grey", 128, 128, 128),
        ("orange", 240, 140, 20), ("pink", 240, 150, 190), ("purple", 120, 40, 160), ("red", 200, 30, 30), ("white", 235, 235, 235),
        ("yellow", 235, 220, 40),
    ];

    /// <summary>The texture concepts.</summary>
    public static IReadOnlyList<string> Textures { get; } = ["stripes-0", "stripes-45", "stripes-90", "stripes-135", "checkerboard", "dots", "grid"];

    /// <summary>The shape concepts.</summary>
    public static IReadOnlyList<string> Shapes { get; } = ["circle", "square", "triangle"];

    /// <summary>Every concept: colours (category <c>color</c>), then textures (<c>texture</c>), then shapes (<c>shape</c>).</summary>
    public static IReadOnlyList<Concept> Concepts { get; } =
        [.. Colors.Select(c => new Concept(c.Name, "color")), .. Textures.Select(t => new Concept(t, "texture")), .. Shapes.Select(s => new Concept(s, "shape"))];

    /// <summary>A set of <paramref name="count"/> generated images of <paramref name="size"/>² pixels.</summary>
    /// <exception cref="ArgumentException">Count below 1 or size below 16.</exception>
    public static ConceptSet Create(int count = 300, int size = 112, int seed = 0)
    {
        if (count < 1 || size < 16) throw new ArgumentException($"GeneratedConcepts: needs count ≥ 1 and size ≥ 16, got {count} images of {size}².");
        return new ConceptSet($"generated concepts ({count} images of {size}×{size}, seed {seed})", Concepts, count, size, size, i => Generate(i, size, seed));
    }

    /// <summary>Image <paramref name="index"/> of the set with the given size and seed.</summary>
    public static ConceptSample Generate(int index, int size, int seed)
    {
        var rng = new Random(unchecked(seed * 1000003 + index));
        var canvas = new Canvas(size, rng);
        canvas.Neutral();
        string kind;
        switch (index % 3)
        {
            case 0:
                int regions = 2 + rng.Next(3);
                var used = new List<int>();
                for (int r = 0; r < regions; r++)
                {
                    int color = Other(rng, [.. used]);
                    used.Add(color);
                    var (x0, y0, w, h) = Box(rng, size, 0.2, 0.6);
                    bool ellipse = rng.Next(2) == 0;
                    double cx = x0 + w / 2.0, cy = y0 + h / 2.0;
                    canvas.Fill(color, ellipse
                        ? (x, y) => Square((x + 0.5 - cx) / (w / 2.0)) + Square((y + 0.5 - cy) / (h / 2.0)) <= 1
                        : (x, y) => x >= x0 && x < x0 + w && y >= y0 && y < y0 + h);
                }
                kind = "colors";
                break;
            case 1:
                int texture = rng.Next(Textures.Count), foreground = Other(rng), back = Other(rng, foreground);
                var (tx, ty, tw, th) = Box(rng, size, 0.4, 1.0);
                var pattern = Pattern(Textures[texture], rng);
                bool Inside(int x, int y) => x >= tx && x < tx + tw && y >= ty && y < ty + th;
                canvas.Fill(back, Inside);
                canvas.Fill(foreground, (x, y) => Inside(x, y) && pattern(x, y));
                canvas.Label(Colors.Count + texture, Inside);
                kind = Textures[texture];
                break;
            default:
                int shape = rng.Next(Shapes.Count), fill = Other(rng);
                int side = (int)(size * (0.25 + rng.NextDouble() * 0.5));
                int left = rng.Next(size - side + 1), top = rng.Next(size - side + 1);
                Func<int, int, bool> inside = Shapes[shape] switch
                {
                    "circle" => (x, y) => Square(x + 0.5 - left - side / 2.0) + Square(y + 0.5 - top - side / 2.0) <= Square(side / 2.0),
                    "square" => (x, y) => x >= left && x < left + side && y >= top && y < top + side,
                    _ => (x, y) => y >= top && y < top + side && Math.Abs(x + 0.5 - left - side / 2.0) <= (y + 0.5 - top) / 2.0,
                };
                canvas.Fill(fill, inside);
                canvas.Label(Colors.Count + Textures.Count + shape, inside);
                kind = Shapes[shape];
                break;
        }
        return canvas.ToSample($"#{index} {kind}");
    }

    /// <summary>A texture's foreground test for pixel (x, y), with a random scale and phase.</summary>
    private static Func<int, int, bool> Pattern(string texture, Random rng)
    {
        double period = 4 + rng.NextDouble() * 12, phase = rng.NextDouble() * period;
        int cell = 3 + rng.Next(8), offset = rng.Next(cell * 2);
        if (texture.StartsWith("stripes-", StringComparison.Ordinal))
        {
            double theta = int.Parse(texture["stripes-".Length..], System.Globalization.CultureInfo.InvariantCulture) * Math.PI / 180;
            // The stripe's direction is theta, so the value varies along the normal (−sin θ, cos θ).
            return (x, y) => Mod(-x * Math.Sin(theta) + y * Math.Cos(theta) + phase, period) < period / 2;
        }
        return texture switch
        {
            "checkerboard" => (x, y) => ((x + offset) / cell + (y + offset) / cell) % 2 == 0,
            "dots" => (x, y) => Square(Mod(x + offset, 2 * cell) - cell + 0.5) + Square(Mod(y + offset, 2 * cell) - cell + 0.5) <= Square(cell * 0.6),
            _ => (x, y) => (x + offset) % (2 * cell) < 2 || (y + offset) % (2 * cell) < 2,
        };
    }

    private static (int X, int Y, int W, int H) Box(Random rng, int size, double min, double max)
    {
        int w = Math.Max(2, (int)(size * (min + rng.NextDouble() * (max - min)))), h = Math.Max(2, (int)(size * (min + rng.NextDouble() * (max - min))));
        return (rng.Next(size - w + 1), rng.Next(size - h + 1), w, h);
    }

    private static int Other(Random rng, params int[] not)
    {
        int c;
        do c = rng.Next(Colors.Count); while (not.Contains(c));
        return c;
    }

    private static double Square(double v) => v * v;

    private static double Mod(double v, double m) => v - m * Math.Floor(v / m);

    /// <summary>An image being painted: RGB bytes, each pixel's colour concept, and any other concept labels.</summary>
    private sealed class Canvas(int size, Random rng)
    {
        private readonly byte[] rgb = new byte[3 * size * size];
        private readonly int[] color = new int[size * size];

        /// <summary>Paints the unlabelled neutral background: grey noise around a random level.</summary>
        public void Neutral()
        {
            int level = 70 + rng.Next(121);
            Array.Fill(color, -1);
            for (int p = 0; p < size * size; p++)
            {
                byte v = (byte)Jitter(level, 40);
                for (int ch = 0; ch < 3; ch++) rgb[ch * size * size + p] = v;
            }
        }
        private readonly Dictionary<int, bool[]> labels = [];

        /// <summary>Paints colour <paramref name="index"/> (jittered once per call) where <paramref name="where"/> holds.</summary>
        public void Fill(int index, Func<int, int, bool> where)
        {
            var (_, r, g, b) = Colors[index];
            int[] centre = [Jitter(r, 12), Jitter(g, 12), Jitter(b, 12)];
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    if (!where(x, y)) continue;
                    int p = y * size + x;
                    color[p] = index;
                    for (int ch = 0; ch < 3; ch++) rgb[ch * size * size + p] = (byte)Jitter(centre[ch], 6);
                }
        }

        /// <summary>Labels the pixels where <paramref name="where"/> holds with concept <paramref name="concept"/>.</summary>
        public void Label(int concept, Func<int, int, bool> where)
        {
            var mask = new bool[size * size];
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++) mask[y * size + x] = where(x, y);
            labels[concept] = mask;
        }

        public ConceptSample ToSample(string name)
        {
            var masks = new List<ConceptMask>();
            for (int c = 0; c < Colors.Count; c++)
            {
                var mask = color.Select(v => v == c).ToArray();
                if (mask.Any(p => p)) masks.Add(new ConceptMask(c, mask));
            }
            masks.AddRange(labels.OrderBy(l => l.Key).Where(l => l.Value.Any(p => p)).Select(l => new ConceptMask(l.Key, l.Value)));
            return new ConceptSample(name, Tensor.FromArray([.. rgb.Select(v => v / 255f)], 3, size, size), masks);
        }

        private int Jitter(int value, int amount) => Math.Clamp(value + rng.Next(-amount, amount + 1), 0, 255);
    }
}
