using Lumen.Tensors;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// Groups the features of one input row (the dimensions after the batch) into features that perturbation methods
/// switch on and off together: every element, every pixel (all channels of one position), square patches of a
/// regular grid, SLIC superpixels of the image itself, or a user mask of integer ids.
/// </summary>
/// <example><code>FeatureMask.Elements; FeatureMask.Pixels; FeatureMask.Grid(16); FeatureMask.Slic(100, 10); FeatureMask.Of(maskTensor)</code></example>
public abstract record FeatureMask
{
    /// <summary>Whether the features depend on the input's values (superpixels), so that every sample has its own;
    /// the methods then explain the samples of a batch one at a time.</summary>
    public virtual bool DependsOnInput => false;

    /// <summary>The text form that <see cref="MethodSettings"/> parses back (<c>elements</c>, <c>pixels</c>,
    /// <c>grid:16</c>, <c>grid:16x8</c>, <c>slic:50:10</c>), or null for a tensor mask, which has none.</summary>
    internal virtual string? Text => null;

    /// <summary>The feature id of every element of a row of shape <paramref name="rowShape"/>, numbered 0…K−1 in
    /// the order of their smallest original id, and the count K.</summary>
    /// <exception cref="InvalidOperationException">The mask <see cref="DependsOnInput"/>; use <see cref="For(Tensor)"/>.</exception>
    public (int[] Ids, int Count) For(Shape rowShape)
    {
        ArgumentNullException.ThrowIfNull(rowShape);
        if (DependsOnInput) throw new InvalidOperationException($"FeatureMask: {this} depends on the input's values; call For(input) with the sample.");
        return Dense(RawIds(rowShape));
    }

    /// <summary>The feature ids (as <see cref="For(Shape)"/>) of the rows of <paramref name="input"/> [B, …], which
    /// must hold one sample when the mask <see cref="DependsOnInput"/>.</summary>
    public (int[] Ids, int Count) For(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0) throw new ArgumentException($"FeatureMask: the input needs a batch dimension [B, …], got {input.Shape}.", nameof(input));
        var rowShape = new Shape(input.Shape.Dims[1..].ToArray());
        if (!DependsOnInput) return For(rowShape);
        if (input.Shape[0] != 1) throw new ArgumentException($"FeatureMask: {this} gives every sample its own features; pass one sample [1, …], got {input.Shape}.", nameof(input));
        return Dense(RawIds(input));
    }

    private static (int[] Ids, int Count) Dense(long[] raw)
    {
        var dense = new Dictionary<long, int>();
        foreach (var id in raw.Order()) dense.TryAdd(id, dense.Count);
        return ([.. raw.Select(id => dense[id])], dense.Count);
    }

    /// <summary>Ids per element (any integers) for a row of shape <paramref name="rowShape"/>.</summary>
    private protected abstract long[] RawIds(Shape rowShape);

    /// <summary>Ids per element of the one sample of <paramref name="input"/> [1, …], for masks that
    /// <see cref="DependsOnInput"/>.</summary>
    private protected virtual long[] RawIds(Tensor input) => RawIds(new Shape(input.Shape.Dims[1..].ToArray()));

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

    /// <summary>About <paramref name="segments"/> SLIC superpixels of each sample ([C, H, W] rows), shared by its
    /// channels (<see cref="Perturbation.Slic"/>); <paramref name="compactness"/> trades colour for regularity.</summary>
    public static FeatureMask Slic(int segments = 100, double compactness = 10) =>
        segments >= 1 && compactness >= 0 && double.IsFinite(compactness) ? new SlicMask(segments, compactness)
        : throw new ArgumentOutOfRangeException(nameof(segments), $"FeatureMask.Slic: needs segments ≥ 1 and a finite compactness ≥ 0, got {segments}, {compactness}.");

    private sealed record SlicMask(int Segments, double Compactness) : FeatureMask
    {
        public override bool DependsOnInput => true;

        private protected override long[] RawIds(Shape rowShape) => throw new InvalidOperationException("FeatureMask.Slic: superpixels need the image.");

        private protected override long[] RawIds(Tensor input)
        {
            if (input.Rank is not (3 or 4)) throw new ArgumentException($"FeatureMask.Slic: needs images [1, C, H, W] or [1, H, W], got {input.Shape}.", nameof(input));
            var (labels, _) = Perturbation.Slic.Segment(input.Rank == 4 ? input : input.Reshape(input.Shape[1], input.Shape[2]), Segments, Compactness);
            int plane = labels.Length;
            return [.. Enumerable.Range(0, input.Size).Select(i => (long)labels[i % plane])];
        }

        public override string ToString() => $"slic {Segments} segments, compactness {Compactness}";
        internal override string Text => FormattableString.Invariant($"slic:{Segments}:{Compactness}");
    }

    private sealed record ElementMask : FeatureMask
    {
        private protected override long[] RawIds(Shape rowShape) => [.. Enumerable.Range(0, rowShape.Size).Select(i => (long)i)];
        public override string ToString() => "elements";
        internal override string Text => "elements";
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
        internal override string Text => CellHeight == 1 && CellWidth == 1 ? "pixels" : CellHeight == CellWidth ? $"grid:{CellHeight}" : $"grid:{CellHeight}x{CellWidth}";
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
            var full = values.BroadcastTo(rowShape).Clone().AsReadOnlySpan();
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
