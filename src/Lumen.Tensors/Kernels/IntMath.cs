namespace Lumen.Tensors.Kernels;

/// <summary>The integer rounding the kernels' blocking uses, for non-negative operands.</summary>
internal static class IntMath
{
    /// <summary>⌈a / b⌉ for a ≥ 0, b &gt; 0.</summary>
    public static int CeilDiv(int a, int b) => (a + b - 1) / b;

    /// <summary><paramref name="value"/> rounded up to a multiple of <paramref name="multiple"/> (both ≥ 0, multiple &gt; 0).</summary>
    public static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
