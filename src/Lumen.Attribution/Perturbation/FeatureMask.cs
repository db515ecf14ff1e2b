using Lumen.Tensors;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// Groups the features of one input row (the dimensions after the batch) into features that perturbation methods
/// switch on and off together: every element, every pixel (all channels of one position), square patches of a
/// regular grid, or a user mask of integer ids.
/// </summary>
/// <example><code>FeatureMask.Elements; FeatureMask.Pixels; FeatureMask.Grid(16); FeatureMask.Of(maskTensor)</code></example>
public abstract record FeatureMask
{
    /// <summary>The feature id of every element of a row of shape <paramref name="rowShape"/>, numbered 0…K−1 in
    /// the order of their smallest original id, and the count K.</summary>
    public (int[] Ids, int Count) For(Shape rowShape)
    {
        ArgumentNullException.ThrowIfNull(rowShape);
        var raw = RawIds(rowShape);
        var dense = new Dictionary<long, int>();
        foreach (var id in raw.Order()) dense.TryAdd(id, dense.Count);
        return ([.. raw.Select(id => dense[id])], dense.Count);
    }

    /// <summary>Ids per element (any integers) for a row of shape <paramref name="rowShape"/>.</summary>
    private protected abstract long[] RawIds(Shape rowShape);

    /// <summary>Every element is its own feature (Captum's default).</summary>
    public static FeatureMask Elements { get; } = new ElementMask();

    /// <summary>One feature per position of the last two axes, shared by all channels.</summary>
    public static FeatureMask Pixels { get; } = new GridMask(1, 1);

    /// <summary>Square cells of <paramref name="cell"/> × <paramref name="cell"/> positions of the last two axes,
    /// shared by all channels, numbered row-major (the fixtures' 16×16-cell mask is <c>Grid(16)</c>).</summary>
    public static FeatureMask Grid(int cell) => Grid(cell, cell);

    /// <summary>Cells of <paramref name="height"/> × <paramref name="width"/> positions, numbered row-major.</summary>
    public static FeatureMask Grid(int height, int width) => height >= 1 && width >= 1 ? new GridMask(height, width)
        : throw new ArgumentOutOfRangeException(nameof(height), $"FeatureMask.Grid: cells must be at least 1×1, got {height}×{width}.");

    /// <summary>A mask of integer ids (any dtype) broadcast to the row shape, with or without a leading batch
    /// dimension of 1 (e.g. [1, 1, H, W] shared by all channels).</summary>
    public static FeatureMask Of(Tensor mask) => new TensorMask(mask ?? throw new ArgumentNullException(nameof(mask)));

    private sealed record ElementMask : FeatureMask
    {
        private protected override long[] RawIds(Shape rowShape) => [.. Enumerable.Range(0, rowShape.Size).Select(i => (long)i)];
        public override string ToString() => "elements";
    }

    private sealed record GridMask(int CellHeight, int CellWidth) : FeatureMask
    {
        private protected override long[] RawIds(Shape rowShape)
        {
            if (rowShape.Rank < 2) throw new ArgumentException($"FeatureMask.Grid: needs at least two spatial dimensions, the row shape is {rowShape}.");
            int h = rowShape[-2], w = rowShape[-1], columns = (w + CellWidth - 1) / CellWidth;
            var ids = new long[rowShape.Size];
            for (int i = 0; i < ids.Length; i++)
            {
                int y = i / w % h, x = i % w;
                ids[i] = (long)(y / CellHeight) * columns + x / CellWidth;
            }
            return ids;
        }
        public override string ToString() => CellHeight == 1 && CellWidth == 1 ? "pixels" : $"grid {CellHeight}×{CellWidth}";
    }

    private sealed record TensorMask(Tensor Mask) : FeatureMask
    {
        private protected override long[] RawIds(Shape rowShape)
        {
            var mask = Mask;
            if (mask.Rank == rowShape.Rank + 1)
            {
                if (mask.Shape[0] != 1) throw new ArgumentException($"FeatureMask.Of: a mask of shape {mask.Shape} has a batch dimension other than 1; give one mask for all samples.");
                mask = mask.Reshape(mask.Shape.ToArray()[1..]);
            }
            if (Shape.Broadcast(mask.Shape, rowShape, "FeatureMask") != rowShape)
                throw new ArgumentException($"FeatureMask.Of: a mask of shape {Mask.Shape} does not broadcast to the input row shape {rowShape}.");
            var values = mask.DType == DType.Float32 ? mask.Detach() : mask.ToFloat32();
            var full = values.BroadcastTo(rowShape).Clone().AsSpan();
            var ids = new long[full.Length];
            for (int i = 0; i < ids.Length; i++)
            {
                if (full[i] != MathF.Round(full[i])) throw new ArgumentException($"FeatureMask.Of: mask values must be integers, found {full[i]}.");
                ids[i] = (long)full[i];
            }
            return ids;
        }
        public override string ToString() => $"mask {Mask.Shape}";
    }
}
