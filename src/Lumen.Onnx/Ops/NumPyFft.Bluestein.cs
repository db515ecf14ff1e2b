namespace Lumen.Onnx.Ops;

internal sealed partial class NumPyFft<T>
{
    /// <summary>Whether pocketfft's complex plan runs Bluestein's algorithm for <paramref name="n"/> points: only for
    /// n ≥ 50 with a prime factor p, p² &gt; n, and when 1.5·2·cost(n₂) &lt; cost(n) with n₂ the smallest 11-smooth
    /// length ≥ 2n − 1 and cost(m) = m·Σ over the prime factors f of m of (f ≤ 5 ? f : 1.1·f).</summary>
    internal static bool PrefersBluestein(int n)
    {
        long prime = n < 50 ? 0 : LargestPrimeFactor(n);
        if (prime * prime <= n) return false;
        return 1.5 * (2 * CostGuess(GoodSize(2L * n - 1))) < CostGuess(n);
    }

    private static long LargestPrimeFactor(long n)
    {
        long result = 1;
        while ((n & 1) == 0) { result = 2; n >>= 1; }
        for (long x = 3; x * x <= n; x += 2)
            while (n % x == 0) { result = x; n /= x; }
        return n > 1 ? n : result;
    }

    private static double CostGuess(long n)
    {
        const double penalty = 1.1; // for factors without a hard-coded pass
        long all = n;
        double result = 0;
        while ((n & 1) == 0) { result += 2; n >>= 1; }
        for (long x = 3; x * x <= n; x += 2)
            while (n % x == 0) { result += x <= 5 ? x : penalty * x; n /= x; }
        if (n > 1) result += n <= 5 ? n : penalty * n;
        return result * all;
    }

    /// <summary>The smallest 2ᵃ3ᵇ5ᶜ7ᵈ11ᵉ ≥ <paramref name="n"/>.</summary>
    internal static long GoodSize(long n)
    {
        if (n <= 12) return n;
        long best = 2 * n;
        for (long f11 = 1; f11 < best; f11 *= 11)
            for (long f117 = f11; f117 < best; f117 *= 7)
                for (long f1175 = f117; f1175 < best; f1175 *= 5)
                {
                    long x = f1175;
                    while (x < n) x *= 2;
                    while (true)
                    {
                        if (x < n) x *= 3;
                        else if (x > n)
                        {
                            if (x < best) best = x;
                            if ((x & 1) != 0) break;
                            x >>= 1;
                        }
                        else return n;
                    }
                }
        return best;
    }

    /// <summary>
    /// Bluestein's algorithm as pocketfft runs it: with b_m = e^(iπm²/n), y = b̄ ⊙ IFFT(FFT(x ⊙ b̄) ⊙ FFT(b)/n₂) for the
    /// forward transform (conjugates swapped for the backward one), the convolution of length n₂ ≥ 2n − 1 done by
    /// the Cooley–Tukey plan. L. Bluestein, "A linear filtering approach to the computation of discrete Fourier
    /// transform", IEEE Trans. Audio Electroacoust. 1970.
    /// </summary>
    private sealed class Bluestein
    {
        private readonly int n, n2;
        private readonly NumPyFft<T> plan;
        private readonly Cx[] bk, bkf;

        public Bluestein(int n)
        {
            this.n = n;
            n2 = checked((int)GoodSize(2L * n - 1));
            plan = new NumPyFft<T>(n2, allowBluestein: false);
            var roots = new UnitRoots(2 * n);
            bk = new Cx[n];
            bk[0] = new Cx(T.One, T.Zero);
            long coefficient = 0;
            for (int m = 1; m < n; m++)
            {
                coefficient += 2 * m - 1; // m² mod 2n
                if (coefficient >= 2 * n) coefficient -= 2 * n;
                bk[m] = roots[(int)coefficient];
            }
            var spectrum = new Cx[n2];
            T scale = T.One / T.CreateChecked(n2);
            spectrum[0] = bk[0].Scale(scale);
            for (int m = 1; m < n; m++) spectrum[m] = spectrum[n2 - m] = bk[m].Scale(scale);
            plan.Run(spectrum, forward: true, T.One);
            bkf = spectrum[..(n2 / 2 + 1)];
        }

        public void Transform(Span<Cx> c, bool forward, T scale)
        {
            var a = new Cx[n2];
            for (int m = 0; m < n; m++) a[m] = c[m].Twiddle(bk[m], forward);
            var zero = a[0].Scale(T.Zero);
            for (int m = n; m < n2; m++) a[m] = zero;
            plan.Run(a, forward: true, T.One);
            a[0] = a[0].Twiddle(bkf[0], !forward);
            for (int m = 1; m < (n2 + 1) / 2; m++)
            {
                a[m] = a[m].Twiddle(bkf[m], !forward);
                a[n2 - m] = a[n2 - m].Twiddle(bkf[m], !forward);
            }
            if ((n2 & 1) == 0) a[n2 / 2] = a[n2 / 2].Twiddle(bkf[n2 / 2], !forward);
            plan.Run(a, forward: false, T.One);
            for (int m = 0; m < n; m++) c[m] = a[m].Twiddle(bk[m], forward).Scale(scale);
        }
    }
}
