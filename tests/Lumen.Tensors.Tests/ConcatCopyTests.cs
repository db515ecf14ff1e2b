using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The one-pass concatenation against the naive strided copy of each input into its window of the output.</summary>
public class ConcatCopyTests
{
    public static IEnumerable<object[]> Cases() => Enumerable.Range(0, 24).Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Cases))]
    public void One_pass_concat_matches_the_naive_copies_of_each_input(int seed)
    {
        var rng = new Random(seed);
        int rank = rng.Next(1, 5), axis = rng.Next(rank), count = rng.Next(1, 5);
        // seeds ≥ 12 are large enough (> 2 × 32 768 elements) to be split across threads, at batch 1 and above
        var dims = Enumerable.Range(0, rank).Select(_ => rng.Next(1, seed >= 12 ? 24 : 5)).ToArray();
        if (seed >= 12) dims[0] = seed % 2 == 0 ? 1 : 3;
        var sizes = Enumerable.Range(0, count).Select(i => i == 1 ? 0 : rng.Next(1, seed >= 12 ? 40 : 6)).ToArray();   // input 1 empty
        int total = sizes.Sum();
        var outDims = (int[])dims.Clone();
        outDims[axis] = total;
        var outShape = new Shape(outDims);
        var outStrides = outShape.Strides();
        var inputs = sizes.Select((n, i) =>
        {
            var d = (int[])dims.Clone();
            d[axis] = n;
            return (Dims: d, Values: Enumerable.Range(0, new Shape(d).Size).Select(e => i * 100_000f + e).ToArray());
        }).ToArray();

        var naive = new float[outShape.Size];
        for (int i = 0, at = 0; i < count; at += sizes[i], i++)
            StridedCopy.RunNaive(inputs[i].Values, 0, new Shape(inputs[i].Dims).Strides(), naive, at * outStrides[axis], outStrides, inputs[i].Dims);
        int inner = outShape.Product(axis + 1, rank);
        int saved = Parallelism.MaxDegree;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Parallelism.MaxDegree = threads;
                var fast = new float[outShape.Size];
                ConcatCopy.Run([.. inputs.Select(x => (Array)x.Values)], [.. sizes.Select(n => n * inner)], fast, outShape.Product(0, axis));
                Assert.Equal(naive, fast);
            }
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    [Fact]
    public void The_vector_float_copy_copies_every_length_and_offset_exactly_and_nothing_more()
    {
        // lengths around the 64-float step and the 16-float overlapping tail, at unaligned offsets; NaN payloads and −0
        // must come through bit for bit, and the floats around the target stay untouched
        var source = Enumerable.Range(0, 300).Select(i => i % 5 == 0 ? -0f : i % 7 == 0 ? BitConverter.Int32BitsToSingle(0x7FC00000 | i) : i * 0.5f).ToArray();
        foreach (int length in new[] { 0, 1, 15, 16, 17, 63, 64, 65, 79, 80, 127, 128, 129, 200, 250 })
            foreach (int offset in new[] { 0, 3, 17 })
            {
                var target = Enumerable.Repeat(7f, 300).ToArray();
                ConcatCopy.CopyFloats(source.AsSpan(offset, length), target.AsSpan(offset + 1, length));
                for (int i = 0; i < target.Length; i++)
                {
                    bool inside = i > offset && i <= offset + length;
                    Assert.Equal(inside ? BitConverter.SingleToInt32Bits(source[i - 1]) : BitConverter.SingleToInt32Bits(7f), BitConverter.SingleToInt32Bits(target[i]));
                }
            }
        Assert.Throws<ArgumentException>(() => ConcatCopy.CopyFloats(new float[70], new float[69]));
    }

    [Fact]
    public void Concat_of_long_and_bool_tensors_keeps_their_dtype()
    {
        var longs = Tensor.Concat([Tensor.FromArray([1L, 2L], 2, 1), Tensor.FromArray([3L, 4L, 5L, 6L], 2, 2)], 1);
        Assert.Equal(new long[] { 1, 3, 4, 2, 5, 6 }, longs.ToInt64Array());
        var bools = Tensor.Concat([Tensor.FromArray([true], 1), Tensor.FromArray([false, true], 2)], 0);
        Assert.Equal(new[] { true, false, true }, bools.ToBoolArray());
    }
}
