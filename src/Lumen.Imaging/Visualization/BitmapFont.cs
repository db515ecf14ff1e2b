namespace Lumen.Imaging;

/// <summary>
/// A built-in 5×7 pixel font for captions: digits, Latin letters (lower case is drawn as upper case) and common
/// punctuation; any other character is drawn as '?'. Each glyph cell is 6×8 pixels including spacing.
/// </summary>
public static class BitmapFont
{
    /// <summary>Glyph cell width in pixels at scale 1 (5 pixels plus 1 of spacing).</summary>
    public const int CellWidth = 6;

    /// <summary>Glyph cell height in pixels at scale 1 (7 pixels plus 1 of spacing).</summary>
    public const int CellHeight = 8;

    // Each glyph: 7 rows of 5 pixels, '#' = ink, rows separated by '|'.
    private static readonly Dictionary<char, string> Glyphs = new()
    {
        [' '] = ".....|.....|.....|.....|.....|.....|.....",
        ['0'] = ".###.|#...#|#..##|#.#.#|##..#|#...#|.###.",
        ['1'] = "..#..|.##..|..#..|..#..|..#..|..#..|.###.",
        ['2'] = ".###.|#...#|....#|...#.|..#..|.#...|#####",
        ['3'] = "#####|...#.|..#..|...#.|....#|#...#|.###.",
        ['4'] = "...#.|..##.|.#.#.|#..#.|#####|...#.|...#.",
        ['5'] = "#####|#....|####.|....#|....#|#...#|.###.",
        ['6'] = "..##.|.#...|#....|####.|#...#|#...#|.###.",
        ['7'] = "#####|....#|...#.|..#..|.#...|.#...|.#...",
        ['8'] = ".###.|#...#|#...#|.###.|#...#|#...#|.###.",
        ['9'] = ".###.|#...#|#...#|.####|....#|...#.|.##..",
        ['A'] = ".###.|#...#|#...#|#####|#...#|#...#|#...#",
        ['B'] = "####.|#...#|#...#|####.|#...#|#...#|####.",
        ['C'] = ".###.|#...#|#....|#....|#....|#...#|.###.",
        ['D'] = "###..|#..#.|#...#|#...#|#...#|#..#.|###..",
        ['E'] = "#####|#....|#....|####.|#....|#....|#####",
        ['F'] = "#####|#....|#....|####.|#....|#....|#....",
        ['G'] = ".###.|#...#|#....|#.###|#...#|#...#|.####",
        ['H'] = "#...#|#...#|#...#|#####|#...#|#...#|#...#",
        ['I'] = ".###.|..#..|..#..|..#..|..#..|..#..|.###.",
        ['J'] = "..###|...#.|...#.|...#.|...#.|#..#.|.##..",
        ['K'] = "#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#",
        ['L'] = "#....|#....|#....|#....|#....|#....|#####",
        ['M'] = "#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#",
        ['N'] = "#...#|#...#|##..#|#.#.#|#..##|#...#|#...#",
        ['O'] = ".###.|#...#|#...#|#...#|#...#|#...#|.###.",
        ['P'] = "####.|#...#|#...#|####.|#....|#....|#....",
        ['Q'] = ".###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#",
        ['R'] = "####.|#...#|#...#|####.|#.#..|#..#.|#...#",
        ['S'] = ".####|#....|#....|.###.|....#|....#|####.",
        ['T'] = "#####|..#..|..#..|..#..|..#..|..#..|..#..",
        ['U'] = "#...#|#...#|#...#|#...#|#...#|#...#|.###.",
        ['V'] = "#...#|#...#|#...#|#...#|#...#|.#.#.|..#..",
        ['W'] = "#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#.",
        ['X'] = "#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#",
        ['Y'] = "#...#|#...#|.#.#.|..#..|..#..|..#..|..#..",
        ['Z'] = "#####|....#|...#.|..#..|.#...|#....|#####",
        ['.'] = ".....|.....|.....|.....|.....|.##..|.##..",
        [','] = ".....|.....|.....|.....|.##..|..#..|.#...",
        [':'] = ".....|.##..|.##..|.....|.##..|.##..|.....",
        [';'] = ".....|.##..|.##..|.....|.##..|..#..|.#...",
        ['-'] = ".....|.....|.....|#####|.....|.....|.....",
        ['+'] = ".....|..#..|..#..|#####|..#..|..#..|.....",
        ['='] = ".....|.....|#####|.....|#####|.....|.....",
        ['_'] = ".....|.....|.....|.....|.....|.....|#####",
        ['/'] = ".....|....#|...#.|..#..|.#...|#....|.....",
        ['('] = "...#.|..#..|.#...|.#...|.#...|..#..|...#.",
        [')'] = ".#...|..#..|...#.|...#.|...#.|..#..|.#...",
        ['['] = ".###.|.#...|.#...|.#...|.#...|.#...|.###.",
        [']'] = ".###.|...#.|...#.|...#.|...#.|...#.|.###.",
        ['%'] = "##...|##..#|...#.|..#..|.#...|#..##|...##",
        ['#'] = ".#.#.|.#.#.|#####|.#.#.|#####|.#.#.|.#.#.",
        ['\''] = "..#..|..#..|.#...|.....|.....|.....|.....",
        ['"'] = ".#.#.|.#.#.|.#.#.|.....|.....|.....|.....",
        ['!'] = "..#..|..#..|..#..|..#..|..#..|.....|..#..",
        ['?'] = ".###.|#...#|....#|...#.|..#..|.....|..#..",
        ['<'] = "...#.|..#..|.#...|#....|.#...|..#..|...#.",
        ['>'] = ".#...|..#..|...#.|....#|...#.|..#..|.#...",
        ['*'] = ".....|..#..|#.#.#|.###.|#.#.#|..#..|.....",
    };

    /// <summary>True when <paramref name="c"/> has its own glyph (letters in either case).</summary>
    public static bool HasGlyph(char c) => Glyphs.ContainsKey(char.ToUpperInvariant(c));

    /// <summary>Whether the glyph for <paramref name="c"/> has ink at column <paramref name="x"/> (0..4), row
    /// <paramref name="y"/> (0..6).</summary>
    public static bool Ink(char c, int x, int y)
    {
        if (x is < 0 or > 4 || y is < 0 or > 6) return false;
        var glyph = Glyphs.TryGetValue(char.ToUpperInvariant(c), out var g) ? g : Glyphs['?'];
        return glyph[y * 6 + x] == '#';
    }

    /// <summary>Width and height in pixels of <paramref name="text"/> drawn at <paramref name="scale"/>.</summary>
    public static (int Width, int Height) Measure(string text, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        return (text.Length * CellWidth * scale, CellHeight * scale);
    }

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (<paramref name="x"/>, <paramref name="y"/>);
    /// pixels falling outside the image are skipped. Grey images receive the colour's luma.</summary>
    /// <exception cref="ArgumentException">When <paramref name="scale"/> is not positive.</exception>
    public static void DrawText(Image image, int x, int y, string text, (byte R, byte G, byte B) color, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(text);
        if (scale <= 0) throw new ArgumentException($"DrawText: scale must be positive, got {scale}.", nameof(scale));
        byte grey = (byte)((color.R * 19595 + color.G * 38470 + color.B * 7471 + 0x8000) >> 16);
        for (int i = 0; i < text.Length; i++)
            for (int gy = 0; gy < 7; gy++)
                for (int gx = 0; gx < 5; gx++)
                {
                    if (!Ink(text[i], gx, gy)) continue;
                    for (int sy = 0; sy < scale; sy++)
                        for (int sx = 0; sx < scale; sx++)
                        {
                            int px = x + (i * CellWidth + gx) * scale + sx, py = y + gy * scale + sy;
                            if ((uint)px >= (uint)image.Width || (uint)py >= (uint)image.Height) continue;
                            int o = (py * image.Width + px) * image.Channels;
                            if (image.Channels == 1)
                            {
                                image.Pixels[o] = grey;
                                continue;
                            }
                            image.Pixels[o] = color.R;
                            image.Pixels[o + 1] = color.G;
                            image.Pixels[o + 2] = color.B;
                            if (image.Channels == 4) image.Pixels[o + 3] = 255;
                        }
                }
    }
}
