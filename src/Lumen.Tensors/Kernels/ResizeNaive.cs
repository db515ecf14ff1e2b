namespace Lumen.Tensors.Kernels;

/// <summary>The naive twin of resizing: every output pixel interpolated directly from its 2-D source coordinate
/// (four neighbours for bilinear). The test oracle for the separable taps.</summary>
internal static class ResizeNaive
{
    /// <summary>Resizes [planes, h, w] to [planes, oh, ow] with per-axis scales (out/in unless given).</summary>
    public static float[] Resize(float[] x, int planes, int h, int w, int oh, int ow, double scaleH, double scaleW,
        ResizeMode mode, ResizeCoordinates coordinates, ResizeNearestRounding rounding)
    {
        var y = new float[planes * oh * ow];
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < oh; r++)
                for (int s = 0; s < ow; s++)
                {
                    double sy = ResizeTaps.SourceCoordinate(r, h, oh, scaleH, coordinates);
                    double sx = ResizeTaps.SourceCoordinate(s, w, ow, scaleW, coordinates);
                    float value;
                    if (mode == ResizeMode.Nearest)
                    {
                        value = x[(p * h + ResizeTaps.NearestIndex(sy, h, rounding)) * w + ResizeTaps.NearestIndex(sx, w, rounding)];
                    }
                    else
                    {
                        var (y0, y1, fy) = ResizeTaps.LinearNeighbours(sy, h);
                        var (x0, x1, fx) = ResizeTaps.LinearNeighbours(sx, w);
                        double top = x[(p * h + y0) * w + x0] * (1 - fx) + x[(p * h + y0) * w + x1] * fx;
                        double bottom = x[(p * h + y1) * w + x0] * (1 - fx) + x[(p * h + y1) * w + x1] * fx;
                        value = (float)(top * (1 - fy) + bottom * fy);
                    }
                    y[(p * oh + r) * ow + s] = value;
                }
        return y;
    }
}
