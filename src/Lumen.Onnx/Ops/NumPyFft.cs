using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Lumen.Onnx.Ops;

/// <summary>
/// The complex FFT that NumPy 2 runs for <c>np.fft.fft</c>/<c>ifft</c>: pocketfft's mixed-radix Cooley–Tukey plan
/// (<c>cfftp</c>), reproduced operation by operation in precision <typeparamref name="T"/> so that its rounding is
/// reproduced too — float for complex64 input, double for complex128 (and for float32 real input, which NumPy promotes
/// to complex128). The ONNX DFT test outputs were made this way: an exact 0 of the inverse DFT of a complex64 signal
/// comes out as 2⁻¹⁹/10 ≈ 1.9e-7, which exceeds the conformance tolerance (atol 1e-7), so only the same arithmetic passes.
/// </summary>
/// <remarks>
/// Factors: 8s, then 4s, then one 2 (moved to the front), then odd divisors in increasing order and a final prime.
/// Passes for 2, 4 and 8 are radix butterflies; 3, 5, 7 and 11 the hard-coded odd butterflies (pairs
/// s_m = x_m + x_(p−m), d_m = x_m − x_(p−m), constants cos/sin(2πq/p) rounded once to T); any other factor the generic
/// O(p²) pass. Twiddles e^(±2πik/n) are computed in double from a two-level table of octant-reduced sines and cosines
/// and rounded to T; the result is multiplied by <c>scale</c> at the end (NumPy passes 1/n, rounded to T, for the
/// inverse). For n ≥ 50 whose largest prime factor p has p² &gt; n, pocketfft may instead run Bluestein's algorithm
/// (a chirp convolution through a Cooley–Tukey transform of an 11-smooth length ≥ 2n − 1) when its cost estimate is
/// lower, and so does this class.
/// Reference: M. Reinecke, pocketfft (C++ header-only version, as vendored by NumPy 2); P. N. Swarztrauber,
/// "Vectorizing the FFTs", Parallel Computations 1982 (FFTPACK).
/// </remarks>
internal sealed partial class NumPyFft<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Cx(T R, T I)
    {
        public static Cx operator +(Cx a, Cx b) => new(a.R + b.R, a.I + b.I);
        public static Cx operator -(Cx a, Cx b) => new(a.R - b.R, a.I - b.I);
        public Cx Scale(T s) => new(R * s, I * s);

        // i·a (backward) or −i·a (forward): pocketfft's ROTX90.
        public Cx Rot90(bool forward) => forward ? new(I, -R) : new(-I, R);

        // a·w (backward) or a·conj(w) (forward): pocketfft's special_mul.
        public Cx Twiddle(Cx w, bool forward) => forward
            ? new(R * w.R + I * w.I, I * w.R - R * w.I)
            : new(R * w.R - I * w.I, R * w.I + I * w.R);
    }

    // cos(2πq/p) and sin(2πq/p) for q = 1…(p − 1)/2, to 34 digits, rounded once to T (as pocketfft's constants are).
    private static readonly Dictionary<int, (T[] Cos, T[] Sin)> OddConstants = new()
    {
        [3] = (Parse("-0.5"), Parse("0.8660254037844386467637231707529362")),
        [5] = (Parse("0.3090169943749474241022934171828191", "-0.8090169943749474241022934171828191"),
               Parse("0.9510565162951535721164393333793821", "0.5877852522924731291687059546390728")),
        [7] = (Parse("0.6234898018587335305250048840042398", "-0.2225209339563144042889025644967948", "-0.9009688679024191262361023195074451"),
               Parse("0.7818314824680298087084445266740578", "0.9749279121818236070181316829939312", "0.433883739117558120475768332848359")),
        [11] = (Parse("0.8412535328311811688618116489193677", "0.4154150130018864255292741492296232", "-0.1423148382732851404437926686163697",
                      "-0.6548607339452850640569250724662936", "-0.9594929736144973898903680570663277"),
                Parse("0.5406408174555975821076359543186917", "0.9096319953545183714117153830790285", "0.9898214418809327323760920377767188",
                      "0.7557495743542582837740358439723444", "0.2817325568414296977114179153466169")),
    };

    private static readonly T Sqrt1Over2 = Parse("0.707106781186547524400844362104849")[0];

    private static T[] Parse(params string[] values) => [.. values.Select(v => T.Parse(v, CultureInfo.InvariantCulture))];

    private sealed record Pass(int Factor, Cx[] Twiddles, Cx[]? Roots);

    private readonly int length;
    private readonly Pass[] passes;
    private readonly Bluestein? bluestein;

    /// <summary>Plans a transform of <paramref name="length"/> points.</summary>
    public NumPyFft(int length) : this(length, allowBluestein: true) { }

    private NumPyFft(int length, bool allowBluestein)
    {
        if (length <= 0) throw new ArgumentException($"FFT: the length must be positive, got {length}.");
        this.length = length;
        if (length == 1) { passes = []; return; }
        if (allowBluestein && PrefersBluestein(length))
        {
            passes = [];
            bluestein = new Bluestein(length);
            return;
        }
        var roots = new UnitRoots(length);
        var factors = Factorize(length);
        passes = new Pass[factors.Count];
        int l1 = 1;
        for (int k = 0; k < factors.Count; k++)
        {
            int ip = factors[k], ido = length / (l1 * ip);
            var twiddles = new Cx[(ip - 1) * (ido - 1)];
            for (int j = 1; j < ip; j++)
                for (int i = 1; i < ido; i++) twiddles[(j - 1) * (ido - 1) + i - 1] = roots[j * l1 * i];
            Cx[]? generic = null;
            if (ip > 11)
            {
                generic = new Cx[ip];
                for (int j = 0; j < ip; j++) generic[j] = roots[j * l1 * ido];
            }
            passes[k] = new Pass(ip, twiddles, generic);
            l1 *= ip;
        }
    }

    /// <summary>
    /// Transforms <paramref name="data"/> (interleaved real, imaginary; 2·length values) in place:
    /// forward Y[k] = scale·Σ x[t]·e^(−2πikt/n), backward Y[k] = scale·Σ x[t]·e^(+2πikt/n).
    /// </summary>
    public void Transform(Span<T> data, bool forward, T scale)
    {
        if (data.Length != 2 * length) throw new ArgumentException($"FFT: expected {2 * length} interleaved values, got {data.Length}.");
        Run(MemoryMarshal.Cast<T, Cx>(data), forward, scale);
    }

    // pocketfft's pass_all (or Bluestein's algorithm) on complex values.
    private void Run(Span<Cx> c, bool forward, T scale)
    {
        if (length == 1) { c[0] = c[0].Scale(scale); return; }
        if (bluestein is not null) { bluestein.Transform(c, forward, scale); return; }
        var scratch = new Cx[length];
        Span<Cx> p1 = c, p2 = scratch;
        bool inScratch = false;
        int l1 = 1;
        foreach (var pass in passes)
        {
            int ip = pass.Factor, ido = length / (l1 * ip);
            switch (ip)
            {
                case 2: Pass2(ido, l1, p1, p2, pass.Twiddles, forward); break;
                case 4: Pass4(ido, l1, p1, p2, pass.Twiddles, forward); break;
                case 8: Pass8(ido, l1, p1, p2, pass.Twiddles, forward); break;
                case 3 or 5 or 7 or 11: PassOdd(ip, ido, l1, p1, p2, pass.Twiddles, forward); break;
                default:
                    PassGeneric(ip, ido, l1, p1, p2, pass.Twiddles, pass.Roots!, forward);
                    l1 *= ip;
                    continue; // the generic pass leaves its result in p1
            }
            var swap = p1; p1 = p2; p2 = swap;
            inScratch = !inScratch;
            l1 *= ip;
        }
        if (inScratch)
        {
            for (int i = 0; i < length; i++) c[i] = scale != T.One ? p1[i].Scale(scale) : p1[i];
        }
        else if (scale != T.One)
        {
            for (int i = 0; i < length; i++) c[i] = c[i].Scale(scale);
        }
    }

    private static List<int> Factorize(int n)
    {
        var factors = new List<int>();
        while ((n & 7) == 0) { factors.Add(8); n >>= 3; }
        while ((n & 3) == 0) { factors.Add(4); n >>= 2; }
        if ((n & 1) == 0)
        {
            n >>= 1;
            factors.Add(2);
            (factors[0], factors[^1]) = (factors[^1], factors[0]);
        }
        for (int divisor = 3; divisor * divisor <= n; divisor += 2)
            while (n % divisor == 0) { factors.Add(divisor); n /= divisor; }
        if (n > 1) factors.Add(n);
        return factors;
    }

    // CH(a, b, c) = ch[a + ido·(b + l1·c)], CC(a, b, c) = cc[a + ido·(b + p·c)], WA(x, i) = wa[i − 1 + x·(ido − 1)].
    private static void Store(Span<Cx> ch, int ido, int l1, int i, int k, int u, Cx value, Cx[] wa, bool forward) =>
        ch[i + ido * (k + l1 * u)] = i == 0 || u == 0 ? value : value.Twiddle(wa[i - 1 + (u - 1) * (ido - 1)], forward);

    private static void Pass2(int ido, int l1, Span<Cx> cc, Span<Cx> ch, Cx[] wa, bool forward)
    {
        for (int k = 0; k < l1; k++)
            for (int i = 0; i < ido; i++)
            {
                Cx a = cc[i + ido * 2 * k], b = cc[i + ido * (1 + 2 * k)];
                Store(ch, ido, l1, i, k, 0, a + b, wa, forward);
                Store(ch, ido, l1, i, k, 1, a - b, wa, forward);
            }
    }

    private static void Pass4(int ido, int l1, Span<Cx> cc, Span<Cx> ch, Cx[] wa, bool forward)
    {
        for (int k = 0; k < l1; k++)
            for (int i = 0; i < ido; i++)
            {
                Cx c0 = cc[i + ido * 4 * k], c1 = cc[i + ido * (1 + 4 * k)], c2 = cc[i + ido * (2 + 4 * k)], c3 = cc[i + ido * (3 + 4 * k)];
                Cx t2 = c0 + c2, t1 = c0 - c2, t3 = c1 + c3, t4 = (c1 - c3).Rot90(forward);
                Store(ch, ido, l1, i, k, 0, t2 + t3, wa, forward);
                Store(ch, ido, l1, i, k, 1, t1 + t4, wa, forward);
                Store(ch, ido, l1, i, k, 2, t2 - t3, wa, forward);
                Store(ch, ido, l1, i, k, 3, t1 - t4, wa, forward);
            }
    }

    private static void Pass8(int ido, int l1, Span<Cx> cc, Span<Cx> ch, Cx[] wa, bool forward)
    {
        var h = Sqrt1Over2;
        Span<Cx> x = stackalloc Cx[8];
        for (int k = 0; k < l1; k++)
            for (int i = 0; i < ido; i++)
            {
                for (int m = 0; m < 8; m++) x[m] = cc[i + ido * (m + 8 * k)];
                Cx a1 = x[1] + x[5], a5 = x[1] - x[5], a3 = x[3] + x[7], a7 = (x[3] - x[7]).Rot90(forward);
                (a1, a3) = (a1 + a3, (a1 - a3).Rot90(forward));
                (a5, a7) = (a5 + a7, a5 - a7);
                a5 = forward ? new Cx(h * (a5.R + a5.I), h * (a5.I - a5.R)) : new Cx(h * (a5.R - a5.I), h * (a5.I + a5.R));     // ROTX45
                a7 = forward ? new Cx(h * (a7.I - a7.R), h * (-a7.R - a7.I)) : new Cx(h * (-a7.R - a7.I), h * (a7.R - a7.I)); // ROTX135
                Cx a0 = x[0] + x[4], a4 = x[0] - x[4], a2 = x[2] + x[6], a6 = (x[2] - x[6]).Rot90(forward);
                (a0, a2) = (a0 + a2, a0 - a2);
                (a4, a6) = (a4 + a6, a4 - a6);
                Store(ch, ido, l1, i, k, 0, a0 + a1, wa, forward);
                Store(ch, ido, l1, i, k, 4, a0 - a1, wa, forward);
                Store(ch, ido, l1, i, k, 2, a2 + a3, wa, forward);
                Store(ch, ido, l1, i, k, 6, a2 - a3, wa, forward);
                Store(ch, ido, l1, i, k, 1, a4 + a5, wa, forward);
                Store(ch, ido, l1, i, k, 5, a4 - a5, wa, forward);
                Store(ch, ido, l1, i, k, 3, a6 + a7, wa, forward);
                Store(ch, ido, l1, i, k, 7, a6 - a7, wa, forward);
            }
    }

    // pocketfft's pass3/5/7/11: with s_m = x_m + x_(p−m), d_m = x_m − x_(p−m) (m = 1…h, h = (p − 1)/2),
    // y_0 = x_0 + Σ s_m; for u = 1…h: a = x_0 + Σ cos(2πum/p)·s_m, b = ±i·Σ sin(2πum/p)·d_m, y_u = a + b, y_(p−u) = a − b,
    // every sum from left to right.
    private static void PassOdd(int p, int ido, int l1, Span<Cx> cc, Span<Cx> ch, Cx[] wa, bool forward)
    {
        int h = (p - 1) / 2;
        var (cos, sin) = OddConstants[p];
        T sign = forward ? -T.One : T.One;
        Span<Cx> s = stackalloc Cx[h + 1], d = stackalloc Cx[h + 1];
        for (int k = 0; k < l1; k++)
            for (int i = 0; i < ido; i++)
            {
                Cx x0 = cc[i + ido * p * k];
                for (int m = 1; m <= h; m++)
                {
                    Cx a = cc[i + ido * (m + p * k)], b = cc[i + ido * (p - m + p * k)];
                    s[m] = a + b;
                    d[m] = a - b;
                }
                Cx sum = x0;
                for (int m = 1; m <= h; m++) sum += s[m];
                Store(ch, ido, l1, i, k, 0, sum, wa, forward);
                for (int u = 1; u <= h; u++)
                {
                    T ar = x0.R, ai = x0.I, br = T.Zero, bi = T.Zero;
                    for (int m = 1; m <= h; m++)
                    {
                        int q = u * m % p;
                        T c = q <= h ? cos[q - 1] : cos[p - q - 1], sn = q <= h ? sign * sin[q - 1] : -(sign * sin[p - q - 1]);
                        ar += c * s[m].R;
                        ai += c * s[m].I;
                        if (m == 1) { bi = sn * d[m].R; br = sn * d[m].I; }
                        else { bi += sn * d[m].R; br += sn * d[m].I; }
                    }
                    Cx a = new(ar, ai), b = new(-br, bi);
                    Store(ch, ido, l1, i, k, u, a + b, wa, forward);
                    Store(ch, ido, l1, i, k, p - u, a - b, wa, forward);
                }
            }
    }

    // pocketfft's passg, for a factor p > 11 (and not 2, 4, 8): the result is left in cc, ch is scratch.
    private static void PassGeneric(int p, int ido, int l1, Span<Cx> cc, Span<Cx> ch, Cx[] wa, Cx[] roots, bool forward)
    {
        int half = (p + 1) / 2, idl1 = ido * l1;
        var wal = new Cx[p];
        wal[0] = new Cx(T.One, T.Zero);
        for (int i = 1; i < p; i++) wal[i] = new Cx(roots[i].R, forward ? -roots[i].I : roots[i].I);
        int CH(int a, int b, int c) => a + ido * (b + l1 * c);
        int CC(int a, int b, int c) => a + ido * (b + p * c);

        for (int k = 0; k < l1; k++)
            for (int i = 0; i < ido; i++) ch[CH(i, k, 0)] = cc[CC(i, 0, k)];
        for (int j = 1, jc = p - 1; j < half; j++, jc--)
            for (int k = 0; k < l1; k++)
                for (int i = 0; i < ido; i++)
                {
                    Cx a = cc[CC(i, j, k)], b = cc[CC(i, jc, k)];
                    ch[CH(i, k, j)] = a + b;
                    ch[CH(i, k, jc)] = a - b;
                }
        for (int k = 0; k < l1; k++)
            for (int i = 0; i < ido; i++)
            {
                Cx tmp = ch[CH(i, k, 0)];
                for (int j = 1; j < half; j++) tmp += ch[CH(i, k, j)];
                cc[CH(i, k, 0)] = tmp; // CX(i, k, 0)
            }
        for (int l = 1, lc = p - 1; l < half; l++, lc--)
        {
            for (int ik = 0; ik < idl1; ik++)
            {
                Cx h0 = ch[ik], h1 = ch[ik + idl1], h2 = ch[ik + 2 * idl1], hm1 = ch[ik + idl1 * (p - 1)], hm2 = ch[ik + idl1 * (p - 2)];
                cc[ik + idl1 * l] = new Cx(h0.R + wal[l].R * h1.R + wal[2 * l].R * h2.R, h0.I + wal[l].R * h1.I + wal[2 * l].R * h2.I);
                cc[ik + idl1 * lc] = new Cx(-wal[l].I * hm1.I - wal[2 * l].I * hm2.I, wal[l].I * hm1.R + wal[2 * l].I * hm2.R);
            }
            int iwal = 2 * l, j = 3, jc2 = p - 3;
            for (; j < half - 1; j += 2, jc2 -= 2)
            {
                iwal += l; if (iwal > p) iwal -= p;
                var w1 = wal[iwal];
                iwal += l; if (iwal > p) iwal -= p;
                var w2 = wal[iwal];
                for (int ik = 0; ik < idl1; ik++)
                {
                    Cx a = ch[ik + idl1 * j], b = ch[ik + idl1 * (j + 1)], c = ch[ik + idl1 * jc2], e = ch[ik + idl1 * (jc2 - 1)];
                    ref var x = ref cc[ik + idl1 * l];
                    ref var y = ref cc[ik + idl1 * lc];
                    x = new Cx(x.R + (a.R * w1.R + b.R * w2.R), x.I + (a.I * w1.R + b.I * w2.R));
                    y = new Cx(y.R - (c.I * w1.I + e.I * w2.I), y.I + (c.R * w1.I + e.R * w2.I));
                }
            }
            for (; j < half; j++, jc2--)
            {
                iwal += l; if (iwal > p) iwal -= p;
                var w = wal[iwal];
                for (int ik = 0; ik < idl1; ik++)
                {
                    Cx a = ch[ik + idl1 * j], c = ch[ik + idl1 * jc2];
                    ref var x = ref cc[ik + idl1 * l];
                    ref var y = ref cc[ik + idl1 * lc];
                    x = new Cx(x.R + a.R * w.R, x.I + a.I * w.R);
                    y = new Cx(y.R - c.I * w.I, y.I + c.R * w.I);
                }
            }
        }
        // Shuffling and twiddling.
        for (int j = 1, jc = p - 1; j < half; j++, jc--)
            for (int k = 0; k < l1; k++)
                for (int i = 0; i < ido; i++)
                {
                    Cx t1 = cc[CH(i, k, j)], t2 = cc[CH(i, k, jc)];
                    cc[CH(i, k, j)] = i == 0 ? t1 + t2 : (t1 + t2).Twiddle(wa[(j - 1) * (ido - 1) + i - 1], forward);
                    cc[CH(i, k, jc)] = i == 0 ? t1 - t2 : (t1 - t2).Twiddle(wa[(jc - 1) * (ido - 1) + i - 1], forward);
                }
    }

    /// <summary>e^(2πik/n) for k = 0…n − 1, as pocketfft's <c>sincos_2pibyn</c>: a table v1 of the first 2^shift roots and a
    /// table v2 of every 2^shift-th, each computed in double from an octant-reduced angle, multiplied in double and rounded.</summary>
    private sealed class UnitRoots
    {
        private readonly int n, shift, mask;
        private readonly (double R, double I)[] v1, v2;

        public UnitRoots(int n)
        {
            this.n = n;
            double angle = 0.25 * Math.PI / n;
            int count = (n + 2) / 2;
            shift = 1;
            while ((1L << shift) * (1L << shift) < count) shift++;
            mask = (1 << shift) - 1;
            v1 = new (double, double)[mask + 1];
            v1[0] = (1, 0);
            for (int i = 1; i < v1.Length; i++) v1[i] = Calc(i, n, angle);
            v2 = new (double, double)[(count + mask) / (mask + 1)];
            v2[0] = (1, 0);
            for (int i = 1; i < v2.Length; i++) v2[i] = Calc((long)i * (mask + 1), n, angle);
        }

        public Cx this[int index]
        {
            get
            {
                bool upper = 2L * index > n;
                if (upper) index = n - index;
                var (a, b) = (v1[index & mask], v2[index >> shift]);
                T re = T.CreateChecked(a.R * b.R - a.I * b.I), im = T.CreateChecked(a.R * b.I + a.I * b.R);
                return new Cx(re, upper ? -im : im);
            }
        }

        private static (double R, double I) Calc(long x, long n, double angle)
        {
            x <<= 3;
            if (x < 4 * n)
            {
                if (x < 2 * n) return x < n ? (Math.Cos(x * angle), Math.Sin(x * angle)) : (Math.Sin((2 * n - x) * angle), Math.Cos((2 * n - x) * angle));
                x -= 2 * n;
                return x < n ? (-Math.Sin(x * angle), Math.Cos(x * angle)) : (-Math.Cos((2 * n - x) * angle), Math.Sin((2 * n - x) * angle));
            }
            x = 8 * n - x;
            if (x < 2 * n) return x < n ? (Math.Cos(x * angle), -Math.Sin(x * angle)) : (Math.Sin((2 * n - x) * angle), -Math.Cos((2 * n - x) * angle));
            x -= 2 * n;
            return x < n ? (-Math.Sin(x * angle), -Math.Cos(x * angle)) : (-Math.Cos((2 * n - x) * angle), -Math.Sin((2 * n - x) * angle));
        }
    }
}
