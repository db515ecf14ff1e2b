namespace Lumen.Tensors.Kernels;

/// <summary>The register tiles of <see cref="ConvDirect"/> for one vector width (8 channels × 32 columns on AVX-512,
/// <see cref="ConvDirectTile256"/>'s 6 × 16 on AVX2): a struct type parameter, so that the row loop is compiled once per
/// width with the tile call direct.</summary>
internal unsafe interface IDirectTiles
{
    /// <summary>Output channels of a tile (and of a block of packed weights).</summary>
    static abstract int Channels { get; }

    /// <summary>Output columns of a tile.</summary>
    static abstract int Columns { get; }

    /// <summary>One tile: output channels [channel, channel + rows) × <see cref="Columns"/> columns (the first
    /// <paramref name="cols"/> stored), y[o, s] = Σ_t w[o, t] · src[taps[t] + s] from zero in tap order, finished by
    /// <paramref name="finish"/>; returns the rows in which a watched clamp met a bound, bit r for row r.</summary>
    static abstract uint Tile<TTies>(float* src, int* taps, int depth, float* w, float* y, nint plane, int rows, int cols, in ConvEpilogue finish, int channel)
        where TTies : struct, ITieWatch;
}
