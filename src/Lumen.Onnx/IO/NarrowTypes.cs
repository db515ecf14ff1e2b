using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.IO;

/// <summary>
/// ONNX's narrow element types — the float8 family, float4 (E2M1), the power-of-two scale type E8M0 and the packed
/// 4-bit and 2-bit integers — decoded from their bit patterns and rounded to from wider values. Lumen holds such
/// values widened (floats in Float32, integers in Int64) but always exactly representable in the declared type.
/// </summary>
/// <remarks>
/// A float format with e exponent bits, m mantissa bits and bias b holds normal values 2^(E−b)·(1 + M/2^m) and
/// subnormals 2^(1−b)·M/2^m. Rounding is to nearest, ties to even: with E = max(⌊log2 |x|⌋, 1 − b) the quantum is
/// 2^(E−m) and the result is RNE(x / quantum)·quantum. A result above the largest finite value saturates to it
/// (Cast's <c>saturate=1</c>, always for float4), or becomes ∞ (E5M2) or NaN (the FN/FNUZ types) without
/// saturation; ∞ is treated the same way. See the ONNX specification "Float stored in 8 bits" and
/// Micikevicius et al., "FP8 Formats for Deep Learning", 2022.
/// </remarks>
internal static class NarrowTypes
{
    private sealed record FloatFormat(int MantissaBits, int MinExponent, double MaxFinite, bool KeepsInfinity);

    private static readonly float[] E4M3FnTable = BuildTable(256, b => Decode(b, 4, 3, 7, nanAllOnes: true, fnuz: false, inf: false));
    private static readonly float[] E4M3FnuzTable = BuildTable(256, b => Decode(b, 4, 3, 8, nanAllOnes: false, fnuz: true, inf: false));
    private static readonly float[] E5M2Table = BuildTable(256, b => Decode(b, 5, 2, 15, nanAllOnes: false, fnuz: false, inf: true));
    private static readonly float[] E5M2FnuzTable = BuildTable(256, b => Decode(b, 5, 2, 16, nanAllOnes: false, fnuz: true, inf: false));
    private static readonly float[] E2M1Table = BuildTable(16, b => Decode(b, 2, 1, 1, nanAllOnes: false, fnuz: false, inf: false));

    /// <summary>True for the types this class handles.</summary>
    public static bool Handles(int dataType) => dataType is >= (int)DataType.Float8E4M3Fn and <= (int)DataType.Int2;

    /// <summary>True for a narrow float type (held in Float32).</summary>
    public static bool IsFloat(int dataType) => dataType is (int)DataType.Float8E4M3Fn or (int)DataType.Float8E4M3Fnuz
        or (int)DataType.Float8E5M2 or (int)DataType.Float8E5M2Fnuz or (int)DataType.Float4E2M1 or (int)DataType.Float8E8M0;

    /// <summary>Bits per element: 8, 4 or 2.</summary>
    public static int BitsOf(int dataType) => dataType switch
    {
        (int)DataType.Uint4 or (int)DataType.Int4 or (int)DataType.Float4E2M1 => 4,
        (int)DataType.Uint2 or (int)DataType.Int2 => 2,
        _ => 8,
    };

    /// <summary>Bytes needed for <paramref name="count"/> packed elements.</summary>
    public static long ByteCount(int dataType, long count) => (count * BitsOf(dataType) + 7) / 8;

    /// <summary>Unpacks element codes (low bits first within each byte) from raw bytes.</summary>
    public static int[] Unpack(ReadOnlySpan<byte> bytes, int dataType, int count)
    {
        int bits = BitsOf(dataType), perByte = 8 / bits, mask = (1 << bits) - 1;
        var codes = new int[count];
        for (int i = 0; i < count; i++) codes[i] = (bytes[i / perByte] >> (i % perByte * bits)) & mask;
        return codes;
    }

    /// <summary>The value of one element code of a narrow float type.</summary>
    public static float DecodeFloat(int code, int dataType) => dataType switch
    {
        (int)DataType.Float8E4M3Fn => E4M3FnTable[code],
        (int)DataType.Float8E4M3Fnuz => E4M3FnuzTable[code],
        (int)DataType.Float8E5M2 => E5M2Table[code],
        (int)DataType.Float8E5M2Fnuz => E5M2FnuzTable[code],
        (int)DataType.Float4E2M1 => E2M1Table[code],
        _ => code == 255 ? float.NaN : MathF.ScaleB(1f, code - 127),
    };

    /// <summary>The value of one element code of a narrow integer type (sign-extended for INT4/INT2).</summary>
    public static long DecodeInteger(int code, int dataType) => dataType switch
    {
        (int)DataType.Int4 => code >= 8 ? code - 16 : code,
        (int)DataType.Int2 => code >= 2 ? code - 4 : code,
        _ => code,
    };

    /// <summary>Wraps an integer into a narrow integer type's range (two's complement, as Cast does).</summary>
    public static long WrapInteger(long v, int dataType) => dataType switch
    {
        (int)DataType.Int4 => ((v & 15) ^ 8) - 8,
        (int)DataType.Uint4 => v & 15,
        (int)DataType.Int2 => ((v & 3) ^ 2) - 2,
        _ => v & 3,
    };

    /// <summary>Clamps an integer into a narrow integer type's range (QuantizeLinear's saturation).</summary>
    public static long ClampInteger(long v, int dataType) => dataType switch
    {
        (int)DataType.Int4 => Math.Clamp(v, -8, 7),
        (int)DataType.Uint4 => Math.Clamp(v, 0, 15),
        (int)DataType.Int2 => Math.Clamp(v, -2, 1),
        _ => Math.Clamp(v, 0, 3),
    };

    /// <summary>Rounds <paramref name="v"/> to the nearest value of a narrow float type (ties to even).</summary>
    /// <param name="v">The value.</param>
    /// <param name="dataType">A float8 or float4 type (E8M0 uses <see cref="RoundToE8M0"/>).</param>
    /// <param name="saturate">Clamp out-of-range values to the largest finite value (Cast's default).</param>
    public static float RoundFloat(float v, int dataType, bool saturate)
    {
        var format = FormatOf(dataType);
        bool fp4 = dataType == (int)DataType.Float4E2M1;
        if (float.IsNaN(v)) return fp4 ? -0f : float.NaN;
        if (float.IsInfinity(v))
        {
            if (saturate || fp4) return MathF.CopySign((float)format.MaxFinite, v);
            return format.KeepsInfinity ? v : float.NaN;
        }
        if (v == 0) return v;
        double a = Math.Abs((double)v);
        int exponent = Math.Max(Math.ILogB(a), format.MinExponent);
        double quantum = Math.ScaleB(1.0, exponent - format.MantissaBits);
        double r = Math.Round(a / quantum, MidpointRounding.ToEven) * quantum;
        if (r > format.MaxFinite)
            r = saturate || fp4 ? format.MaxFinite : format.KeepsInfinity ? double.PositiveInfinity : double.NaN;
        return (float)Math.CopySign(r, v);
    }

    /// <summary>Rounds a positive value to a power of two (E8M0), per Cast's <c>round_mode</c>: "up" (default),
    /// "down" or "nearest" (ties and above the midpoint of the mantissa round up).</summary>
    public static float RoundToE8M0(float v, string roundMode, bool saturate)
    {
        if (float.IsNaN(v)) return float.NaN;
        if (float.IsInfinity(v)) return saturate ? MathF.ScaleB(1f, 127) : float.NaN;
        uint bits = BitConverter.SingleToUInt32Bits(v) & 0x7FFFFFFF;
        int exponent = (int)(bits >> 23);
        uint mantissa = bits & 0x7FFFFF;
        if (exponent == 0) return MathF.ScaleB(1f, -127);
        bool up = roundMode switch
        {
            "down" => false,
            "nearest" => mantissa >= 0x400000,
            _ => mantissa != 0,
        };
        if (up) exponent++;
        if (exponent >= 255) return saturate ? MathF.ScaleB(1f, 127) : float.NaN;
        return MathF.ScaleB(1f, exponent - 127);
    }

    private static FloatFormat FormatOf(int dataType) => dataType switch
    {
        (int)DataType.Float8E4M3Fn => new(3, -6, 448, false),
        (int)DataType.Float8E4M3Fnuz => new(3, -7, 240, false),
        (int)DataType.Float8E5M2 => new(2, -14, 57344, true),
        (int)DataType.Float8E5M2Fnuz => new(2, -15, 57344, false),
        (int)DataType.Float4E2M1 => new(1, 0, 6, false),
        _ => throw new ArgumentException($"element type {OnnxTensors.TypeName(dataType)} is not a float8/float4 type."),
    };

    private static float[] BuildTable(int count, Func<int, float> decode) => [.. Enumerable.Range(0, count).Select(decode)];

    private static float Decode(int code, int exponentBits, int mantissaBits, int bias, bool nanAllOnes, bool fnuz, bool inf)
    {
        int signBit = 1 << (exponentBits + mantissaBits);
        int exponentMask = (1 << exponentBits) - 1, mantissaMask = (1 << mantissaBits) - 1;
        if (fnuz && code == signBit) return float.NaN;
        int e = (code >> mantissaBits) & exponentMask, m = code & mantissaMask;
        float sign = (code & signBit) != 0 ? -1f : 1f;
        if (nanAllOnes && e == exponentMask && m == mantissaMask) return float.NaN;
        if (inf && e == exponentMask) return m == 0 ? sign * float.PositiveInfinity : float.NaN;
        float magnitude = e == 0
            ? MathF.ScaleB(m, 1 - bias - mantissaBits)
            : MathF.ScaleB((1 << mantissaBits) + m, e - bias - mantissaBits);
        return sign * magnitude;
    }
}
