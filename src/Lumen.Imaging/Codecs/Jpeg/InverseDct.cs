namespace Lumen.Imaging;

/// <summary>
/// The 8×8 inverse DCT of JPEG: <see cref="Transform"/> is the integer Loeffler–Ligtenberg–Moschytz algorithm
/// with 13-bit constants and 2 extra bits between passes (columns, then rows), the arithmetic of libjpeg's default
/// "islow" IDCT, so decoded samples match libjpeg's; <see cref="TransformExact"/> is the direct double-precision
/// definition, kept as the test oracle.
/// </summary>
/// <remarks>
/// f(x, y) = ¼ Σ_u Σ_v C(u) C(v) F(v, u) cos((2x + 1)uπ/16) cos((2y + 1)vπ/16), C(0) = 1/√2, C(k &gt; 0) = 1
/// (ITU-T T.81 A.3.3); the output is level-shifted by +128, rounded and clamped to 0..255.
/// Algorithm: C. Loeffler, A. Ligtenberg, G. Moschytz, "Practical fast 1-D DCT algorithms with 11
/// multiplications", ICASSP 1989.
/// </remarks>
internal static class InverseDct
{
    private const int ConstBits = 13, Pass1Bits = 2;
    private const int F0298 = 2446, F0390 = 3196, F0541 = 4433, F0765 = 6270, F0899 = 7373, F1175 = 9633;
    private const int F1501 = 12299, F1847 = 15137, F1961 = 16069, F2053 = 16819, F2562 = 20995, F3072 = 25172;

    /// <summary>Dequantises <paramref name="coefficients"/> (natural order) with <paramref name="quant"/> and writes the
    /// 8×8 samples to <paramref name="output"/> at <paramref name="offset"/> with row pitch <paramref name="stride"/>.</summary>
    public static void Transform(ReadOnlySpan<short> coefficients, ReadOnlySpan<ushort> quant, byte[] output, int offset, int stride)
    {
        Span<int> ws = stackalloc int[64];
        Span<int> v = stackalloc int[8];
        for (int col = 0; col < 8; col++)
        {
            for (int k = 0; k < 8; k++) v[k] = coefficients[k * 8 + col] * quant[k * 8 + col];
            Butterfly(v, ConstBits - Pass1Bits);
            for (int k = 0; k < 8; k++) ws[k * 8 + col] = v[k];
        }
        for (int row = 0; row < 8; row++)
        {
            ws.Slice(row * 8, 8).CopyTo(v);
            Butterfly(v, ConstBits + Pass1Bits + 3);
            for (int k = 0; k < 8; k++) output[offset + row * stride + k] = (byte)Math.Clamp(v[k] + 128, 0, 255);
        }
    }

    /// <summary>One 8-point 1-D IDCT in place, descaling the result by 2^<paramref name="shift"/> with rounding.</summary>
    private static void Butterfly(Span<int> v, int shift)
    {
        // Even part: inputs 0, 2, 4, 6.
        int z2 = v[2], z3 = v[6];
        int z1 = (z2 + z3) * F0541;
        int tmp2 = z1 - z3 * F1847;
        int tmp3 = z1 + z2 * F0765;
        int tmp0 = (v[0] + v[4]) << ConstBits;
        int tmp1 = (v[0] - v[4]) << ConstBits;
        int tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
        // Odd part: inputs 7, 5, 3, 1.
        int o0 = v[7], o1 = v[5], o2 = v[3], o3 = v[1];
        int a1 = o0 + o3, a2 = o1 + o2, a3 = o0 + o2, a4 = o1 + o3;
        int z5 = (a3 + a4) * F1175;
        o0 *= F0298;
        o1 *= F2053;
        o2 *= F3072;
        o3 *= F1501;
        a1 *= -F0899;
        a2 *= -F2562;
        a3 = a3 * -F1961 + z5;
        a4 = a4 * -F0390 + z5;
        o0 += a1 + a3;
        o1 += a2 + a4;
        o2 += a2 + a3;
        o3 += a1 + a4;
        int round = 1 << (shift - 1);
        v[0] = (tmp10 + o3 + round) >> shift;
        v[7] = (tmp10 - o3 + round) >> shift;
        v[1] = (tmp11 + o2 + round) >> shift;
        v[6] = (tmp11 - o2 + round) >> shift;
        v[2] = (tmp12 + o1 + round) >> shift;
        v[5] = (tmp12 - o1 + round) >> shift;
        v[3] = (tmp13 + o0 + round) >> shift;
        v[4] = (tmp13 - o0 + round) >> shift;
    }

    /// <summary>Basis[x * 8 + u] = C(u)/2 · cos((2x + 1)uπ/16).</summary>
    private static readonly double[] Basis = BuildBasis();

    private static double[] BuildBasis()
    {
        var b = new double[64];
        for (int x = 0; x < 8; x++)
            for (int u = 0; u < 8; u++)
                b[x * 8 + u] = (u == 0 ? Math.Sqrt(0.5) : 1.0) / 2 * Math.Cos((2 * x + 1) * u * Math.PI / 16);
        return b;
    }

    /// <summary>The same contract as <see cref="Transform"/>, computed from the definition in double precision.</summary>
    public static void TransformExact(ReadOnlySpan<short> coefficients, ReadOnlySpan<ushort> quant, byte[] output, int offset, int stride)
    {
        Span<double> tmp = stackalloc double[64];
        Span<double> f = stackalloc double[64];
        for (int i = 0; i < 64; i++) f[i] = coefficients[i] * quant[i];
        // Rows: tmp[v, x] = Σ_u Basis[x, u] F[v, u]
        for (int v = 0; v < 8; v++)
        {
            var row = f.Slice(v * 8, 8);
            for (int x = 0; x < 8; x++)
            {
                double s = 0;
                for (int u = 0; u < 8; u++) s += Basis[x * 8 + u] * row[u];
                tmp[v * 8 + x] = s;
            }
        }
        // Columns: out[y, x] = Σ_v Basis[y, v] tmp[v, x]
        for (int x = 0; x < 8; x++)
            for (int y = 0; y < 8; y++)
            {
                double s = 0;
                for (int v = 0; v < 8; v++) s += Basis[y * 8 + v] * tmp[v * 8 + x];
                int value = (int)Math.Floor(s + 128.5);
                output[offset + y * stride + x] = (byte)Math.Clamp(value, 0, 255);
            }
    }
}
