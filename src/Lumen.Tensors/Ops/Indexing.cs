using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>Index-driven ops: IndexSelect (ONNX Gather, NumPy take), Gather (ONNX GatherElements), GatherNd,
/// their scatter twins, OneHot and Embedding. Indices are Int64 tensors; negative indices count from the end.
/// Each op works out the offsets of the blocks it moves, then one <see cref="BlockGather"/> kernel moves them.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Picks entries along <paramref name="axis"/> by an Int64 tensor of indices of any rank (ONNX <c>Gather</c>,
    /// NumPy <c>take</c>); the result has shape <c>x.shape[:axis] + indices.shape + x.shape[axis+1:]</c>.
    /// The gradient adds each output slab back into the row it came from.
    /// </summary>
    /// <example><code>x.IndexSelect(0, Tensor.FromArray(new long[] { 2, -1 })) // rows 2 and the last one</code></example>
    public Tensor IndexSelect(int axis, Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int a = DimensionAxis(axis, "IndexSelect");
        RequireIndices(indices, "IndexSelect");
        int outer = Shape.Product(0, a), n = Shape.Dims[a], inner = Shape.Product(a + 1, Rank), m = indices.Size;
        var idx = indices.AsInt64Span();
        var rows = new int[m];
        for (int j = 0; j < m; j++) rows[j] = CheckIndex(idx[j], n, a, "IndexSelect");
        var offsets = new int[outer * m];
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < m; j++) offsets[o * m + j] = (o * n + rows[j]) * inner;
        var dims = Shape.Dims;
        return GatherBlocks("IndexSelect", offsets, inner, new Shape([.. dims[..a], .. indices.Shape.Dims, .. dims[(a + 1)..]]));
    }

    /// <summary>Embedding lookup: row <c>indices[…]</c> of the [vocabulary, dim] table <paramref name="weight"/>,
    /// giving <c>indices.shape + [dim]</c>. It is <see cref="IndexSelect"/> on axis 0, so the table's gradient
    /// accumulates over repeated tokens.</summary>
    public static Tensor Embedding(Tensor weight, Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2) throw new ArgumentException($"Embedding: weight must be a [vocabulary, dim] matrix, got {weight.Shape}.");
        return weight.IndexSelect(0, indices);
    }

    /// <summary>
    /// PyTorch <c>gather</c> / ONNX <c>GatherElements</c>: <c>out[i] = x[i with i_axis replaced by index[i]]</c>.
    /// <paramref name="index"/> has this tensor's rank and no dimension larger than this tensor's (except along
    /// the axis); the result has its shape.
    /// </summary>
    public Tensor Gather(int axis, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var offsets = ElementOffsets("Gather", axis, index);
        return GatherBlocks("Gather", offsets, 1, index.Shape);
    }

    /// <summary>
    /// ONNX <c>ScatterElements</c> / PyTorch <c>scatter</c>: a copy of this tensor where the element that
    /// <see cref="Gather"/> would read for each position of <paramref name="index"/> is replaced by (or, with
    /// <see cref="ScatterReduction.Add"/>, increased by) the matching element of <paramref name="updates"/>.
    /// </summary>
    public Tensor ScatterElements(int axis, Tensor index, Tensor updates, ScatterReduction reduction = ScatterReduction.None)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(updates);
        var offsets = ElementOffsets("ScatterElements", axis, index);
        CheckUpdates("ScatterElements", updates, index.Shape, reduction);
        return ScatterBlocks("ScatterElements", offsets, 1, updates, reduction == ScatterReduction.Add);
    }

    /// <summary>
    /// ONNX <c>GatherND</c>: the last dimension k of <paramref name="indices"/> indexes the first k dimensions
    /// after the <paramref name="batchDims"/> leading ones (which both tensors share), giving
    /// <c>indices.shape[:-1] + x.shape[batchDims+k:]</c>.
    /// </summary>
    public Tensor GatherNd(Tensor indices, int batchDims = 0)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var (offsets, block, outShape) = SliceOffsets("GatherNd", indices, batchDims);
        return GatherBlocks("GatherNd", offsets, block, outShape);
    }

    /// <summary>ONNX <c>ScatterND</c>: a copy of this tensor where each slice that <see cref="GatherNd"/> would read
    /// for <paramref name="indices"/> is replaced by (or increased by) the matching slice of <paramref name="updates"/>
    /// (shape <c>indices.shape[:-1] + x.shape[k:]</c>).</summary>
    public Tensor ScatterNd(Tensor indices, Tensor updates, ScatterReduction reduction = ScatterReduction.None)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(updates);
        var (offsets, block, slicesShape) = SliceOffsets("ScatterNd", indices, 0);
        CheckUpdates("ScatterNd", updates, slicesShape, reduction);
        return ScatterBlocks("ScatterNd", offsets, block, updates, reduction == ScatterReduction.Add);
    }

    /// <summary>
    /// ONNX <c>OneHot</c> of this Int64 tensor: a Float32 tensor with a new dimension of size <paramref name="depth"/>
    /// at <paramref name="axis"/> holding <paramref name="on"/> at each index and <paramref name="off"/> elsewhere.
    /// Indices in [−depth, −1] count from the end; indices outside [−depth, depth−1] give all-off rows (as ONNX).
    /// </summary>
    public Tensor OneHot(int depth, int axis = -1, float off = 0f, float on = 1f)
    {
        RequireIndices(this, "OneHot");
        if (depth < 0) throw new ArgumentOutOfRangeException(nameof(depth), $"OneHot: depth must be non-negative, got {depth} (indices {Shape}).");
        int a = Shape.NormalizeAxis(axis, Rank + 1, "OneHot");
        int inner = Shape.Product(a, Rank);
        var dims = Shape.Dims;
        var outShape = new Shape([.. dims[..a], depth, .. dims[a..]]);
        var data = new float[outShape.Size];
        if (off != 0) Array.Fill(data, off);
        var idx = AsInt64Span();
        for (int p = 0; p < idx.Length; p++)
        {
            long v = idx[p] < 0 ? idx[p] + depth : idx[p];
            if (v >= 0 && v < depth) data[((p / inner) * depth + v) * inner + p % inner] = on;
        }
        return new Tensor(outShape, data);
    }

    /// <summary>Copies the blocks at <paramref name="offsets"/> into a new tensor of <paramref name="outShape"/>.
    /// Differentiable: the gradient is scattered back with add.</summary>
    internal Tensor GatherBlocks(string op, int[] offsets, int block, Shape outShape)
    {
        var data = NewStorage(DType, outShape.Size, overwrite: true);
        BlockGather.Gather(Storage, offsets, block, data);
        return Gradients.Record(FromStorage(outShape, data), op, Gradients.GatherBlocksRule(op, Shape, offsets, block), this);
    }

    /// <summary>A copy of this tensor with block s of <paramref name="updates"/> written to (or added at)
    /// <c>offsets[s]</c>. Differentiable in both this tensor and the updates.</summary>
    internal Tensor ScatterBlocks(string op, int[] offsets, int block, Tensor updates, bool add)
    {
        var data = (Array)Storage.Clone();
        BlockGather.Scatter(updates.Storage, offsets, block, data, add);
        return Gradients.Record(FromStorage(Shape, data), op, Gradients.ScatterBlocksRule(op, offsets, block, updates.Shape, add), this, updates);
    }

    /// <summary>Offset in this tensor of each element that Gather/ScatterElements address through <paramref name="index"/>.</summary>
    private int[] ElementOffsets(string op, int axis, Tensor index)
    {
        int a = DimensionAxis(axis, op);
        RequireIndices(index, op);
        bool fits = index.Rank == Rank;
        for (int d = 0; fits && d < Rank; d++) fits = d == a || index.Shape.Dims[d] <= Shape.Dims[d];
        if (!fits) throw new ArgumentException($"{op}: index of shape {index.Shape} does not fit data of shape {Shape} along axis {axis} (same rank, no larger dimension off the axis).");
        var strides = Shape.Strides();
        var dims = index.Shape.Dims;
        var idx = index.AsInt64Span();
        var offsets = new int[idx.Length];
        Span<int> at = stackalloc int[Rank];
        int baseOffset = 0;
        for (int p = 0; p < idx.Length; p++)
        {
            offsets[p] = baseOffset + CheckIndex(idx[p], Shape.Dims[a], a, op) * strides[a];
            for (int d = Rank - 1; d >= 0; d--)
            {
                int step = d == a ? 0 : strides[d];
                baseOffset += step;
                if (++at[d] < dims[d]) break;
                baseOffset -= step * dims[d];
                at[d] = 0;
            }
        }
        return offsets;
    }

    /// <summary>Offsets and length of each slice that GatherNd/ScatterNd address through <paramref name="indices"/>,
    /// and the shape of the gathered result.</summary>
    private (int[] Offsets, int Block, Shape Gathered) SliceOffsets(string op, Tensor indices, int batchDims)
    {
        RequireIndices(indices, op);
        int q = indices.Rank, b = batchDims;
        int k = q == 0 ? 0 : indices.Shape.Dims[q - 1];
        bool valid = q >= 1 && b >= 0 && b < q && b + k <= Rank;
        for (int d = 0; valid && d < b; d++) valid = indices.Shape.Dims[d] == Shape.Dims[d];
        if (!valid)
            throw new ArgumentException($"{op}: indices of shape {indices.Shape} (batchDims {batchDims}) cannot index data of shape {Shape}: the last dimension indexes that many data dimensions after the shared batch dimensions.");
        var strides = Shape.Strides();
        int block = Shape.Product(b + k, Rank), perBatch = indices.Shape.Product(b, q - 1), batchSize = Shape.Product(b, Rank);
        int slices = indices.Shape.Product(0, q - 1);
        var idx = indices.AsInt64Span();
        var offsets = new int[slices];
        for (int s = 0; s < slices; s++)
        {
            int offset = perBatch == 0 ? 0 : s / perBatch * batchSize;
            for (int j = 0; j < k; j++) offset += CheckIndex(idx[s * k + j], Shape.Dims[b + j], b + j, op) * strides[b + j];
            offsets[s] = offset;
        }
        var dims = Shape.Dims;
        return (offsets, block, new Shape([.. indices.Shape.Dims[..^1], .. dims[(b + k)..]]));
    }

    private void CheckUpdates(string op, Tensor updates, Shape expected, ScatterReduction reduction)
    {
        if (updates.DType != DType || updates.Shape != expected)
            throw new ArgumentException($"{op}: updates {updates.DType} {updates.Shape} must be {DType} {expected} to scatter into {Shape}.");
        if (reduction == ScatterReduction.Add && DType == DType.Bool)
            throw new ArgumentException($"{op}: reduction Add is not defined for Bool data of shape {Shape}.");
    }

    private static void RequireIndices(Tensor indices, string op)
    {
        if (indices.DType != DType.Int64) throw new ArgumentException($"{op}: indices must be Int64, got {indices.DType} of shape {indices.Shape}.");
    }

    /// <summary>Maps an index in [−n, n) into [0, n), or throws naming the op, index, axis and size.</summary>
    private int CheckIndex(long index, int n, int axis, string op)
    {
        long i = index < 0 ? index + n : index;
        if (i < 0 || i >= n) throw new ArgumentOutOfRangeException(nameof(index), $"{op}: index {index} is out of range for axis {axis} of size {n} (shape {Shape}).");
        return (int)i;
    }
}
