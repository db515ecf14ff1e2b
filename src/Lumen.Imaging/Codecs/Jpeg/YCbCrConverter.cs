namespace Lumen.Imaging;

/// <summary>
/// JFIF YCbCr → RGB in 16-bit fixed point, with the same constants and rounding as libjpeg's jdcolor.c:
/// R = Y + 1.402 (Cr − 128), G = Y − 0.34414 (Cb − 128) − 0.71414 (Cr − 128), B = Y + 1.772 (Cb − 128).
/// </summary>
internal static class YCbCrConverter
{
    private const int ScaleBits = 16;
    private const int Half = 1 << (ScaleBits - 1);
    private static readonly int[] CrToR = new int[256], CbToB = new int[256], CrToG = new int[256], CbToG = new int[256];

    static YCbCrConverter()
    {
        for (int i = 0; i < 256; i++)
        {
            int x = i - 128;
            CrToR[i] = (Fix(1.40200) * x + Half) >> ScaleBits;
            CbToB[i] = (Fix(1.77200) * x + Half) >> ScaleBits;
            CrToG[i] = -Fix(0.71414) * x;
            CbToG[i] = -Fix(0.34414) * x + Half;
        }
    }

    private static int Fix(double v) => (int)(v * (1 << ScaleBits) + 0.5);

    /// <summary>Converts planar Y, Cb, Cr (each <paramref name="count"/> samples) to interleaved RGB.</summary>
    public static void ToRgb(byte[] y, byte[] cb, byte[] cr, byte[] rgb, int count)
    {
        for (int i = 0; i < count; i++)
        {
            int l = y[i], b = cb[i], r = cr[i];
            rgb[3 * i] = Clamp(l + CrToR[r]);
            rgb[3 * i + 1] = Clamp(l + ((CbToG[b] + CrToG[r]) >> ScaleBits));
            rgb[3 * i + 2] = Clamp(l + CbToB[b]);
        }
    }

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);
}
