using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

public class StridedCopyTests
{
    public static IEnumerable<object[]> Seeds() => Enumerable.Range(0, 40).Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Fast_copy_matches_the_naive_twin_for_random_permuted_flipped_and_broadcast_layouts(int seed)
    {
        var rng = new Random(seed);
        int rank = rng.Next(1, 6);
        var dims = Enumerable.Range(0, rank).Select(_ => rng.Next(1, seed % 4 == 0 ? 40 : 6)).ToArray();
        var shape = new Shape(dims);
        // source: a permutation of a contiguous tensor, some axes flipped, maybe one broadcast (stride 0)
        var perm = Enumerable.Range(0, rank).OrderBy(_ => rng.Next()).ToArray();
        var baseStrides = new Shape(perm.Select(p => dims[p]).ToArray()).Strides();
        var srcStrides = new int[rank];
        for (int i = 0; i < rank; i++) srcStrides[perm[i]] = baseStrides[i];
        int srcOffset = 0;
        for (int d = 0; d < rank; d++)
        {
            if (rng.Next(3) == 0) { srcOffset += (dims[d] - 1) * srcStrides[d]; srcStrides[d] = -srcStrides[d]; }
            else if (rng.Next(6) == 0) srcStrides[d] = 0;
        }
        var src = Enumerable.Range(0, shape.Size).Select(i => (float)i).ToArray();
        var dstStrides = shape.Strides();
        var fast = new float[shape.Size];
        var naive = new float[shape.Size];
        StridedCopy.Run(src, srcOffset, srcStrides, fast, 0, dstStrides, dims);
        StridedCopy.RunNaive(src, srcOffset, srcStrides, naive, 0, dstStrides, dims);
        Assert.Equal(naive, fast);

        var longs = src.Select(v => (long)v).ToArray();
        var fastLongs = new long[shape.Size];
        StridedCopy.Run((Array)longs, srcOffset, srcStrides, fastLongs, 0, dstStrides, dims);
        Assert.Equal(naive.Select(v => (long)v), fastLongs);

        var bools = src.Select(v => v % 3 == 0).ToArray();
        var fastBools = new bool[shape.Size];
        var naiveBools = new bool[shape.Size];
        StridedCopy.Run((Array)bools, srcOffset, srcStrides, fastBools, 0, dstStrides, dims);
        StridedCopy.RunNaive(bools, srcOffset, srcStrides, naiveBools, 0, dstStrides, dims);
        Assert.Equal(naiveBools, fastBools);
    }

    [Fact]
    public void Copy_into_a_strided_destination_window_leaves_the_rest_untouched()
    {
        // a [2, 3] block into columns 1..3 of a [2, 5] matrix
        var src = new float[] { 1, 2, 3, 4, 5, 6 };
        var dst = new float[10];
        StridedCopy.Run(src, 0, [3, 1], dst, 1, [5, 1], [2, 3]);
        Assert.Equal(new float[] { 0, 1, 2, 3, 0, 0, 4, 5, 6, 0 }, dst);
    }

    [Fact]
    public void A_single_large_contiguous_block_is_split_across_threads_at_its_offsets()
    {
        // [1, 3, 150, 170] into channels 2..4 of a [1, 6, 150, 170] buffer: one row of 76 500 elements
        int saved = Parallelism.MaxDegree;
        try
        {
            int[] dims = [1, 3, 150, 170];
            var src = Enumerable.Range(0, 7 + 3 * 150 * 170).Select(i => (float)i).ToArray();
            var naive = new float[6 * 150 * 170];
            StridedCopy.RunNaive(src, 7, [76_500, 25_500, 170, 1], naive, 2 * 25_500, [153_000, 25_500, 170, 1], dims);
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Parallelism.MaxDegree = threads;
                var fast = new float[naive.Length];
                StridedCopy.Run(src, 7, [76_500, 25_500, 170, 1], fast, 2 * 25_500, [153_000, 25_500, 170, 1], dims);
                Assert.Equal(naive, fast);
            }
        }
        finally
        {
            Parallelism.MaxDegree = saved;
        }
    }

    [Fact]
    public void Multithreaded_copy_of_a_large_transpose_matches_the_naive_twin()
    {
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = 4;
            int[] dims = [300, 257];
            var src = Enumerable.Range(0, 300 * 257).Select(i => (float)i).ToArray();
            var fast = new float[src.Length];
            var naive = new float[src.Length];
            StridedCopy.Run(src, 0, [1, 300], fast, 0, [257, 1], dims);
            StridedCopy.RunNaive(src, 0, [1, 300], naive, 0, [257, 1], dims);
            Assert.Equal(naive, fast);
        }
        finally
        {
            Parallelism.MaxDegree = saved;
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Tiled_transposes_with_ragged_edges_and_flips_match_the_naive_twin(bool flipRows, bool flipColumns)
    {
        // [3, 45, 70] -> [3, 70, 45]: the tiled path with full 8×8 register blocks and scalar edges
        int[] dims = [3, 70, 45];
        int[] srcStrides = [45 * 70, 1, 70];
        int offset = 0;
        if (flipRows) { offset += 44 * 70; srcStrides[2] = -70; }
        if (flipColumns) { offset += 69; srcStrides[1] = -1; }
        var src = Enumerable.Range(0, 3 * 45 * 70).Select(i => (float)i).ToArray();
        var fast = new float[src.Length];
        var naive = new float[src.Length];
        int[] dstStrides = [70 * 45, 45, 1];
        StridedCopy.Run(src, offset, srcStrides, fast, 0, dstStrides, dims);
        StridedCopy.RunNaive(src, offset, srcStrides, naive, 0, dstStrides, dims);
        Assert.Equal(naive, fast);
        var longs = src.Select(v => (long)v).ToArray();
        var fastLongs = new long[src.Length];
        StridedCopy.Run(longs, offset, srcStrides, fastLongs, 0, dstStrides, dims);
        Assert.Equal(naive.Select(v => (long)v), fastLongs);
    }
}
