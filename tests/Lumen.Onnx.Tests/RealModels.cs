using System.IO.Compression;
using System.Text.Json;
using Lumen.Tensors;

namespace Lumen.Onnx.Tests;

/// <summary>Inputs and references for the shipped models: P6 PPM decoding, per-model preprocessing, MNIST IDX digits.</summary>
internal static class RealModels
{
    public static readonly string[] Images = ["astronaut", "bird", "cat", "coffee", "grace_hopper", "kitten"];

    /// <summary>Model file (under shared/models) and its reference prefix, preprocessing and whether inputs are BGR.</summary>
    public static readonly (string File, string Reference, Func<byte, float> Pixel, bool Bgr)[] ImageNet =
    [
        ("imagenet/squeezenet1.0-fp32.onnx", "squeezenet1.0-fp32", p => p, true),
        ("imagenet/squeezenet1.0-fp16.onnx", "squeezenet1.0-fp32", p => p, true),
        ("imagenet/tiny-darknet.onnx", "tiny-darknet", p => p / 255f, false),
        ("imagenet/mobilenetv2-1.0-224.onnx", "mobilenetv2-1.0-224", p => (p - 127.5f) / 127.5f, false),
    ];

    /// <summary>Decodes a binary P6 PPM into [1, 3, H, W] with the given per-pixel mapping and channel order.</summary>
    public static Tensor LoadPpm(string path, Func<byte, float> pixel, bool bgr)
    {
        var bytes = File.ReadAllBytes(path);
        int pos = 0;
        string Token()
        {
            while (pos < bytes.Length && (char.IsWhiteSpace((char)bytes[pos]) || bytes[pos] == '#'))
            {
                if (bytes[pos] == '#') while (pos < bytes.Length && bytes[pos] != '\n') pos++;
                else pos++;
            }
            int start = pos;
            while (pos < bytes.Length && !char.IsWhiteSpace((char)bytes[pos])) pos++;
            return System.Text.Encoding.ASCII.GetString(bytes, start, pos - start);
        }
        if (Token() != "P6") throw new InvalidDataException($"{path}: not a binary PPM (P6).");
        int width = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        int height = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        if (Token() != "255") throw new InvalidDataException($"{path}: only 8-bit PPM is supported.");
        pos++; // the single whitespace after maxval
        var data = new float[3 * height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                {
                    int channel = bgr ? 2 - c : c;
                    data[(channel * height + y) * width + x] = pixel(bytes[pos + (y * width + x) * 3 + c]);
                }
        return Tensor.FromArray(data, 1, 3, height, width);
    }

    public static float[] ReadF32(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    /// <summary>MNIST digit <paramref name="index"/> from the gzipped IDX file as [1, 1, 28, 28] raw 0..255.</summary>
    public static Tensor MnistDigit(string gzPath, int index)
    {
        using var gz = new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        var bytes = ms.ToArray();
        const int header = 16, size = 28 * 28;
        var data = new float[size];
        for (int i = 0; i < size; i++) data[i] = bytes[header + index * size + i];
        return Tensor.FromArray(data, 1, 1, 28, 28);
    }

    /// <summary>The (index, logits) cases of the MNIST reference file.</summary>
    public static List<(int Index, float[] Logits)> MnistReference(string jsonPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(jsonPath));
        return [.. doc.RootElement.GetProperty("cases").EnumerateArray().Select(c =>
            (c.GetProperty("index").GetInt32(), c.GetProperty("output_Plus214_Output_0").EnumerateArray().Select(v => v.GetSingle()).ToArray()))];
    }

    public static float MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
