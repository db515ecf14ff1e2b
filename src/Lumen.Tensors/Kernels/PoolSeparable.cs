using System.Buffers;
using System.Numerics.Tensors;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// Applies a separable linear map (<see cref="PoolAxisTaps"/> along rows and along columns) to every [H, W] plane,
/// and its transpose. Columns first into a [H, OW] scratch, then each output row is a SIMD multiply-add of scratch
/// rows. Parallel over planes.
/// </summary>
/// <remarks>y[p, r, s] = Σ_{(i, a) ∈ rows[r]} Σ_{(j, b) ∈ cols[s]} a·b·x[p, i, j]; the transpose scatters back.</remarks>
internal static class PoolSeparable
{
    /// <summary>y [planes, rows.OutSize, cols.OutSize] = the map applied to x [planes, rows.InSize, cols.InSize].</summary>
    public static float[] Apply(float[] x, int planes, PoolAxisTaps rows, PoolAxisTaps cols)
    {
        int h = rows.InSize, w = cols.InSize, oh = rows.OutSize, ow = cols.OutSize;
        var y = new float[planes * oh * ow];
        Parallelism.For(planes, (long)h * w + (long)oh * ow * 4, (start, end) =>
        {
            var scratch = ArrayPool<float>.Shared.Rent(h * ow);
            for (int p = start; p < end; p++)
            {
                var input = x.AsSpan(p * h * w, h * w);
                for (int i = 0; i < h; i++)
                {
                    var line = input.Slice(i * w, w);
                    for (int s = 0; s < ow; s++)
                    {
                        float acc = 0;
                        for (int t = cols.Offsets[s]; t < cols.Offsets[s + 1]; t++) acc += cols.Weight[t] * line[cols.Index[t]];
                        scratch[i * ow + s] = acc;
                    }
                }
                var output = y.AsSpan(p * oh * ow, oh * ow);
                for (int r = 0; r < oh; r++)
                {
                    var dst = output.Slice(r * ow, ow);
                    for (int t = rows.Offsets[r]; t < rows.Offsets[r + 1]; t++)
                        TensorPrimitives.MultiplyAdd(scratch.AsSpan(rows.Index[t] * ow, ow), rows.Weight[t], dst, dst);
                }
            }
            ArrayPool<float>.Shared.Return(scratch);
        });
        return y;
    }

    /// <summary>dx [planes, rows.InSize, cols.InSize] = the transposed map applied to dy [planes, rows.OutSize, cols.OutSize].</summary>
    public static float[] ApplyTransposed(float[] dy, int planes, PoolAxisTaps rows, PoolAxisTaps cols)
    {
        int h = rows.InSize, w = cols.InSize, oh = rows.OutSize, ow = cols.OutSize;
        var dx = new float[planes * h * w];
        Parallelism.For(planes, (long)h * w + (long)oh * ow * 4, (start, end) =>
        {
            var scratch = ArrayPool<float>.Shared.Rent(h * ow);
            for (int p = start; p < end; p++)
            {
                Array.Clear(scratch, 0, h * ow);
                var grad = dy.AsSpan(p * oh * ow, oh * ow);
                for (int r = 0; r < oh; r++)
                {
                    var src = grad.Slice(r * ow, ow);
                    for (int t = rows.Offsets[r]; t < rows.Offsets[r + 1]; t++)
                    {
                        var dst = scratch.AsSpan(rows.Index[t] * ow, ow);
                        TensorPrimitives.MultiplyAdd(src, rows.Weight[t], dst, dst);
                    }
                }
                var target = dx.AsSpan(p * h * w, h * w);
                for (int i = 0; i < h; i++)
                {
                    var line = target.Slice(i * w, w);
                    for (int s = 0; s < ow; s++)
                    {
                        float v = scratch[i * ow + s];
                        for (int t = cols.Offsets[s]; t < cols.Offsets[s + 1]; t++) line[cols.Index[t]] += cols.Weight[t] * v;
                    }
                }
            }
            ArrayPool<float>.Shared.Return(scratch);
        });
        return dx;
    }
}
