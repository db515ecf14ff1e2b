namespace Lumen.Tensors;

public sealed partial class Tensor
{
    /// <summary>The backing array whatever the dtype (<c>float[]</c>, <c>long[]</c> or <c>bool[]</c>); internal for
    /// the dtype-generic copy kernels of the movement and indexing ops.</summary>
    internal Array Storage => (Array?)floats ?? (Array?)longs ?? bools!;

    /// <summary>A new backing array of <paramref name="dtype"/> with <paramref name="size"/> elements: zero-filled,
    /// or left uninitialised (cheaper for large outputs) when the caller will <paramref name="overwrite"/> every element.</summary>
    internal static Array NewStorage(DType dtype, int size, bool overwrite = false) => dtype switch
    {
        DType.Float32 => StoragePool.NewFloats(size, overwrite),
        DType.Int64 => overwrite ? GC.AllocateUninitializedArray<long>(size) : new long[size],
        _ => overwrite ? GC.AllocateUninitializedArray<bool>(size) : new bool[size],
    };

    /// <summary>Wraps a backing array (as made by <see cref="NewStorage"/>) without copying.</summary>
    internal static Tensor FromStorage(Shape shape, Array storage) => storage switch
    {
        float[] f => new Tensor(shape, f),
        long[] l => new Tensor(shape, l),
        bool[] b => new Tensor(shape, b),
        _ => throw new ArgumentException($"Tensor: unsupported storage {storage.GetType().Name}."),
    };

    /// <summary>Fills a backing array with <paramref name="value"/> converted to its element type
    /// (truncated for Int64, non-zero is true for Bool).</summary>
    internal static void FillStorage(Array storage, float value)
    {
        switch (storage)
        {
            case float[] f: Array.Fill(f, value); break;
            case long[] l: Array.Fill(l, (long)value); break;
            case bool[] b: Array.Fill(b, value != 0); break;
        }
    }
}
