namespace Lumen.Tensors.Kernels;

/// <summary>Per-axis interpolation taps of nearest and linear resizing, as <see cref="PoolAxisTaps"/> so that
/// <see cref="PoolSeparable"/> applies them (and their transposes, for gradients).</summary>
internal static class ResizeTaps
{
    /// <summary>The input coordinate of output position <paramref name="x"/> (ONNX coordinate transformation).</summary>
    public static double SourceCoordinate(int x, int inSize, int outSize, double scale, ResizeCoordinates mode) => mode switch
    {
        ResizeCoordinates.HalfPixel => (x + 0.5) / scale - 0.5,
        ResizeCoordinates.PytorchHalfPixel => outSize > 1 ? (x + 0.5) / scale - 0.5 : 0,
        ResizeCoordinates.AlignCorners => outSize == 1 ? 0 : x * (double)(inSize - 1) / (outSize - 1),
        _ => x / scale,
    };

    /// <summary>The input index nearest-neighbour resizing reads for a source coordinate, clamped to the axis.</summary>
    public static int NearestIndex(double source, int inSize, ResizeNearestRounding rounding)
    {
        double r = rounding switch
        {
            ResizeNearestRounding.RoundPreferFloor => Math.Ceiling(source - 0.5),
            ResizeNearestRounding.RoundPreferCeil => Math.Floor(source + 0.5),
            ResizeNearestRounding.Floor => Math.Floor(source),
            _ => Math.Ceiling(source),
        };
        return (int)Math.Clamp(r, 0, inSize - 1);
    }

    /// <summary>The two neighbours and their weights for linear interpolation at a source coordinate, which is first
    /// clamped to [0, in − 1] (equivalently, edge values extend beyond the axis).</summary>
    public static (int Lo, int Hi, double Fraction) LinearNeighbours(double source, int inSize)
    {
        double s = Math.Clamp(source, 0, inSize - 1);
        int lo = (int)Math.Floor(s);
        return (lo, Math.Min(lo + 1, inSize - 1), s - lo);
    }

    /// <summary>Nearest-neighbour taps along one axis.</summary>
    public static PoolAxisTaps Nearest(int inSize, int outSize, double scale, ResizeCoordinates mode, ResizeNearestRounding rounding) =>
        PoolAxisTaps.Build(inSize, outSize, x => [(NearestIndex(SourceCoordinate(x, inSize, outSize, scale, mode), inSize, rounding), 1.0)]);

    /// <summary>Linear-interpolation taps along one axis (one tap where both neighbours coincide).</summary>
    public static PoolAxisTaps Linear(int inSize, int outSize, double scale, ResizeCoordinates mode) =>
        PoolAxisTaps.Build(inSize, outSize, x =>
        {
            var (lo, hi, f) = LinearNeighbours(SourceCoordinate(x, inSize, outSize, scale, mode), inSize);
            return lo == hi ? [(lo, 1.0)] : [(lo, 1 - f), (hi, f)];
        });
}
