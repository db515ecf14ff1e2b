using System.Globalization;
using Lumen.Imaging;

namespace Lumen.Reports.Analyze;

/// <summary>Draws a matrix of values in [0, 1] as a grid of coloured cells (viridis) with each value printed in its
/// cell, e.g. a layer × layer similarity matrix.</summary>
internal static class MatrixImage
{
    public static Image Render(double[,] values, int cell = 30)
    {
        int rows = values.GetLength(0), cols = values.GetLength(1);
        var image = new Image(cols * cell, rows * cell, 3);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                double v = values[r, c];
                var (red, green, blue) = Colormap.Viridis.Map(double.IsFinite(v) ? Math.Clamp(v, 0, 1) : 0);
                for (int y = 0; y < cell; y++)
                    for (int x = 0; x < cell; x++)
                    {
                        bool border = x == cell - 1 || y == cell - 1;
                        int at = ((r * cell + y) * image.Width + c * cell + x) * 3;
                        image.Pixels[at] = border ? (byte)255 : red;
                        image.Pixels[at + 1] = border ? (byte)255 : green;
                        image.Pixels[at + 2] = border ? (byte)255 : blue;
                    }
                string text = double.IsFinite(v) ? v.ToString(".00", CultureInfo.InvariantCulture) : "-";
                if (v >= 0.995) text = "1.0";
                var (w, h) = BitmapFont.Measure(text);
                var ink = v > 0.6 ? ((byte)0, (byte)0, (byte)0) : ((byte)255, (byte)255, (byte)255);
                BitmapFont.DrawText(image, c * cell + (cell - 1 - w) / 2, r * cell + (cell - 1 - h) / 2, text, ink);
            }
        return image;
    }
}
