using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The fast GEMM against its naive twin: every path, transpose, accumulate mode and thread count.</summary>
public class GemmTests
{
    private static readonly GemmPath[] PackedPaths = GemmPaths.Packed;

    /// <summary>Runs the fast GEMM and the naive one on seeded random data and asserts that every element agrees
    /// within 1e-4 of Σₚ|a||b| (+|c₀| when accumulating), the scale of float32 rounding in a k-term dot product.</summary>
    private static void AssertMatchesNaive(int m, int n, int k, bool transA, bool transB, bool accumulate, int threads, GemmPath path, int seed = 0)
    {
        var rng = new Random(HashCode.Combine(m, n, k, transA, transB, accumulate, seed));
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c0 = Random(rng, m * n);
        var fast = (float[])c0.Clone();
        Gemm.Multiply(a, b, fast, m, n, k, transA, transB, accumulate, threads, path);

        var expected = accumulate ? (float[])c0.Clone() : new float[m * n];
        GemmNaive.Multiply(a, b, expected, m, n, k, transA, transB);
        var scale = accumulate ? c0.Select(Math.Abs).ToArray() : new float[m * n];
        GemmNaive.Multiply(a.Select(Math.Abs).ToArray(), b.Select(Math.Abs).ToArray(), scale, m, n, k, transA, transB);
        for (int i = 0; i < m * n; i++)
        {
            double tolerance = 1e-4 * scale[i] + 1e-30;
            if (Math.Abs(fast[i] - expected[i]) > tolerance)
                Assert.Fail($"Gemm {path} m={m} n={n} k={k} transA={transA} transB={transB} accumulate={accumulate} threads={threads}: " +
                    $"C[{i / n}, {i % n}] = {fast[i]} but naive gives {expected[i]} (tolerance {tolerance:g3}).");
        }
    }

    private static float[] Random(Random rng, int length)
    {
        var data = new float[length];
        for (int i = 0; i < length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return data;
    }

    public static TheoryData<bool, bool> Transposes => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Every_small_shape_matches_naive_on_every_path(bool transA, bool transB)
    {
        for (int m = 0; m <= 7; m++)
            for (int n = 0; n <= 7; n++)
                for (int k = 0; k <= 7; k++)
                    foreach (bool accumulate in new[] { false, true })
                    {
                        AssertMatchesNaive(m, n, k, transA, transB, accumulate, threads: 1, GemmPath.Auto);
                        foreach (var path in PackedPaths) AssertMatchesNaive(m, n, k, transA, transB, accumulate, threads: 1, path);
                    }
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Tails_around_the_register_tiles_match_naive(bool transA, bool transB)
    {
        int[] rows = [1, 3, 4, 5, 6, 7, 8, 11, 12, 13, 16, 18, 20, 25, 32];   // ragged last tiles of 4 and 8 rows are written directly
        int[] cols = [1, 4, 5, 15, 16, 17, 31, 32, 33, 49];
        foreach (int m in rows)
            foreach (int n in cols)
                foreach (int k in new[] { 1, 9, 257 })
                    foreach (var path in PackedPaths)
                        AssertMatchesNaive(m, n, k, transA, transB, accumulate: (m + n + k) % 2 == 0, threads: 1, path);
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Mid_sized_auto_products_match_naive(bool transA, bool transB)
    {
        for (int m = 1; m <= 40; m += 3)
            for (int n = 1; n <= 40; n += 4)
                foreach (int k in new[] { 2, 17, 64 })
                    AssertMatchesNaive(m, n, k, transA, transB, accumulate: (m + n) % 3 == 0, threads: 2, GemmPath.Auto);
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Matrix_vector_products_match_naive(bool transA, bool transB)
    {
        foreach (int k in new[] { 1, 7, 31, 100, 513 })
            foreach (int other in new[] { 1, 2, 9, 17, 300 })
                foreach (bool accumulate in new[] { false, true })
                {
                    AssertMatchesNaive(1, other, k, transA, transB, accumulate, threads: 2, GemmPath.Auto);
                    AssertMatchesNaive(other, 1, k, transA, transB, accumulate, threads: 2, GemmPath.Auto);
                }
        foreach (bool accumulate in new[] { false, true })   // a classifier's size: the dot products run on several threads
        {
            AssertMatchesNaive(1, 1000, 1280, transA, transB, accumulate, threads: 2, GemmPath.Auto);
            AssertMatchesNaive(1000, 1, 1280, transA, transB, accumulate, threads: 2, GemmPath.Auto);
        }
    }

    /// <summary>Small integers (−3…3), so that every product below sums exactly in float32 whatever the order.</summary>
    private static float[] SmallIntegers(Random rng, int length)
    {
        var data = new float[length];
        for (int i = 0; i < length; i++) data[i] = rng.Next(-3, 4);
        return data;
    }

    /// <summary>The blocked matrix-vector kernel on integer data equals the exact product, for ragged depths around
    /// its 16- and 32-float steps and row counts that are not multiples of its 4-row blocks, overwriting and
    /// accumulating; each row's sum is bitwise the same computed alone as inside a block of four.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(1001)]
    public unsafe void Blocked_matrix_vector_rows_equal_the_exact_product(int rows)
    {
        foreach (int k in new[] { 1, 15, 16, 17, 31, 32, 33, 47, 48, 1280, 1283 })
        {
            var rng = new Random(rows * 7919 + k);
            float[] matrix = SmallIntegers(rng, rows * k), x = SmallIntegers(rng, k), y0 = SmallIntegers(rng, rows);
            foreach (bool accumulate in new[] { false, true })
            {
                var y = (float[])y0.Clone();
                var alone = (float[])y0.Clone();
                fixed (float* pm = matrix, px = x, py = y, pa = alone)
                {
                    GemmVector.DotRows(pm, k, px, py, 0, rows, accumulate);
                    for (int i = 0; i < rows; i++) GemmVector.DotRows(pm, k, px, pa, i, i + 1, accumulate);
                }
                for (int i = 0; i < rows; i++)
                {
                    double exact = accumulate ? y0[i] : 0;
                    for (int p = 0; p < k; p++) exact += (double)matrix[i * k + p] * x[p];
                    Assert.True(y[i] == exact, $"rows={rows} k={k} accumulate={accumulate}: y[{i}] = {y[i]}, exact {exact}");
                    Assert.True(alone[i] == y[i], $"rows={rows} k={k} accumulate={accumulate}: row {i} alone gives {alone[i]}, in its block {y[i]}");
                }
            }
        }
    }

    /// <summary>Wide products whose packed B spans several column groups of the driver (k = 300 and 600: groups of
    /// 13 panels, the last one ragged, within and across NC blocks) or one group of the whole block (k = 16), on
    /// integer data: exactly the naive product, so every tile is computed once and lands where it belongs.</summary>
    [Theory]
    [InlineData(16, false)]
    [InlineData(300, false)]
    [InlineData(600, true)]
    public void Column_groups_cover_every_tile_once(int k, bool accumulate)
    {
        int m = 30, n = GemmKernel512.NC + 100;
        var rng = new Random(k);
        float[] a = SmallIntegers(rng, m * k), b = SmallIntegers(rng, k * n), c0 = SmallIntegers(rng, m * n);
        var expected = accumulate ? (float[])c0.Clone() : new float[m * n];
        GemmNaive.Multiply(a, b, expected, m, n, k, false, false);
        foreach (var path in PackedPaths)
        {
            var actual = (float[])c0.Clone();
            Gemm.Multiply(a, b, actual, m, n, k, false, false, accumulate, 1, path);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{path} m={m} n={n} k={k} accumulate={accumulate}: differs from the exact product");
        }
    }

    [Theory]
    [InlineData(false, false, false, 1)]
    [InlineData(false, true, true, 1)]
    [InlineData(true, false, false, 2)]
    [InlineData(true, true, true, 2)]
    [InlineData(false, false, true, 2)]
    [InlineData(true, true, false, 1)]
    public void Large_products_across_cache_blocks_match_naive(bool transA, bool transB, bool accumulate, int threads)
    {
        AssertMatchesNaive(300, 513, 257, transA, transB, accumulate, threads, GemmPath.Auto);
        AssertMatchesNaive(301, 37, 600, transA, transB, accumulate, threads, GemmPath.Auto);     // split along m
        AssertMatchesNaive(5, 3100, 300, transA, transB, accumulate, threads, GemmPath.Auto);     // n beyond one NC block
        AssertMatchesNaive(150, 70, 520, transA, transB, accumulate, threads, GemmPath.Scalar);
    }

    [Avx512Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Vector512_path_matches_naive_beyond_its_blocks(int threads)
    {
        // One row block, one depth block and one column block more than the blocking constants, with ragged tails.
        int m = GemmKernel512.MC + 7, k = GemmKernel512.KC + 9, n = GemmKernel512.NC + 33;
        AssertMatchesNaive(m, 70, k, transA: false, transB: true, accumulate: true, threads, GemmPath.Vector512);
        AssertMatchesNaive(m, 45, k, transA: false, transB: false, accumulate: false, threads, GemmPath.Vector512);
        AssertMatchesNaive(25, n, 20, transA: true, transB: false, accumulate: false, threads, GemmPath.Vector512);
    }

    public static TheoryData<int, int> PanelShapes => new() { { 12, 12 }, { 11, 12 }, { 7, 12 }, { 4, 12 }, { 3, 12 }, { 6, 6 }, { 5, 6 }, { 4, 4 }, { 13, 16 }, { 32, 32 }, { 30, 32 } };

    /// <summary>PackA and PackB against the documented layout, element by element: the register transposes (8×8, 4×8,
    /// six-row), the vector copies and the scalar tails, for every transpose flag and depths around the 8-step blocks.</summary>
    [Theory]
    [MemberData(nameof(PanelShapes))]
    public unsafe void Packing_lays_out_panels_as_documented(int count, int width)
    {
        foreach (int steps in new[] { 1, 7, 8, 9, 16, 21 })
            foreach (bool trans in new[] { false, true })
            {
                int panels = 3, extent = width * panels - (width - count);    // last panel ragged when count < width
                int ld = extent + steps + 3;                                    // a row stride longer than either extent
                var source = new float[ld * (extent + steps)];
                for (int i = 0; i < source.Length; i++) source[i] = i + 1;
                // op(A)[i, p] (rows i < extent) and op(B)[p, j] (columns j < extent) in terms of the source.
                float A(int i, int p) => trans ? source[p * ld + i] : source[i * ld + p];
                float B(int p, int j) => trans ? source[j * ld + p] : source[p * ld + j];
                var packedA = new float[width * panels * steps + 16];
                var packedB = new float[width * panels * steps + 16];
                fixed (float* src = source, da = packedA, db = packedB)
                {
                    GemmPacking.PackA(src, ld, trans, extent, steps, width, da);
                    GemmPacking.PackB(src, ld, trans, steps, extent, width, db);
                }
                for (int panel = 0; panel < panels; panel++)
                    for (int p = 0; p < steps; p++)
                        for (int r = 0; r < width; r++)
                        {
                            int index = panel * width * steps + p * width + r, row = panel * width + r;
                            float expectedA = row < extent ? A(row, p) : 0, expectedB = row < extent ? B(p, row) : 0;
                            if (packedA[index] != expectedA || packedB[index] != expectedB)
                                Assert.Fail($"count={count} width={width} steps={steps} trans={trans} panel {panel} step {p} lane {r}: " +
                                    $"A packed {packedA[index]} (want {expectedA}), B packed {packedB[index]} (want {expectedB}).");
                        }
            }
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        var rng = new Random(5);
        float[] a = Random(rng, 200 * 300), b = Random(rng, 300 * 170);
        float[] one = new float[200 * 170], two = new float[200 * 170];
        Gemm.Multiply(a, b, one, 200, 170, 300, false, false, false, 1, GemmPath.Auto);
        Gemm.Multiply(a, b, two, 200, 170, 300, false, false, false, 2, GemmPath.Auto);
        Assert.Equal(one, two);
    }

    /// <summary>Two threads split C where the busier thread gets less: the columns of a wide product, the rows of a
    /// tall one, and the rows when the columns make an odd number of panels but the rows an even number of tiles.</summary>
    [Theory]
    [InlineData(16, 3025, true)]       // SqueezeNet's 55×55 squeeze: 95 column panels, 2 row tiles
    [InlineData(1000, 169, false)]     // its 1000-class 1×1 convolution at 13×13: 84 row tiles, 6 column panels
    [InlineData(96, 196, false)]       // MobileNetV2's 14×14 projection: 7 panels split 4 + 3, 8 row tiles 4 + 4
    [InlineData(60, 196, true)]        // 5 row tiles split 3 + 2: no better than the panels' 4 + 3
    public void Threads_split_the_side_that_balances_the_work(int m, int n, bool columns)
    {
        Assert.Equal(columns, Gemm.SplitsColumns(m, n, 2, GemmPath.Vector512, aPacked: false, bPacked: false));
    }

    /// <summary>Dynamically claimed column slabs come in a whole number per thread, up to eight each, of at least two
    /// panels where there are enough: 23 panels (a 27² plane) make 10 slabs on two threads, not 11 (6 + 5).</summary>
    [Theory]
    [InlineData(23, 2, 10)]
    [InlineData(95, 2, 16)]     // a 55² plane: eight per thread
    [InlineData(6, 2, 2)]       // fewer than eight panels: one slab a thread
    [InlineData(1, 2, 1)]
    [InlineData(23, 3, 9)]
    [InlineData(40, 3, 18)]
    [InlineData(23, 1, 8)]
    public void Column_slabs_come_in_a_whole_number_per_thread(int tiles, int threads, int slabs)
    {
        Assert.Equal(slabs, Gemm.ColumnSlabs(tiles, threads));
    }

    /// <summary>With A given packed (read-only weights) a column split packs nothing of A, yet the last panel of at
    /// most 16 columns, which the AVX-512 kernel runs at half cost, still favours the rows: SqueezeNet's classifier
    /// (1000 × 169) gives each thread 42 row tiles of 5.5 panels rather than one thread 3 full panels of 84 tiles. On
    /// AVX2 (16-column panels, no half panel) 169 columns are 11 panels, 6 + 5, and the rows win as well.</summary>
    [Theory]
    [InlineData(1000, 169, true, false)]
    [InlineData(1000, 192, true, true)]      // 6 whole panels: 3 + 3
    [InlineData(1000, 177, true, true)]      // a last panel of 17 columns costs a whole one
    [InlineData(1000, 169, false, false)]
    public void A_half_panel_counts_half_when_A_is_packed(int m, int n, bool wide, bool columns)
    {
        Assert.Equal(columns, Gemm.SplitsColumns(m, n, 2, wide ? GemmPath.Vector512 : GemmPath.Vector256, aPacked: true, bPacked: false));
    }

    [Theory]
    [InlineData(96, 196, 576)]
    [InlineData(16, 3025, 64)]         // A two tiles tall: 8 column slabs claimed by the 2 threads
    [InlineData(60, 196, 96)]
    [InlineData(1000, 169, 64)]
    public void Row_and_column_splits_give_bitwise_the_single_thread_product(int m, int n, int k)
    {
        var rng = new Random(m + n + k);
        float[] a = Random(rng, m * k), b = Random(rng, k * n);
        float[] one = new float[m * n], two = new float[m * n];
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = 2;
            Gemm.Multiply(a, b, one, m, n, k, false, false, false, 1, GemmPath.Auto);
            Gemm.Multiply(a, b, two, m, n, k, false, false, false, 2, GemmPath.Auto);
        }
        finally { Parallelism.MaxDegree = saved; }
        Assert.Equal(one, two);
    }

    [Fact]
    public void Overwrite_ignores_garbage_in_c()
    {
        var c = Enumerable.Repeat(float.NaN, 64 * 64).ToArray();
        Gemm.Multiply(Enumerable.Repeat(1f, 64 * 32).ToArray(), Enumerable.Repeat(2f, 32 * 64).ToArray(), c, 64, 64, 32);
        Assert.All(c, value => Assert.Equal(64f, value));
    }

    [Fact]
    public void Zero_depth_clears_or_keeps_c()
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        Gemm.Multiply([], [], c, 2, 3, 0, accumulate: true);
        Assert.Equal([1, 2, 3, 4, 5, 6], c);
        Gemm.Multiply([], [], c, 2, 3, 0);
        Assert.All(c, value => Assert.Equal(0f, value));
    }

    [Fact]
    public void Rejects_negative_dimensions()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply([], [], [], -1, 2, 3));
        Assert.Contains("Gemm", ex.Message);
        Assert.Contains("m=-1", ex.Message);
    }

    [Fact]
    public void Rejects_buffers_that_are_too_short()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[5], new float[6], new float[4], 2, 2, 3));
        Assert.Contains("Gemm", ex.Message);
        Assert.Contains("A=5", ex.Message);
    }

    [Fact]
    public void Rejects_a_thread_count_below_one()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(new float[4], new float[4], new float[4], 2, 2, 2, false, false, false, 0, GemmPath.Auto));
        Assert.Contains("maxThreads", ex.Message);
    }

    [Theory]
    [InlineData(1, 1, 3, 5)]
    [InlineData(13, 70, 20, 100)]
    [InlineData(16, 448, 144, 3136)]     // a convolution band: 8 output rows of 56 in a 56×56 plane
    [InlineData(40, 33, 9, 34)]
    public void A_strided_C_equals_the_dense_product_and_leaves_the_gaps_alone(int m, int n, int k, int ldc)
    {
        var rng = new Random(m * 7 + n);
        float[] a = Random(rng, m * k), b = Random(rng, k * n);
        var dense = new float[m * n];
        var bias = Random(rng, m);
        Gemm.Multiply(a, b, dense, m, n, k, false, false, false, 2, GemmPath.Auto, new ConvEpilogue(bias, ConvActivation.Clamp(0f, null)));
        foreach (var path in new[] { GemmPath.Auto, GemmPath.Vector512, GemmPath.Vector256, GemmPath.Scalar }.Where(GemmPaths.Runs))
        {
            var strided = Enumerable.Repeat(float.NaN, (m - 1) * ldc + n + 3).ToArray();
            Gemm.Multiply(a, b, strided, ldc, m, n, k, false, false, false, 2, path, new ConvEpilogue(bias, ConvActivation.Clamp(0f, null)));
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                    Assert.True(Math.Abs(dense[i * n + j] - strided[i * ldc + j]) <= 1e-4f * (1 + Math.Abs(dense[i * n + j])), $"{path} C[{i}, {j}]");
                for (int j = n; j < ldc && i * ldc + j < strided.Length; j++) Assert.True(float.IsNaN(strided[i * ldc + j]), $"{path} gap at row {i}, column {j} was written");
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(a, b, new float[m * n], n - 1, m, n, k, false, false, false, 1, GemmPath.Auto, default));
        var tooShort = Assert.Throws<ArgumentException>(() => Gemm.Multiply(a, b, new float[(m - 1) * ldc + n - 1], ldc, m, n, k, false, false, false, 1, GemmPath.Auto, default));
        Assert.Contains($"C row stride {ldc}", tooShort.Message, StringComparison.Ordinal);
    }

    public static TheoryData<int, int, int, bool, bool> PackedShapes => new()
    {
        { 1, 1, 1, false, false }, { 5, 3, 7, true, false }, { 13, 33, 9, false, true }, { 25, 70, 20, true, true },
        { 400, 17, 257, false, false },                                                 // rows split across threads
        { GemmKernel512.MC + 7, 45, GemmKernel512.KC + 9, false, true },                // several row and depth blocks
        { 37, GemmKernel512.NC + 33, 20, true, false },                                 // several column blocks
        { 40, 1200, 30, false, false },                                                 // packed: 8 column slabs claimed by 2 threads
    };

    /// <summary>A packed once and reused gives bitwise the product that packs A per block (the same panels and the
    /// same FMA order), on every path, with dense and strided C, accumulation and an epilogue, on 1 and 2 threads.</summary>
    [Theory]
    [MemberData(nameof(PackedShapes))]
    public void Packed_A_gives_bitwise_the_unpacked_product(int m, int n, int k, bool transA, bool transB)
    {
        var rng = new Random(m * 31 + n * 7 + k);
        float[] a = Random(rng, m * k), b = Random(rng, k * n), bias = Random(rng, m);
        int ldc = n + 5;
        var c0 = Random(rng, (m - 1) * ldc + n);
        foreach (var path in PackedPaths)
            foreach (int threads in new[] { 1, 2 })
            {
                using var packed = GemmPackedA.Pack(a, m, k, transA, path, threads);
                foreach (bool accumulate in new[] { false, true })
                    foreach (var epilogue in new[] { default, new ConvEpilogue(bias, ConvActivation.Clamp(0f, 6f)) })
                        foreach (int stride in new[] { n, ldc })
                        {
                            var expected = (float[])c0.Clone();
                            var actual = (float[])c0.Clone();
                            Gemm.Multiply(a, null, b, expected, stride, m, n, k, transA, transB, accumulate, threads, path, epilogue);
                            Gemm.Multiply(a, packed, b, actual, stride, m, n, k, transA, transB, accumulate, threads, path, epilogue);
                            Assert.True(expected.AsSpan().SequenceEqual(actual),
                                $"{path} m={m} n={n} k={k} transA={transA} transB={transB} threads={threads} accumulate={accumulate} epilogue={epilogue.IsActive} ldc={stride}: packed A differs");
                        }
                AssertMatchesNaive(m, n, k, transA, transB, accumulate: true, threads, path);
            }
    }

    /// <summary>A GEMM asked for two threads whose column slabs are claimed dynamically still computes every slab when
    /// the claims run inline on one thread (here because <see cref="Parallelism.MaxDegree"/> is 1): the claim is a
    /// run of slabs, not only its first (a bug found when a concurrent test lowered MaxDegree).</summary>
    [Fact]
    public void Dynamically_claimed_column_slabs_are_all_computed_when_they_run_inline()
    {
        const int m = 40, n = 1200, k = 30;
        var rng = new Random(7);
        float[] a = Random(rng, m * k), b = Random(rng, k * n);
        var expected = new float[m * n];
        GemmNaive.Multiply(a, b, expected, m, n, k, false, false);
        int saved = Parallelism.MaxDegree;
        try
        {
            foreach (var path in PackedPaths)
            {
                using var packed = GemmPackedA.Pack(a, m, k, false, path, 1);
                var actual = Enumerable.Repeat(float.NaN, m * n).ToArray();
                Parallelism.MaxDegree = 1;
                Gemm.Multiply(a, packed, b, actual, n, m, n, k, false, false, false, 2, path, default);
                Parallelism.MaxDegree = saved;
                for (int i = 0; i < m * n; i++)
                    Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"{path}: C[{i / n}, {i % n}] = {actual[i]}, naive {expected[i]}");
            }
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    /// <summary>The whole-matrix packing equals, panel for panel, what PackA lays out for each depth block, also when
    /// threads pack neighbouring panels (the six-row transposes must not spill into another thread's panel).</summary>
    [Theory]
    [InlineData(1, 130, 1024, true)]        // path index: 0 scalar, 1 Vector256, 2 Vector512
    [InlineData(1, 130, 1024, false)]
    [InlineData(0, 90, 600, true)]
    public unsafe void Packing_A_whole_lays_out_every_depth_block_as_PackA(int pathIndex, int m, int k, bool transA)
    {
        var path = new[] { GemmPath.Scalar, GemmPath.Vector256, GemmPath.Vector512 }[pathIndex];
        var a = Random(new Random(m + k), m * k);
        int mr = Gemm.TileShape(path).Mr, padded = (m + mr - 1) / mr * mr;
        int kcMax = path switch
        {
            GemmPath.Vector512 => GemmDriver<GemmKernel512>.DepthBlock(k),
            GemmPath.Vector256 => GemmDriver<GemmKernel256>.DepthBlock(k),
            _ => GemmDriver<GemmKernelScalar>.DepthBlock(k),
        };
        var expected = new float[padded * k + 16];
        fixed (float* pa = a, pe = expected)
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                GemmPacking.PackA(transA ? pa + pc * m : pa + pc, transA ? m : k, transA, m, kc, mr, pe + pc * padded);
            }
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = 2;
            foreach (int threads in new[] { 1, 2 })
            {
                using var packed = GemmPackedA.Pack(a, m, k, transA, path, threads);
                Assert.Equal(padded, packed.PaddedRows);
                Assert.True(expected.AsSpan(0, padded * k).SequenceEqual(packed.Data.AsSpan(0, padded * k)), $"{path} threads={threads}: packed panels differ");
            }
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    [Avx512Fact]
    public void Packing_A_whole_lays_out_every_depth_block_as_PackA_for_the_512_bit_kernel() =>
        Packing_A_whole_lays_out_every_depth_block_as_PackA(2, 130, 1024, false);

    [Fact]
    public void Packed_A_must_fit_the_product()
    {
        var a = new float[6 * 4];
        using var packed = GemmPackedA.Pack(a, 6, 4, false, GemmPath.Scalar, 1);
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(a, packed, new float[4 * 5], new float[6 * 5], 5, 6, 5, 4, false, false, false, 1, GemmPath.Vector256, default));
        Assert.Contains("Scalar", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(a, packed, new float[3 * 5], new float[6 * 5], 5, 6, 5, 3, false, false, false, 1, GemmPath.Scalar, default));
        Assert.Contains("k=3", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmPackedA.Pack(a, 0, 4, false, GemmPath.Scalar, 1));
        Assert.Throws<ArgumentException>(() => GemmPackedA.Pack(a, 7, 4, false, GemmPath.Scalar, 1));
        packed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => packed.Data);
    }

    /// <summary>How often a plain product packs A: once per column block of NC, per thread when threads split the
    /// columns, never on the matrix-vector path.</summary>
    [Theory]
    [InlineData(64, 12544, 16, 1, 5)]        // a 112×112 plane: five column blocks
    [InlineData(64, 12544, 16, 2, 6)]        // two slabs of 6272 columns, three blocks each
    [InlineData(96, 3136, 24, 2, 2)]         // two slabs of 1568 columns: each thread packs A once
    [InlineData(1000, 169, 512, 2, 1)]       // more rows than columns: threads split the rows
    [InlineData(96, 196, 576, 2, 1)]         // 8 row tiles split evenly, 7 column panels do not: the rows
    [InlineData(16, 20, 8, 2, 1)]            // too little work for a second thread
    [InlineData(1, 500, 64, 1, 1)]           // one row on an explicit path: packed
    public void Packings_of_A_count_column_blocks_and_column_slabs(int m, int n, int k, int threads, int expected)
    {
        Assert.Equal(expected, Gemm.PackingsOfA(m, n, k, threads, GemmPath.Vector512));
    }

    [Fact]
    public void Matrix_vector_and_empty_products_pack_nothing()
    {
        Assert.Equal(0, Gemm.PackingsOfA(1, 500, 64, 2));
        Assert.Equal(0, Gemm.PackingsOfA(500, 1, 64, 2));
        Assert.Equal(0, Gemm.PackingsOfA(50, 40, 0, 2));
    }

    /// <summary>B packed in the driver's layout for <paramref name="path"/>, as <see cref="Gemm.MultiplyPackedB"/>
    /// takes it, in this thread's aligned scratch: PackB of every depth block of the k×n matrix b.</summary>
    internal static unsafe Span<float> PackWholeB(float[] b, int k, int n, GemmPath path)
    {
        var (depthBlock, nr) = Gemm.PanelShapeB(path, k);
        int padded = (n + nr - 1) / nr * nr;
        var packed = GemmBuffers.Columns(padded * k);
        packed.Fill(float.NaN);
        fixed (float* pb = b, dst = packed)
            for (int pc = 0; pc < k; pc += depthBlock)
                GemmPacking.PackB(pb + pc * n, n, false, Math.Min(depthBlock, k - pc), n, nr, dst + pc * padded);
        return packed;
    }

    /// <summary>B given packed gives bitwise the product that packs B itself, with and without packed A, dense and
    /// strided C, accumulation and an epilogue, on 1 and 2 threads (split along the columns or the rows).</summary>
    [Theory]
    [MemberData(nameof(PackedShapes))]
    public void Packed_B_gives_bitwise_the_unpacked_product(int m, int n, int k, bool transA, bool transB)
    {
        _ = transB;                                                  // packed B is B itself: no transpose
        var rng = new Random(m * 17 + n * 5 + k);
        float[] a = Random(rng, m * k), b = Random(rng, k * n), bias = Random(rng, m);
        int ldc = n + 3;
        var c0 = Random(rng, (m - 1) * ldc + n);
        foreach (var path in PackedPaths)
            foreach (int threads in new[] { 1, 2 })
            {
                using var packedA = GemmPackedA.Pack(a, m, k, transA, path, threads);
                foreach (var sharedA in new[] { null, packedA })
                    foreach (bool accumulate in new[] { false, true })
                        foreach (var epilogue in new[] { default, new ConvEpilogue(bias, ConvActivation.Leaky(0.1f)) })
                            foreach (int stride in new[] { n, ldc })
                            {
                                var expected = (float[])c0.Clone();
                                var actual = (float[])c0.Clone();
                                Gemm.Multiply(a, null, b, expected, stride, m, n, k, transA, false, accumulate, threads, path, epilogue);
                                Gemm.MultiplyPackedB(a, sharedA, PackWholeB(b, k, n, path), actual, stride, m, n, k, transA, accumulate, threads, path, epilogue);
                                Assert.True(expected.AsSpan().SequenceEqual(actual),
                                    $"{path} m={m} n={n} k={k} transA={transA} threads={threads} packedA={sharedA is not null} accumulate={accumulate} epilogue={epilogue.IsActive} ldc={stride}: packed B differs");
                            }
            }
    }

    [Fact]
    public void Packed_B_must_be_long_enough_and_aligned()
    {
        var a = new float[4 * 40];
        var ex = Assert.Throws<ArgumentException>(() => Gemm.MultiplyPackedB(a, null, GemmBuffers.Columns(40 * 31), new float[20], 5, 4, 5, 40, false, false, 1, GemmPath.Vector512, default));
        Assert.Contains("B=1240", ex.Message, StringComparison.Ordinal);       // 5 columns pad to 32: 1280 floats
        ex = Assert.Throws<ArgumentException>(() => Gemm.MultiplyPackedB(a, null, GemmBuffers.Columns(40 * 33)[1..], new float[20], 5, 4, 5, 40, false, false, 1, GemmPath.Vector512, default));
        Assert.Contains("64-byte", ex.Message, StringComparison.Ordinal);
    }
}
