using System.Numerics;
using Lumen.Onnx.Graph;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Onnx.Ops;

/// <summary>
/// Signal processing: DFT (complex or real input, inverse, one-sided, dft_length), STFT, the Hann, Hamming and
/// Blackman windows, and MelWeightMatrix. Transforms run NumPy's FFT (<see cref="NumPyFft{T}"/>) for their values and take
/// their gradients from products with cosine and sine matrices (MatMul's).
/// </summary>
/// <remarks>
/// Complex values are pairs in the last dimension ([…, 2]; a last dimension of 1 is real). Forward:
/// Y[k] = Σ_t x[t]·e^(−2πi·kt/L); inverse: y[t] = (1/L)·Σ_k X[k]·e^(+2πi·kt/L); one-sided forward keeps
/// k ≤ L/2, one-sided inverse reads the bins k ≤ L/2 of a Hermitian spectrum and returns the real signal
/// (bins 0 &lt; k &lt; L/2 counted twice). Windows with N = size (periodic) or size − 1 (symmetric):
/// Hann 0.5 − 0.5·cos(2πn/N), Hamming 25/46 − 21/46·cos(2πn/N), Blackman 0.42 − 0.5·cos(2πn/N) + 0.08·cos(4πn/N).
/// See the ONNX DFT/STFT specifications and Oppenheim and Schafer, "Discrete-Time Signal Processing".
/// </remarks>
internal static class SignalOps
{
    public static void Register()
    {
        OnnxOps.Register("DFT", 17, node =>
        {
            bool inverse = node.Int("inverse", 0) != 0, onesided = node.Int("onesided", 0) != 0;
            long? axisAttribute = node.Opset < 20 ? node.Int("axis", 1) : null;
            return inputs =>
            {
                var x = inputs.Arg(0);
                long axis = axisAttribute ?? (inputs.Optional(2) is { } a ? OpHelpers.Longs(a)[0] : -2);
                int normalized = axis < 0 ? (int)axis + x.Rank : (int)axis;
                if (normalized < 0 || normalized >= x.Rank - 1) throw new ArgumentException($"DFT: axis {axis} is outside the signal dimensions of {x.Shape}.");
                int? length = inputs.Optional(1) is { } l ? (int)OpHelpers.Longs(l)[0] : null;
                return [Transform(x, normalized, length, inverse, onesided)];
            };
        });
        OnnxOps.Register("MelWeightMatrix", 17, node =>
        {
            int type = (int)node.Int("output_datatype", 1);
            return inputs =>
            {
                double Scalar(int i) => CastOps.To(inputs.Arg(i), DType.Float32).ToArray()[0];
                var matrix = MelWeights((int)OpHelpers.Longs(inputs.Arg(0))[0], (int)OpHelpers.Longs(inputs.Arg(1))[0], (int)OpHelpers.Longs(inputs.Arg(2))[0], Scalar(3), Scalar(4));
                return [CastOps.ToOnnxType(matrix, type)];
            };
        });
        OnnxOps.Register("STFT", 17, node =>
        {
            bool onesided = node.Int("onesided", 1) != 0;
            return inputs => [Stft(inputs.Arg(0), (int)OpHelpers.Longs(inputs.Arg(1))[0], inputs.Optional(2),
                inputs.Optional(3) is { } f ? (int)OpHelpers.Longs(f)[0] : null, onesided)];
        });
        Window("HannWindow", n => [0.5, 0.5]);
        Window("HammingWindow", n => [25.0 / 46, 21.0 / 46]);
        Window("BlackmanWindow", n => [0.42, 0.5, 0.08]);
    }

    // a0 − a1·cos(2πn/N) + a2·cos(4πn/N)
    private static void Window(string op, Func<int, double[]> coefficients) => OnnxOps.Register(op, 17, node =>
    {
        bool periodic = node.Int("periodic", 1) != 0;
        int outputType = (int)node.Int("output_datatype", 1);
        return inputs =>
        {
            int size = (int)OpHelpers.Longs(inputs.Arg(0))[0];
            if (size < 0) throw new ArgumentException($"{op}: size must be non-negative, got {size}.");
            var a = coefficients(size);
            double period = periodic ? size : size - 1;
            var w = new float[size];
            for (int n = 0; n < size; n++)
            {
                double phase = 2 * Math.PI * n / period;
                w[n] = (float)(a[0] - a[1] * Math.Cos(phase) + (a.Length > 2 ? a[2] * Math.Cos(2 * phase) : 0));
            }
            return [CastOps.ToOnnxType(OpHelpers.FloatTensor(w, new Shape(size)), outputType)];
        };
    });

    /// <summary>The DFT of <paramref name="x"/> ([…, 1 or 2]) along <paramref name="axis"/>.</summary>
    /// <remarks>
    /// Values follow NumPy 2, which made the ONNX test outputs: complex input runs NumPy's float32 FFT
    /// (<see cref="NumPyFft{T}"/>, so even its rounding noise is reproduced), while a real input — for which NumPy has
    /// no float32 complex transform and promotes to complex128 — and the one-sided inverse (NumPy's <c>irfft</c>) are
    /// transformed in double and rounded once. Gradients are those of the same linear map written as products with
    /// cosine and sine matrices (<see cref="MatrixSpectrum"/>): when x records gradients, the output is that product
    /// plus the constant difference to the FFT's value.
    /// </remarks>
    public static Tensor Transform(Tensor x, int axis, int? length, bool inverse, bool onesided)
    {
        x.RequireFloat("DFT");
        int last = x.Rank - 1;
        int parts = x.Shape[last];
        if (parts is not (1 or 2)) throw new ArgumentException($"DFT: the last dimension holds 1 (real) or 2 (complex) values, got {x.Shape}.");
        var real = MoveLast(x.Slice(last, 0, 1).Squeeze(last), axis);
        var imaginary = parts == 2 ? MoveLast(x.Slice(last, 1, 2).Squeeze(last), axis) : null;
        int n = real.Shape[real.Rank - 1];
        int size = length ?? (inverse && onesided ? 2 * (n - 1) : n);
        if (size <= 0) throw new ArgumentException($"DFT: dft_length must be positive, got {size}.");
        var (outReal, outImaginary) = imaginary is null || (inverse && onesided)
            ? Spectrum<double>(real, imaginary, size, inverse, onesided)
            : Spectrum<float>(real, imaginary, size, inverse, onesided);
        if (x.RequiresGrad && GradMode.IsEnabled)
        {
            var (slowReal, slowImaginary) = MatrixSpectrum(real, imaginary, size, inverse, onesided);
            outReal = slowReal + (outReal - slowReal.Detach());
            if (slowImaginary is not null) outImaginary = slowImaginary + (outImaginary! - slowImaginary.Detach());
        }
        if (outImaginary is null) return MoveBack(outReal, axis).Unsqueeze(last);
        return Tensor.Concat([MoveBack(outReal, axis).Unsqueeze(last), MoveBack(outImaginary, axis).Unsqueeze(last)], last);
    }

    // Rows of the last axis through NumPy's FFT in precision T; a one-sided inverse completes the Hermitian spectrum
    // (Z[L − k] = conj Z[k], bins 0 and L/2 real) and returns only the real part.
    private static (Tensor Real, Tensor? Imaginary) Spectrum<T>(Tensor real, Tensor? imaginary, int size, bool inverse, bool onesided)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = real.Shape[real.Rank - 1], rows = real.Size / Math.Max(1, n);
        bool hermitian = inverse && onesided;
        int outputs = hermitian ? size : onesided ? size / 2 + 1 : size;
        var (re, im) = (real.ToArray(), imaginary?.ToArray());
        var plan = new NumPyFft<T>(size);
        var buffer = new T[2 * size];
        var outRe = new float[rows * outputs];
        var outIm = hermitian ? null : new float[rows * outputs];
        T scale = inverse ? T.One / T.CreateChecked(size) : T.One;
        for (int r = 0; r < rows; r++)
        {
            Array.Clear(buffer);
            int count = Math.Min(n, hermitian ? size / 2 + 1 : size);
            for (int k = 0; k < count; k++)
            {
                T a = T.CreateChecked(re[r * n + k]), b = im is null || (hermitian && (k == 0 || 2 * k == size)) ? T.Zero : T.CreateChecked(im[r * n + k]);
                (buffer[2 * k], buffer[2 * k + 1]) = (a, b);
                if (hermitian && k > 0 && 2 * k != size) (buffer[2 * (size - k)], buffer[2 * (size - k) + 1]) = (a, -b);
            }
            plan.Transform(buffer, forward: !inverse, scale);
            for (int k = 0; k < outputs; k++)
            {
                outRe[r * outputs + k] = float.CreateChecked(buffer[2 * k]);
                if (outIm is not null) outIm[r * outputs + k] = float.CreateChecked(buffer[2 * k + 1]);
            }
        }
        var dims = real.Shape.ToArray();
        dims[^1] = outputs;
        var shape = new Shape(dims);
        return (OpHelpers.FloatTensor(outRe, shape), outIm is null ? null : OpHelpers.FloatTensor(outIm, shape));
    }

    /// <summary>The transform of <see cref="Transform"/> as products with cosine and sine matrices, so that its
    /// gradient is MatMul's: forward Y = X·C − i·X·S, inverse with +i and 1/L, one-sided inverse from the bins
    /// k ≤ L/2 with weight 2 for 0 &lt; k &lt; L/2.</summary>
    private static (Tensor Real, Tensor? Imaginary) MatrixSpectrum(Tensor real, Tensor? imaginary, int size, bool inverse, bool onesided)
    {
        int n = real.Shape[real.Rank - 1];
        if (inverse && onesided)
        {
            // Real signal from the bins k ≤ L/2 of a Hermitian spectrum.
            int bins = Math.Min(n, size / 2 + 1);
            var (cos, sin) = Matrices(bins, size, size, k => k == 0 || 2 * k == size ? 1.0 / size : 2.0 / size);
            var y = Trim(real, bins).MatMul(cos);
            if (imaginary is not null) y = y - Trim(imaginary, bins).MatMul(sin);
            return (y, null);
        }
        int used = Math.Min(n, size), outputs = onesided ? size / 2 + 1 : size;
        var (c, s) = Matrices(used, outputs, size, _ => inverse ? 1.0 / size : 1.0);
        var xr = Trim(real, used);
        var xi = imaginary is null ? null : Trim(imaginary, used);
        if (!inverse)
            return xi is null ? (xr.MatMul(c), -xr.MatMul(s)) : (xr.MatMul(c) + xi.MatMul(s), xi.MatMul(c) - xr.MatMul(s));
        return xi is null ? (xr.MatMul(c), xr.MatMul(s)) : (xr.MatMul(c) - xi.MatMul(s), xr.MatMul(s) + xi.MatMul(c));
    }

    private static Tensor Stft(Tensor signal, int step, Tensor? window, int? frameLength, bool onesided)
    {
        if (signal.Rank != 3) throw new ArgumentException($"STFT: the signal must be [batch, length, 1 or 2], got {signal.Shape}.");
        int frame = frameLength ?? window?.Size ?? throw new ArgumentException("STFT: neither window nor frame_length is given.");
        if (window is not null && window.Size != frame) throw new ArgumentException($"STFT: window of {window.Size} values for frames of {frame}.");
        if (step <= 0 || frame <= 0 || frame > signal.Shape[1]) throw new ArgumentException($"STFT: frame_step {step} and frame_length {frame} do not fit a signal of {signal.Shape[1]}.");
        int frames = 1 + (signal.Shape[1] - frame) / step;
        var slices = new Tensor[frames];
        for (int f = 0; f < frames; f++) slices[f] = signal.Slice(1, f * step, f * step + frame).Unsqueeze(1);
        var framed = Tensor.Concat(slices, 1); // [batch, frames, frame, parts]
        if (window is not null) framed = framed * CastOps.To(window, DType.Float32).Reshape(frame, 1);
        return Transform(framed, 2, null, inverse: false, onesided);
    }

    // cos/sin(2π·r·c/L)·weight(r) as [rows, columns] matrices.
    private static (Tensor Cos, Tensor Sin) Matrices(int rows, int columns, int length, Func<int, double> weight)
    {
        var cos = new float[rows * columns];
        var sin = new float[rows * columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                double phase = 2 * Math.PI * ((long)r * c % length) / length;
                double w = weight(r);
                cos[r * columns + c] = (float)(Math.Cos(phase) * w);
                sin[r * columns + c] = (float)(Math.Sin(phase) * w);
            }
        return (OpHelpers.FloatTensor(cos, new Shape(rows, columns)), OpHelpers.FloatTensor(sin, new Shape(rows, columns)));
    }

    // The first `count` entries of the last axis, zero-padded when the signal is shorter.
    private static Tensor Trim(Tensor x, int count)
    {
        int n = x.Shape[x.Rank - 1];
        if (n == count) return x;
        if (n > count) return x.Slice(x.Rank - 1, 0, count);
        var pads = new int[2 * x.Rank];
        pads[2 * x.Rank - 1] = count - n;
        return x.Pad(pads);
    }

    private static Tensor MoveLast(Tensor x, int axis)
    {
        if (axis == x.Rank - 1) return x;
        var order = Enumerable.Range(0, x.Rank).Where(a => a != axis).Append(axis).ToArray();
        return x.Permute(order);
    }

    private static Tensor MoveBack(Tensor x, int axis)
    {
        if (axis == x.Rank - 1) return x;
        var order = Enumerable.Range(0, x.Rank).Where(a => a != axis).Append(axis).ToArray();
        var inverse = new int[x.Rank];
        for (int i = 0; i < x.Rank; i++) inverse[order[i]] = i;
        return x.Permute(inverse);
    }

    /// <summary>
    /// MelWeightMatrix [dft_length/2 + 1, num_mel_bins]: triangular filters between num_mel_bins + 2 edges equally
    /// spaced in mel (m = 2595·log10(1 + f/700)) from lower to upper edge (step (m_hi − m_lo)/(bins + 2), as in the
    /// ONNX reference), each edge mapped to the spectrogram bin ⌊(dft_length + 1)·f / sample_rate⌋; filter i rises
    /// from edge i to edge i + 1 and falls to edge i + 2.
    /// </summary>
    internal static Tensor MelWeights(int bins, int dftLength, int sampleRate, double lower, double upper)
    {
        int spectrum = dftLength / 2 + 1;
        double low = 2595 * Math.Log10(1 + lower / 700), high = 2595 * Math.Log10(1 + upper / 700), step = (high - low) / (bins + 2);
        var edges = new int[bins + 2];
        for (int i = 0; i < edges.Length; i++)
        {
            double hertz = 700 * (Math.Pow(10, (i * step + low) / 2595) - 1);
            edges[i] = (int)Math.Floor((dftLength + 1) * hertz / sampleRate);
        }
        var w = new float[spectrum * bins];
        for (int i = 0; i < bins; i++)
        {
            int left = edges[i], center = edges[i + 1], right = edges[i + 2];
            if (center == left) Set(center, 1f);
            else for (int j = left; j <= center; j++) Set(j, (float)(j - left) / (center - left));
            for (int j = center; j < right; j++) Set(j, (float)(right - j) / (right - center));
            void Set(int row, float value)
            {
                if (row < 0 || row >= spectrum) throw new ArgumentException($"MelWeightMatrix: filter {i} reaches bin {row}, outside the {spectrum} spectrogram bins.");
                w[row * bins + i] = value;
            }
        }
        return OpHelpers.FloatTensor(w, new Shape(spectrum, bins));
    }
}
