using System.Globalization;

namespace Lumen.Imaging;

/// <summary>
/// A colour ramp t ∈ [0, 1] → RGB, built by piecewise-linear interpolation (in sRGB) between evenly spaced anchor
/// colours and tabulated at 511 levels. Diverging maps put zero at t = ½.
/// </summary>
/// <remarks>
/// The sequential maps are approximations of matplotlib's viridis and inferno (S. van der Walt, N. Smith,
/// https://bids.github.io/colormap/) through 17 anchors, their colours at t = 0, 1/16, …, 1 (sampled from
/// matplotlib 3.6; the maps are CC0), within 4 (viridis) and 6 (inferno) levels of the originals; the diverging map uses
/// the published ColorBrewer RdBu 11-class colours (C. Brewer, https://colorbrewer2.org), blue for negative and
/// red for positive values.
/// </remarks>
public sealed class Colormap
{
    /// <summary>Table size: odd, so that t = ½ (zero of a diverging map) falls exactly on an entry.</summary>
    private const int Levels = 511;

    private readonly byte[] table = new byte[Levels * 3];

    private Colormap(string name, bool diverging, IReadOnlyList<(byte R, byte G, byte B)> anchors)
    {
        Name = name;
        IsDiverging = diverging;
        Anchors = anchors;
        for (int i = 0; i < Levels; i++)
        {
            double pos = i / (Levels - 1.0) * (anchors.Count - 1);
            int k = Math.Min((int)pos, anchors.Count - 2);
            double f = pos - k;
            var (a, b) = (anchors[k], anchors[k + 1]);
            table[3 * i] = Lerp(a.R, b.R, f);
            table[3 * i + 1] = Lerp(a.G, b.G, f);
            table[3 * i + 2] = Lerp(a.B, b.B, f);
        }
    }

    /// <summary>Name of the map ("viridis", "inferno", "grey", "rdbu").</summary>
    public string Name { get; }

    /// <summary>True for maps meant for signed data, with zero at the centre.</summary>
    public bool IsDiverging { get; }

    /// <summary>The evenly spaced anchor colours the ramp interpolates.</summary>
    public IReadOnlyList<(byte R, byte G, byte B)> Anchors { get; }

    /// <summary>Perceptually ordered dark-blue → green → yellow sequential map (viridis-like).</summary>
    public static Colormap Viridis { get; } = FromHex("viridis", false,
        "440154", "48186a", "472d7b", "424086", "3b528b", "33638d", "2c728e", "26828e", "21918c",
        "1fa088", "28ae80", "3fbc73", "5ec962", "84d44b", "addc30", "d8e219", "fde725");

    /// <summary>Perceptually ordered black → purple → orange → pale-yellow sequential map (inferno-like).</summary>
    public static Colormap Inferno { get; } = FromHex("inferno", false,
        "000004", "0b0724", "210c4a", "3d0965", "57106e", "71196e", "8a226a", "a32c61", "bc3754",
        "d24644", "e45a31", "f1731d", "f98e09", "fcac11", "f9cb35", "f2ea69", "fcffa4");

    /// <summary>Black → white.</summary>
    public static Colormap Grey { get; } = FromHex("grey", false, "000000", "ffffff");

    /// <summary>Diverging blue (negative) → near-white (zero) → red (positive), ColorBrewer RdBu.</summary>
    public static Colormap RedBlue { get; } = FromHex("rdbu", true,
        "053061", "2166ac", "4393c3", "92c5de", "d1e5f0", "f7f7f7", "fddbc7", "f4a582", "d6604d", "b2182b", "67001f");

    /// <summary>Builds a map from two or more anchor colours given as "rrggbb" hex strings.</summary>
    /// <exception cref="ArgumentException">When fewer than two anchors are given or one is not 6 hex digits.</exception>
    public static Colormap FromHex(string name, bool diverging, params string[] anchors)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        if (anchors.Length < 2) throw new ArgumentException($"Colormap '{name}': at least two anchor colours are needed, got {anchors.Length}.");
        var colours = anchors.Select(h =>
        {
            if (h.Length != 6 || !int.TryParse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int v))
                throw new ArgumentException($"Colormap '{name}': anchor '{h}' is not a 6-digit hex colour.");
            return ((byte)(v >> 16), (byte)(v >> 8), (byte)v);
        }).ToArray();
        return new Colormap(name, diverging, colours);
    }

    /// <summary>The colour at <paramref name="t"/> (clamped to [0, 1]; NaN maps to 0).</summary>
    public (byte R, byte G, byte B) Map(double t)
    {
        int i = double.IsNaN(t) ? 0 : (int)Math.Round(Math.Clamp(t, 0.0, 1.0) * (Levels - 1));
        return (table[3 * i], table[3 * i + 1], table[3 * i + 2]);
    }

    private static byte Lerp(byte a, byte b, double f) => (byte)Math.Round(a + (b - a) * f);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
