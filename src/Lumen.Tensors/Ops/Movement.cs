using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>Shape and layout ops: reshape, broadcast, permute, squeeze, flatten, flip, tile (no arithmetic).
/// Slicing and concatenation are in Slicing.cs, index-driven ops in Indexing.cs. All work for every dtype.</summary>
public sealed partial class Tensor
{
    /// <summary>Same elements in a new shape (one dimension may be −1 and is inferred). Shares storage.</summary>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var target = InferShape(shape, "Reshape");
        var result = new Tensor(target, DType, floats, longs, bools);
        return Gradients.Record(result, "Reshape", Gradients.ReshapeRule(Shape), this);
    }

    /// <summary>Repeats size-1 (and missing leading) dimensions to reach <paramref name="shape"/> (NumPy
    /// broadcasting). The backward pass sums the gradient back.</summary>
    public Tensor BroadcastTo(Shape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Rank < Rank || Shape.Broadcast(Shape, shape, "BroadcastTo") != shape)
            throw new ArgumentException($"BroadcastTo: shape {Shape} cannot be broadcast to {shape}.");
        if (shape == Shape) return this;
        var data = NewStorage(DType, shape.Size, overwrite: true);
        // a source stride of 0 along every broadcast dimension
        StridedCopy.Run(Storage, 0, Broadcasting.AlignedStrides(Shape, shape), data, 0, shape.Strides(), shape.ToArray());
        return Gradients.Record(FromStorage(shape, data), "BroadcastTo", Gradients.BroadcastToRule(Shape), this);
    }

    /// <summary>ONNX/NumPy <c>Expand</c>: broadcasts this tensor and <paramref name="shape"/> against each other
    /// (either side may have the 1s), so the result can be larger than <paramref name="shape"/>. A −1 in
    /// <paramref name="shape"/> keeps the size of the aligned dimension (PyTorch <c>expand</c>).</summary>
    /// <example><code>Tensor.Zeros(3, 1).Expand(2, 1, 4) // [2, 3, 4]</code></example>
    public Tensor Expand(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var dims = (int[])shape.Clone();
        int lead = dims.Length - Rank;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] >= 0) continue;
            if (dims[i] != -1 || i < lead)
                throw new ArgumentException($"Expand: size {dims[i]} at position {i} of [{string.Join(", ", shape)}] is invalid for shape {Shape} (only −1 on an existing dimension keeps it).");
            dims[i] = Shape.Dims[i - lead];
        }
        return BroadcastTo(Shape.Broadcast(Shape, new Shape(dims), "Expand"));
    }

    /// <summary>Reorders the dimensions: result dimension i is input dimension <c>axes[i]</c> (negative axes count
    /// from the end). With no axes, reverses them (the ONNX <c>Transpose</c> default).</summary>
    /// <example><code>x.Permute(0, 2, 3, 1) // [N, C, H, W] -> [N, H, W, C]</code></example>
    public Tensor Permute(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var perm = axes.Length == 0 && Rank > 0 ? Enumerable.Range(0, Rank).Reverse().ToArray() : NormalizePermutation(axes);
        var strides = Shape.Strides();
        var dims = new int[Rank];
        var from = new int[Rank];
        for (int i = 0; i < Rank; i++) { dims[i] = Shape.Dims[perm[i]]; from[i] = strides[perm[i]]; }
        var outShape = new Shape(dims);
        return CopyWindow("Permute", new StridedWindow(0, dims, from), outShape, StridedWindow.Whole(outShape), 0f);
    }

    /// <summary>Swaps two dimensions.</summary>
    public Tensor Transpose(int axis0, int axis1)
    {
        var perm = Enumerable.Range(0, Rank).ToArray();
        int a = Shape.NormalizeAxis(axis0, Rank, "Transpose"), b = Shape.NormalizeAxis(axis1, Rank, "Transpose");
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(perm);
    }

    /// <summary>Removes the given size-1 dimensions, or every size-1 dimension when none are given.</summary>
    public Tensor Squeeze(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var drop = new bool[Rank];
        if (axes.Length == 0)
            for (int i = 0; i < Rank; i++) drop[i] = Shape.Dims[i] == 1;
        foreach (var axis in axes)
        {
            int a = DimensionAxis(axis, "Squeeze");
            if (Shape.Dims[a] != 1) throw new ArgumentException($"Squeeze: axis {axis} of shape {Shape} has size {Shape.Dims[a]}, not 1.");
            drop[a] = true;
        }
        return Reshape(Enumerable.Range(0, Rank).Where(i => !drop[i]).Select(i => Shape.Dims[i]).ToArray());
    }

    /// <summary>Inserts size-1 dimensions; each axis is a position in the result (ONNX <c>Unsqueeze</c>).</summary>
    /// <example><code>Tensor.Zeros(3, 4).Unsqueeze(0, -1) // [1, 3, 4, 1]</code></example>
    public Tensor Unsqueeze(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        int rank = Rank + axes.Length;
        var inserted = new bool[rank];
        foreach (var axis in axes)
        {
            int a = Shape.NormalizeAxis(axis, rank, "Unsqueeze");
            if (inserted[a]) throw new ArgumentException($"Unsqueeze: axis {axis} is repeated in [{string.Join(", ", axes)}] for shape {Shape}.");
            inserted[a] = true;
        }
        var dims = new int[rank];
        for (int i = 0, k = 0; i < rank; i++) dims[i] = inserted[i] ? 1 : Shape.Dims[k++];
        return Reshape(dims);
    }

    /// <summary>Merges dimensions <paramref name="startAxis"/>..<paramref name="endAxis"/> (inclusive, negative
    /// counts from the end) into one (PyTorch <c>flatten</c>).</summary>
    /// <example><code>Tensor.Zeros(2, 3, 4, 5).Flatten() // [2, 60]</code></example>
    public Tensor Flatten(int startAxis = 1, int endAxis = -1)
    {
        int s = Shape.NormalizeAxis(startAxis, Rank, "Flatten"), e = Shape.NormalizeAxis(endAxis, Rank, "Flatten");
        if (s > e) throw new ArgumentException($"Flatten: start axis {startAxis} comes after end axis {endAxis} for shape {Shape}.");
        var dims = Shape.Dims;
        return Reshape([.. dims[..s], Shape.Product(s, e + 1), .. dims[(e + 1)..]]);
    }

    /// <summary>ONNX <c>Flatten</c>: a matrix [d0·…·d(axis−1), d(axis)·…·d(r−1)]; axis in [−r, r].</summary>
    public Tensor Flatten2d(int axis = 1)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a > Rank) throw new ArgumentOutOfRangeException(nameof(axis), $"Flatten2d: axis {axis} is out of range [{-Rank}, {Rank}] for shape {Shape}.");
        return Reshape(Shape.Product(0, a), Shape.Product(a, Rank));
    }

    /// <summary>Reverses the order of elements along the given axes (all axes when none are given).</summary>
    public Tensor Flip(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var flip = axes.Length == 0 ? Enumerable.Repeat(true, Rank).ToArray() : AxisFlags(axes, "Flip");
        var strides = Shape.Strides();
        int offset = 0;
        for (int i = 0; i < Rank; i++)
        {
            if (!flip[i] || Shape.Dims[i] == 0) continue;
            offset += (Shape.Dims[i] - 1) * strides[i];
            strides[i] = -strides[i];
        }
        return CopyWindow("Flip", new StridedWindow(offset, Shape.ToArray(), strides), Shape, StridedWindow.Whole(Shape), 0f);
    }

    /// <summary>Tiles the tensor <c>repeats[i]</c> times along each dimension (NumPy <c>tile</c>, ONNX
    /// <c>Tile</c>, PyTorch <c>Tensor.repeat</c>). Extra leading repeats add leading dimensions.</summary>
    /// <example><code>Tensor.FromArray([1f, 2f]).Tile(2) // [1, 2, 1, 2]</code></example>
    public Tensor Tile(params int[] repeats)
    {
        ArgumentNullException.ThrowIfNull(repeats);
        if (repeats.Length < Rank || repeats.Any(r => r < 0))
            throw new ArgumentException($"Tile: repeats [{string.Join(", ", repeats)}] must be non-negative and at least one per dimension of shape {Shape}.");
        var x = Reshape([.. Enumerable.Repeat(1, repeats.Length - Rank), .. Shape.Dims]);
        // [d0, d1, …] -> [1, d0, 1, d1, …] -> broadcast [r0, d0, r1, d1, …] -> [r0·d0, r1·d1, …]
        var interleaved = x.Shape.Dims.ToArray().SelectMany(d => new[] { 1, d }).ToArray();
        var expanded = repeats.Zip(x.Shape.ToArray()).SelectMany(p => new[] { p.First, p.Second }).ToArray();
        return x.Reshape(interleaved).BroadcastTo(new Shape(expanded)).Reshape(repeats.Zip(x.Shape.ToArray(), (r, d) => r * d).ToArray());
    }

    /// <summary>PyTorch's name for <see cref="Tile"/>.</summary>
    public Tensor Repeat(params int[] repeats) => Tile(repeats);

    /// <summary>ONNX <c>DepthToSpace</c> on [N, C, H, W]: moves blocks of channels into b×b spatial blocks,
    /// giving [N, C/b², H·b, W·b]. <paramref name="columnRowDepth"/> selects the CRD ordering, else DCR.</summary>
    public Tensor DepthToSpace(int blockSize, bool columnRowDepth = false)
    {
        var (n, c, h, w) = Dims4("DepthToSpace", blockSize);
        int b = blockSize;
        if (c % (b * b) != 0) throw new ArgumentException($"DepthToSpace: {c} channels of {Shape} are not divisible by blockSize² = {b * b}.");
        int depth = c / (b * b);
        var moved = columnRowDepth
            ? Reshape(n, depth, b, b, h, w).Permute(0, 1, 4, 2, 5, 3)
            : Reshape(n, b, b, depth, h, w).Permute(0, 3, 4, 1, 5, 2);
        return moved.Reshape(n, depth, h * b, w * b);
    }

    /// <summary>ONNX <c>SpaceToDepth</c> on [N, C, H, W]: the inverse of DCR <see cref="DepthToSpace"/>, giving
    /// [N, C·b², H/b, W/b].</summary>
    public Tensor SpaceToDepth(int blockSize)
    {
        var (n, c, h, w) = Dims4("SpaceToDepth", blockSize);
        int b = blockSize;
        if (h % b != 0 || w % b != 0) throw new ArgumentException($"SpaceToDepth: spatial size of {Shape} is not divisible by blockSize {b}.");
        return Reshape(n, c, h / b, b, w / b, b).Permute(0, 3, 5, 1, 2, 4).Reshape(n, c * b * b, h / b, w / b);
    }

    private (int N, int C, int H, int W) Dims4(string op, int blockSize)
    {
        if (Rank != 4) throw new ArgumentException($"{op}: expected a rank-4 [N, C, H, W] tensor, got {Shape}.");
        if (blockSize < 1) throw new ArgumentOutOfRangeException(nameof(blockSize), $"{op}: blockSize must be at least 1, got {blockSize}.");
        return (Shape.Dims[0], Shape.Dims[1], Shape.Dims[2], Shape.Dims[3]);
    }

    /// <summary>Copies the elements of window <paramref name="from"/> of this tensor into window
    /// <paramref name="to"/> of a new tensor of <paramref name="outShape"/>; elements outside <paramref name="to"/>
    /// get <paramref name="fill"/>. Differentiable: the gradient is copied back through the same windows.</summary>
    internal Tensor CopyWindow(string op, StridedWindow from, Shape outShape, StridedWindow to, float fill)
    {
        bool covered = to.Size == outShape.Size;
        var data = NewStorage(DType, outShape.Size, overwrite: covered);
        if (fill != 0 && !covered) FillStorage(data, fill);
        StridedCopy.Run(Storage, from.Offset, from.Strides, data, to.Offset, to.Strides, from.Dims);
        return Gradients.Record(FromStorage(outShape, data), op, Gradients.CopyWindowRule(op, Shape, from, to), this);
    }

    /// <summary>Normalises an axis that must name an existing dimension: throws for scalars, which have none.</summary>
    private int DimensionAxis(int axis, string op)
    {
        if (Rank == 0) throw new ArgumentException($"{op}: expected a tensor of rank ≥ 1, got a scalar (shape {Shape}).");
        return Shape.NormalizeAxis(axis, Rank, op);
    }

    /// <summary>Flags the given axes (negatives allowed), rejecting out-of-range and repeated ones.</summary>
    private bool[] AxisFlags(int[] axes, string op)
    {
        var flags = new bool[Rank];
        foreach (var axis in axes)
        {
            int a = DimensionAxis(axis, op);
            if (flags[a]) throw new ArgumentException($"{op}: axis {axis} is repeated in [{string.Join(", ", axes)}] for shape {Shape}.");
            flags[a] = true;
        }
        return flags;
    }

    /// <summary>Checks that <paramref name="axes"/> is a permutation of this tensor's axes (negatives allowed).</summary>
    private int[] NormalizePermutation(int[] axes)
    {
        var seen = new bool[Rank];
        var perm = new int[axes.Length];
        bool ok = axes.Length == Rank;
        for (int i = 0; ok && i < axes.Length; i++)
        {
            int a = axes[i] < 0 ? axes[i] + Rank : axes[i];
            ok = a >= 0 && a < Rank && !seen[a];
            if (ok) { seen[a] = true; perm[i] = a; }
        }
        if (!ok) throw new ArgumentException($"Permute: axes [{string.Join(", ", axes)}] are not a permutation of the {Rank} axes of shape {Shape}.");
        return perm;
    }

    /// <summary>Resolves a −1 in a requested shape against this tensor's size.</summary>
    private Shape InferShape(int[] shape, string op)
    {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"{op}: more than one −1 in [{string.Join(", ", shape)}].");
                infer = i;
            }
            else if (shape[i] < 0) throw new ArgumentException($"{op}: invalid dimension {shape[i]} in [{string.Join(", ", shape)}].");
            else known *= shape[i];
        }
        var dims = (int[])shape.Clone();
        if (infer >= 0)
        {
            if (known == 0 || Size % known != 0)
                throw new ArgumentException($"{op}: cannot reshape {Shape} ({Size} elements) to [{string.Join(", ", shape)}].");
            dims[infer] = (int)(Size / known);
        }
        var target = new Shape(dims);
        if (target.Size != Size) throw new ArgumentException($"{op}: cannot reshape {Shape} ({Size} elements) to {target} ({target.Size} elements).");
        return target;
    }
}
