namespace Lumen.Attribution.Tests;

internal static class GradAssert
{
    public static void Close(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
                throw new Xunit.Sdk.XunitException($"At {i}: expected {expected[i]}, actual {actual[i]} (tolerance {tolerance}).");
    }
}
