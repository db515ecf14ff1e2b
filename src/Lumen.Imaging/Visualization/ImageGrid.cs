namespace Lumen.Imaging;

/// <summary>
/// Lays out images in a grid of equal cells with an optional caption under each (drawn with
/// <see cref="BitmapFont"/>), e.g. an input next to the heatmaps of several attribution methods.
/// </summary>
/// <example><code>
/// var grid = ImageGrid.Compose([(input, "input"), (ig, "integrated-gradients"), (sal, "saliency")], columns: 3);
/// grid.SavePng("comparison.png");
/// </code></example>
public static class ImageGrid
{
    /// <summary>Composes <paramref name="tiles"/> into an RGB grid, row by row. Each cell is as large as the largest
    /// tile; tiles are centred in their cell; captions are truncated to the cell width.</summary>
    /// <param name="tiles">Images with optional captions (null or empty for none).</param>
    /// <param name="columns">Cells per row; 0 puts all tiles on one row.</param>
    /// <param name="padding">Pixels between cells and around the grid.</param>
    /// <param name="background">Grey level of the background.</param>
    /// <param name="captionScale">Integer scale of the 5×7 font.</param>
    /// <exception cref="ArgumentException">When there is no tile or a layout argument is negative.</exception>
    public static Image Compose(IReadOnlyList<(Image Image, string? Caption)> tiles, int columns = 0, int padding = 4,
        byte background = 255, int captionScale = 1)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        if (tiles.Count == 0) throw new ArgumentException("ImageGrid: at least one tile is needed.", nameof(tiles));
        if (columns < 0 || padding < 0 || captionScale <= 0)
            throw new ArgumentException($"ImageGrid: columns {columns} and padding {padding} must be ≥ 0 and captionScale {captionScale} > 0.");
        int cols = columns == 0 ? tiles.Count : Math.Min(columns, tiles.Count);
        int rows = (tiles.Count + cols - 1) / cols;
        int cellW = tiles.Max(t => t.Image.Width), cellH = tiles.Max(t => t.Image.Height);
        bool captions = tiles.Any(t => !string.IsNullOrEmpty(t.Caption));
        int captionH = captions ? BitmapFont.CellHeight * captionScale + 2 : 0;
        int width = padding + cols * (cellW + padding), height = padding + rows * (cellH + captionH + padding);
        var grid = new Image(width, height, 3);
        Array.Fill(grid.Pixels, background);
        var ink = background > 127 ? ((byte)0, (byte)0, (byte)0) : ((byte)255, (byte)255, (byte)255);
        for (int i = 0; i < tiles.Count; i++)
        {
            var (tile, caption) = tiles[i];
            var rgb = tile.Channels == 3 ? tile : tile.ToRgb();
            int cx = padding + i % cols * (cellW + padding), cy = padding + i / cols * (cellH + captionH + padding);
            int ox = cx + (cellW - tile.Width) / 2, oy = cy + (cellH - tile.Height) / 2;
            for (int y = 0; y < tile.Height; y++)
                Array.Copy(rgb.Pixels, y * rgb.Stride, grid.Pixels, ((oy + y) * width + ox) * 3, rgb.Stride);
            if (string.IsNullOrEmpty(caption)) continue;
            int maxChars = Math.Max(1, cellW / (BitmapFont.CellWidth * captionScale));
            string text = caption.Length > maxChars ? caption[..maxChars] : caption;
            int textW = BitmapFont.Measure(text, captionScale).Width;
            BitmapFont.DrawText(grid, cx + Math.Max(0, (cellW - textW) / 2), cy + cellH + 2, text, ink, captionScale);
        }
        return grid;
    }
}
