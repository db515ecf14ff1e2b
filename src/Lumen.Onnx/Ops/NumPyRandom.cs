namespace Lumen.Onnx.Ops;

/// <summary>
/// NumPy's legacy <c>RandomState(seed)</c> stream: MT19937 initialised with <c>init_genrand(seed)</c>, doubles in
/// [0, 1) from two 32-bit words, (a ≫ 5)·2²⁶ + (b ≫ 6) over 2⁵³ (<c>random_sample</c>). The ONNX reference
/// implementation draws seeded random ops from this stream, so matching it makes their outputs reproducible.
/// </summary>
/// <remarks>Matsumoto and Nishimura, "Mersenne Twister: a 623-dimensionally equidistributed uniform pseudo-random
/// number generator", ACM TOMACS 1998.</remarks>
internal sealed class NumPyRandom
{
    private const int N = 624, M = 397;
    private readonly uint[] state = new uint[N];
    private int next = N;

    public NumPyRandom(uint seed)
    {
        state[0] = seed;
        for (int i = 1; i < N; i++) state[i] = 1812433253u * (state[i - 1] ^ (state[i - 1] >> 30)) + (uint)i;
    }

    /// <summary>The next 32-bit output.</summary>
    public uint NextUInt32()
    {
        if (next >= N)
        {
            for (int k = 0; k < N; k++)
            {
                uint y = (state[k] & 0x80000000u) | (state[(k + 1) % N] & 0x7fffffffu);
                state[k] = state[(k + M) % N] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
            }
            next = 0;
        }
        uint z = state[next++];
        z ^= z >> 11;
        z ^= (z << 7) & 0x9d2c5680u;
        z ^= (z << 15) & 0xefc60000u;
        z ^= z >> 18;
        return z;
    }

    /// <summary>The next double in [0, 1) with 53 random bits.</summary>
    public double NextDouble()
    {
        uint a = NextUInt32() >> 5, b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }
}
