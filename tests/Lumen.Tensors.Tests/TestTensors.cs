namespace Lumen.Tensors.Tests;

/// <summary>Small tensor factories and a naive multi-index helper shared by the movement and indexing tests.</summary>
internal static class TestTensors
{
    /// <summary>Float32 tensor holding 0, 1, 2, … so every element is distinguishable.</summary>
    public static Tensor Sequence(params int[] shape)
    {
        var s = new Shape(shape);
        return Tensor.FromArray(Enumerable.Range(0, s.Size).Select(i => (float)i).ToArray(), shape.Length == 0 ? [] : shape).Reshape(shape);
    }

    /// <summary>Int64 tensor holding 0, 1, 2, ….</summary>
    public static Tensor LongSequence(params int[] shape) =>
        Tensor.FromArray(Enumerable.Range(0, new Shape(shape).Size).Select(i => (long)i).ToArray(), new Shape(shape).Size).Reshape(shape);

    /// <summary>Bool tensor holding i % 3 == 0 at flat index i.</summary>
    public static Tensor BoolPattern(params int[] shape) =>
        Tensor.FromArray(Enumerable.Range(0, new Shape(shape).Size).Select(i => i % 3 == 0).ToArray(), new Shape(shape).Size).Reshape(shape);

    /// <summary>Int64 tensor from values.</summary>
    public static Tensor Longs(long[] values, params int[] shape) => Tensor.FromArray(values, shape.Length == 0 ? [values.Length] : shape);

    /// <summary>Multi-index of flat position <paramref name="flat"/> in <paramref name="shape"/>.</summary>
    public static int[] Unravel(int flat, Shape shape)
    {
        var index = new int[shape.Rank];
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            index[d] = flat % shape.Dims[d];
            flat /= shape.Dims[d];
        }
        return index;
    }

    /// <summary>Asserts that an ArgumentException (or subclass) is thrown whose message contains every fragment.</summary>
    public static void ThrowsNaming(Action action, params string[] fragments)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(action);
        foreach (var f in fragments) Assert.Contains(f, ex.Message, StringComparison.Ordinal);
    }
}
