using System.Numerics;
using Lumen.Onnx.IO;
using Lumen.Onnx.Ops;
using Lumen.Onnx.Schema;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Lumen.Tensors.Tests;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>NumPy's FFT (pocketfft's plan) against a direct double DFT for every kind of pass, its float32 rounding
/// noise against NumPy's own output, and the DFT op's values and gradients built on it.</summary>
public class NumPyFftTests
{
    // Lengths that exercise every pass: 2, 4, 8 and their mixes, the odd butterflies 3, 5, 7, 11 with and without
    // twiddles, the generic pass (13, 17, 97, 13² with twiddles), and Bluestein's algorithm (101, 202, 1009).
    public static TheoryData<int> Lengths() => [.. Enumerable.Range(1, 64), 77, 88, 97, 121, 169, 2 * 13 * 3, 17 * 4, 101, 202, 1009];

    [Fact]
    public void BluesteinIsChosenAsPocketfftChoosesIt()
    {
        // 101: cost 1.1·101² = 11221 > 1.5·2·cost(210) = 3·(2 + 3 + 5 + 7.7)·210 = 11151; 97: 10350 < 3·cost(196) = 11407.
        Assert.True(NumPyFft<float>.PrefersBluestein(101));
        Assert.False(NumPyFft<float>.PrefersBluestein(97));
        Assert.False(NumPyFft<float>.PrefersBluestein(47)); // below 50: never
        Assert.False(NumPyFft<float>.PrefersBluestein(64));
        Assert.Equal(210, NumPyFft<float>.GoodSize(201));
        Assert.Equal(14, NumPyFft<float>.GoodSize(13));
        Assert.Equal(12, NumPyFft<float>.GoodSize(12));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void MatchesADirectTransformInBothPrecisions(int n)
    {
        var random = new Random(n);
        var x = new double[2 * n];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextDouble() * 2 - 1;
        foreach (bool forward in new[] { true, false })
        {
            double scale = forward ? 1 : 1.0 / n;
            var expected = Direct(x, forward, scale);
            var inDouble = (double[])x.Clone();
            new NumPyFft<double>(n).Transform(inDouble, forward, scale);
            var inFloat = x.Select(v => (float)v).ToArray();
            new NumPyFft<float>(n).Transform(inFloat, forward, (float)scale);
            double bound = forward ? Math.Sqrt(n) : 1 / Math.Sqrt(n); // ‖X‖∞ scale of a random signal
            for (int i = 0; i < x.Length; i++)
            {
                Assert.True(Math.Abs(inDouble[i] - expected[i]) < 1e-13 * bound * (1 + Math.Log2(n)), $"n={n} double [{i}]: {inDouble[i]} vs {expected[i]}");
                Assert.True(Math.Abs(inFloat[i] - expected[i]) < 1e-6 * bound * (1 + Math.Log2(n)), $"n={n} float [{i}]: {inFloat[i]} vs {expected[i]}");
            }
        }
    }

    [Fact]
    public void InverseOfARampReproducesNumPysFloat32Rounding()
    {
        // np.fft.ifft(np.arange(0, 100, 10, dtype=np.complex64)): y[k] = −5 − 5i·cot(πk/10) for k > 0, so y[5] = −5
        // exactly; NumPy's float32 plan (2 × 5) leaves 2⁻¹⁹·0.1f there and breaks the conjugate symmetry of y[3], y[7].
        var data = new float[20];
        for (int t = 0; t < 10; t++) data[2 * t] = 10 * t;
        new NumPyFft<float>(10).Transform(data, forward: false, 1f / 10);
        Assert.Equal(45f, data[0]);
        Assert.Equal(-5f, data[10]);
        Assert.Equal(BitConverter.Int32BitsToSingle(0x344CCCCD), data[11]);           // 1.9073487e-7, not 0
        Assert.Equal(BitConverter.Int32BitsToSingle(unchecked((int)0xC0A00001)), data[8]);  // −5.0000005
        Assert.Equal(BitConverter.Int32BitsToSingle(unchecked((int)0xC0687E60)), data[7]);  // −3.6327133
        Assert.Equal(BitConverter.Int32BitsToSingle(0x40687E5D), data[15]);           //  3.6327126
    }

    [Fact]
    public void RejectsAWrongBufferLength()
    {
        var error = Assert.Throws<ArgumentException>(() => new NumPyFft<float>(4).Transform(new float[6], true, 1f));
        Assert.Contains("expected 8", error.Message, StringComparison.Ordinal);
    }

    [SharedTheory("conformance/onnx-node/test_dft_inverse", "conformance/onnx-node/test_dft")]
    [InlineData("test_dft_inverse")] // complex64 input: NumPy's float32 plan, bit for bit
    [InlineData("test_dft")]         // float32 real input, promoted by NumPy to complex128: the double plan, rounded once
    public void ConformanceOutputsAreReproducedBitForBit(string name)
    {
        var directory = SharedData.Path("conformance/onnx-node/" + name);
        var module = OnnxModel.Open(Path.Combine(directory, "model.onnx")).ToModule();
        var set = Path.Combine(directory, "test_data_set_0");
        var inputs = Directory.GetFiles(set, "input_*.pb").Order(StringComparer.Ordinal).Select(Read).ToList();
        var expected = Read(Path.Combine(set, "output_0.pb")).ToArray();
        var actual = module.Call(inputs)[0].ToArray();
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(1, false, false, null)]
    [InlineData(1, false, true, 9L)]   // one-sided, zero-padded
    [InlineData(2, false, false, 5L)]  // truncated
    [InlineData(2, true, false, 12L)]
    [InlineData(1, true, false, null)] // inverse of a real input
    [InlineData(2, true, true, null)]  // one-sided inverse: L = 2·(7 − 1)
    [InlineData(2, true, true, 9L)]    // one-sided inverse, odd L
    [InlineData(1, true, true, 20L)]   // one-sided inverse of fewer bins than L/2 + 1, real bins
    public void DftOpMatchesADirectTransformInEveryMode(int parts, bool inverse, bool onesided, long? length)
    {
        const int rows = 3, n = 7;
        var builder = new OnnxBuilder(20).Input("x", DataType.Float, rows, n, parts);
        string[] inputs = ["x"];
        if (length is { } l) { builder.Initializer("length", Tensor.FromArray([l], 1)); inputs = ["x", "length"]; }
        var model = builder.Node("DFT", inputs, ["y"], ("inverse", inverse ? 1L : 0L), ("onesided", onesided ? 1L : 0L)).Output("y").Build();
        var x = Tensor.Randn(new Shape(rows, n, parts), seed: 12);
        var y = model.Call(x);
        int size = (int)(length ?? (inverse && onesided ? 2 * (n - 1) : n));
        var data = x.ToArray();
        for (int r = 0; r < rows; r++)
        {
            Complex At(int t) => new(data[(r * n + t) * parts], parts == 2 ? data[(r * n + t) * parts + 1] : 0);
            Complex[] expected;
            if (inverse && onesided)
            {
                // x[t] = (1/L)·Σ_k Z[k]·e^(2πikt/L) over the Hermitian completion Z of the bins k ≤ L/2 (bins 0 and L/2 real)
                int bins = Math.Min(n, size / 2 + 1);
                expected = [.. Enumerable.Range(0, size).Select(t => new Complex(Enumerable.Range(0, bins).Sum(k =>
                {
                    var z = k == 0 || 2 * k == size ? new Complex(At(k).Real, 0) : At(k);
                    return (k == 0 || 2 * k == size ? 1 : 2) * (z * Complex.FromPolarCoordinates(1, 2 * Math.PI * k * t / size)).Real;
                }) / size, 0))];
            }
            else
            {
                int outputs = onesided ? size / 2 + 1 : size;
                expected = [.. Enumerable.Range(0, outputs).Select(k => Enumerable.Range(0, Math.Min(n, size)).Aggregate(Complex.Zero,
                    (sum, t) => sum + At(t) * Complex.FromPolarCoordinates(1, (inverse ? 2 : -2) * Math.PI * k * t / size)) / (inverse ? size : 1))];
            }
            int outParts = inverse && onesided ? 1 : 2;
            Assert.Equal(new Shape(rows, expected.Length, outParts), y.Shape);
            var actual = y.ToArray();
            for (int k = 0; k < expected.Length; k++)
            {
                Assert.Equal(expected[k].Real, actual[(r * expected.Length + k) * outParts], 2e-6);
                if (outParts == 2) Assert.Equal(expected[k].Imaginary, actual[(r * expected.Length + k) * outParts + 1], 2e-6);
            }
        }
    }

    [Theory]
    [InlineData(1, false, true)]  // real forward, one-sided (double FFT values)
    [InlineData(2, true, true)]   // one-sided inverse (real output)
    [InlineData(2, false, false)] // complex forward (float FFT values)
    public void DftGradientMatchesFiniteDifferencesInEveryPrecision(int parts, bool inverse, bool onesided)
    {
        var model = new OnnxBuilder(20).Input("x", DataType.Float, 2, 6, parts)
            .Node("DFT", ["x"], ["y"], ("inverse", inverse ? 1L : 0L), ("onesided", onesided ? 1L : 0L)).Output("y").Build();
        GradCheck.Assert(inputs => model.Call(inputs[0]), [Tensor.Randn(new Shape(2, 6, parts), seed: 5)]);
    }

    [Fact]
    public void RecordingGradientsKeepsTheFftValues()
    {
        // The ramp of the test above: the matrix form gives y[5] ≈ 0, the FFT 1.9073487e-7; a recorded pass keeps the
        // FFT's value (to the rounding of one addition) and MatMul's gradient, here ∂Σ(Re y + Im y)/∂x[t] = (1/10)·Σ_k (cos + sin)(2πkt/10).
        var model = new OnnxBuilder(20).Input("x", DataType.Float, 1, 10, 2).Node("DFT", ["x"], ["y"], ("inverse", 1L)).Output("y").Build();
        var ramp = new float[20];
        for (int t = 0; t < 10; t++) ramp[2 * t] = 10 * t;
        var x = Tensor.FromArray(ramp, 1, 10, 2).RequireGrad();
        var y = model.Call(x);
        Assert.True(y.RequiresGrad);
        Assert.Equal(1.9073487e-7, y.ToArray()[11], 1e-13);
        var gradient = Gradients.Of(y.Sum(), x).ToArray();
        Assert.Equal(1f, gradient[0], 1e-6f); // t = 0: Σ_k 1/10, for the real and the imaginary part
        Assert.Equal(1f, gradient[1], 1e-6f);
        Assert.Equal(0f, gradient[6], 1e-6f); // t = 3: Σ_k cos(2πk·3/10) + sin(2πk·3/10) = 0
    }

    private static Tensor Read(string path) => OnnxTensors.ToTensor(TensorProto.Parser.ParseFrom(File.ReadAllBytes(path)));

    private static double[] Direct(double[] x, bool forward, double scale)
    {
        int n = x.Length / 2;
        var y = new double[x.Length];
        for (int k = 0; k < n; k++)
        {
            double re = 0, im = 0;
            for (int t = 0; t < n; t++)
            {
                double phase = (forward ? -2 : 2) * Math.PI * ((long)k * t % n) / n;
                re += x[2 * t] * Math.Cos(phase) - x[2 * t + 1] * Math.Sin(phase);
                im += x[2 * t] * Math.Sin(phase) + x[2 * t + 1] * Math.Cos(phase);
            }
            (y[2 * k], y[2 * k + 1]) = (re * scale, im * scale);
        }
        return y;
    }
}
