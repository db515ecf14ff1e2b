using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The GEMM kernels' final store with a watched clamp (<see cref="ConvEpilogue.WatchesTies"/>): the ties
/// found in registers as each row is stored are the ties the stored-tile pass finds (<see cref="ConvEpilogue.Apply(float*, nint, int, int, int)"/>
/// after a plain store, the path it replaced), and the values are bitwise the same — on a third, two thirds and all
/// of the rows (12×32 kernel: 4, 8, 12; 6×16 kernel: 2, 4, 6), full and partial tiles, overwriting and accumulating,
/// with and without a bias, ties planted exactly on 0 and 6, NaN inputs.</summary>
public unsafe class GemmKernelTiesTests
{
    private const int Depth = 3, Ldc = 40, Channels = 20, FirstChannel = 3, Row0 = 2;

    [Avx512Fact]
    public void Ties_found_in_registers_equal_the_stored_tile_pass_and_the_values_are_bitwise_the_same() => Check<GemmKernel512>();

    [Fact]
    public void The_AVX2_kernel_finds_the_same_ties_and_values_as_the_stored_tile_pass()
    {
        Assert.True(Fma.IsSupported, "this x64 machine has no FMA: the 6×16 kernel cannot run here.");
        Check<GemmKernel256>();
    }

    private static void Check<TKernel>() where TKernel : struct, IGemmMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        var a = (float*)NativeMemory.AlignedAlloc((nuint)(Depth * mr * sizeof(float)), 64);
        var b = (float*)NativeMemory.AlignedAlloc((nuint)(Depth * nr * sizeof(float)), 64);
        try
        {
            var rng = new Random(5);
            // small integers: every sum is exact, so many values land exactly on 0 and on 6
            for (int i = 0; i < Depth * mr; i++) a[i] = rng.Next(-2, 3);
            for (int i = 0; i < Depth * nr; i++) b[i] = rng.Next(-2, 4);
            b[5] = float.NaN;                                               // column 5: NaN in every row, never a tie
            // half-integer biases never meet the integer bounds: those channels cannot tie
            var bias = Enumerable.Range(0, Channels).Select(c => c % 3 == 0 ? 0.5f : c % 3 == 1 ? 0f : 1f).ToArray();
            int cases = 0, withTies = 0, cutByColumns = 0;
            foreach (int rows in new[] { mr / 3, 2 * mr / 3, mr })
                foreach (int cols in new[] { 1, 5, nr / 2, nr / 2 + 1, nr - 1, nr })
                    foreach (bool overwrite in new[] { true, false })
                        foreach (var withBias in new[] { bias, null })
                        {
                            var initial = Enumerable.Range(0, mr * Ldc).Select(i => i % Ldc >= nr ? float.NaN : rng.Next(-3, 4)).ToArray();
                            var expectedTies = new ClampTies(Channels);
                            var actualTies = new ClampTies(Channels);
                            var unwatched = (float[])initial.Clone();
                            var expected = (float[])initial.Clone();
                            var actual = (float[])initial.Clone();
                            var activation = ConvActivation.Clamp(0f, 6f);
                            fixed (float* e = expected, c = actual, u = unwatched)
                            {
                                TKernel.RunRows(Depth, a, b, e, Ldc, overwrite, rows, cols);
                                new ConvEpilogue(withBias, activation, expectedTies).From(FirstChannel).Apply(e, Ldc, Row0, rows, cols);
                                TKernel.RunFinal(Depth, a, b, c, Ldc, overwrite, rows, cols, new ConvEpilogue(withBias, activation, actualTies).From(FirstChannel), Row0);
                                TKernel.RunFinal(Depth, a, b, u, Ldc, overwrite, rows, cols, new ConvEpilogue(withBias, activation).From(FirstChannel), Row0);
                            }
                            string name = $"rows={rows} cols={cols} overwrite={overwrite} bias={withBias is not null}";
                            for (int i = 0; i < expected.Length; i++)
                            {
                                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{name}: C[{i / Ldc}, {i % Ldc}] {actual[i]}, the stored-tile pass gives {expected[i]}");
                                Assert.True(BitConverter.SingleToInt32Bits(unwatched[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{name}: C[{i / Ldc}, {i % Ldc}] {actual[i]}, unwatched {unwatched[i]}");
                            }
                            Assert.Equal(expectedTies.Seen, actualTies.Seen);
                            Assert.Equal(expectedTies.Channels(), actualTies.Channels());
                            Assert.All(actualTies.Channels(), ch => Assert.InRange(ch, FirstChannel + Row0, FirstChannel + Row0 + rows - 1));
                            if (withBias is not null)
                                Assert.All(actualTies.Channels(), ch => Assert.NotEqual(0.5f, bias[ch]));
                            cases++;
                            if (actualTies.Seen) withTies++;
                            if (cols < nr && actualTies.Channels().Length < TiedOnAllColumns(a, b, initial, overwrite, rows, withBias, mr, nr)) cutByColumns++;
                        }
            Assert.Equal(72, cases);
            Assert.InRange(withTies, 1, cases - 1);                         // the planted ties are found, not everywhere
            Assert.True(cutByColumns > 0, "no case had a tie only in the columns past the stored ones");
        }
        finally
        {
            NativeMemory.AlignedFree(a);
            NativeMemory.AlignedFree(b);
        }
    }

    /// <summary>How many of the rows would be tied if all <paramref name="nr"/> columns were stored (a naive twin in
    /// doubles: the products and sums of small integers are exact).</summary>
    private static int TiedOnAllColumns(float* a, float* b, float[] initial, bool overwrite, int rows, float[]? bias, int mr, int nr)
    {
        int tied = 0;
        for (int r = 0; r < rows; r++)
        {
            bool any = false;
            for (int j = 0; j < nr; j++)
            {
                double u = overwrite ? 0 : initial[r * Ldc + j];
                for (int p = 0; p < Depth; p++) u += (double)a[p * mr + r] * b[p * nr + j];
                if (bias is not null) u += bias[FirstChannel + Row0 + r];
                any |= u == 0 || u == 6;
            }
            if (any) tied++;
        }
        return tied;
    }

    [Fact]
    public void Report_rows_notes_each_set_bit_as_a_channel_from_the_first()
    {
        var ties = new ClampTies(16);
        var epilogue = new ConvEpilogue(null, ConvActivation.Clamp(0f, 6f), ties).From(4);
        epilogue.ReportRows(1, 0b0100_0000_0101u);
        Assert.True(ties.Seen);
        Assert.Equal(new[] { 5, 7, 15 }, ties.Channels());
        var untouched = new ClampTies(16);
        new ConvEpilogue(null, ConvActivation.Clamp(0f, 6f), untouched).ReportRows(0, 0u);
        Assert.False(untouched.Seen);
    }
}
