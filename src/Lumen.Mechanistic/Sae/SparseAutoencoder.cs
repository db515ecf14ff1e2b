using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Mechanistic.Sae;

/// <summary>A sparse autoencoder over activation vectors: an overcomplete dictionary of features, each a direction
/// in activation space, of which only a few are active for any input.</summary>
/// <remarks>
/// With inputs scaled by s so that <c>E‖s·x‖² = d</c>: <c>f = σ((s·x − b_dec) W_enc + b_enc)</c> and
/// <c>x̂ = (f W_dec + b_dec) / s</c>, where σ is ReLU or ReLU of the top-K pre-activations. Decoder rows have unit norm.
/// Bricken et al. 2023, Towards Monosemanticity, https://transformer-circuits.pub/2023/monosemantic-features;
/// Gao et al. 2024, Scaling and evaluating sparse autoencoders, https://arxiv.org/abs/2406.04093.
/// </remarks>
/// <example><code>var training = new SaeTrainer(new SaeOptions { Features = 256 }).Fit(activations); var f = training.Autoencoder.Encode(x);</code></example>
public sealed class SparseAutoencoder : Module
{
    /// <summary>Creates an autoencoder with random unit-norm decoder rows and a tied initial encoder.</summary>
    public SparseAutoencoder(int inputDim, SaeOptions options, float inputScale = 1f)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (inputDim <= 0 || options.Features <= 0) throw new ArgumentOutOfRangeException(nameof(inputDim), $"SparseAutoencoder: dimension {inputDim} and features {options.Features} must be positive.");
        if (options.Activation == SaeActivation.TopK && (options.K <= 0 || options.K > options.Features))
            throw new ArgumentOutOfRangeException(nameof(options), $"SparseAutoencoder: K must be in 1..{options.Features}, got {options.K}.");
        if (!(inputScale > 0) || !float.IsFinite(inputScale)) throw new ArgumentOutOfRangeException(nameof(inputScale), $"SparseAutoencoder: input scale must be positive, got {inputScale}.");
        Options = options;
        InputDim = inputDim;
        InputScale = inputScale;
        var decoder = Tensor.Randn(new Shape(options.Features, inputDim), options.Seed);
        DecoderWeight = RegisterParameter("W_dec", decoder);
        NormalizeDecoder();
        EncoderWeight = RegisterParameter("W_enc", DecoderWeight.Value.Transpose(0, 1).Detach());
        EncoderBias = RegisterParameter("b_enc", Tensor.Zeros(options.Features));
        DecoderBias = RegisterParameter("b_dec", Tensor.Zeros(inputDim));
    }

    /// <summary>The settings it was built with.</summary>
    public SaeOptions Options { get; }

    /// <summary>Size of an input vector.</summary>
    public int InputDim { get; }

    /// <summary>Number of features.</summary>
    public int Features => Options.Features;

    /// <summary>The factor s applied to inputs (and undone on outputs).</summary>
    public float InputScale { get; }

    /// <summary>Encoder <c>[d, F]</c>.</summary>
    public Parameter EncoderWeight { get; }

    /// <summary>Encoder bias <c>[F]</c>.</summary>
    public Parameter EncoderBias { get; }

    /// <summary>Decoder <c>[F, d]</c> (unit-norm rows: the feature directions).</summary>
    public Parameter DecoderWeight { get; }

    /// <summary>Decoder bias <c>[d]</c>.</summary>
    public Parameter DecoderBias { get; }

    /// <summary>Feature activations <c>[N, F]</c> of inputs <c>[N, d]</c>.</summary>
    public Tensor Encode(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2 || x.Shape[1] != InputDim) throw new ArgumentException($"SparseAutoencoder: input {x.Shape} must be [N, {InputDim}].", nameof(x));
        var pre = (x * InputScale - DecoderBias.Value).MatMul(EncoderWeight.Value) + EncoderBias.Value; // [N, F]
        var active = pre.Relu();
        return Options.Activation == SaeActivation.TopK ? Tensor.Where(TopKMask(pre), active, Tensor.Scalar(0f)) : active;
    }

    /// <summary>Reconstructions <c>[N, d]</c> (in input units) of feature activations <c>[N, F]</c>.</summary>
    public Tensor Decode(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        return (features.MatMul(DecoderWeight.Value) + DecoderBias.Value) * (1f / InputScale);
    }

    /// <summary>Rescales every decoder row to unit norm (after each optimiser step).</summary>
    public void NormalizeDecoder()
    {
        var w = DecoderWeight.Value.AsSpan();
        for (int f = 0; f < Features; f++)
        {
            var row = w.Slice(f * InputDim, InputDim);
            double norm = 0;
            foreach (float v in row) norm += (double)v * v;
            float inverse = (float)(1 / Math.Max(Math.Sqrt(norm), 1e-12));
            for (int i = 0; i < row.Length; i++) row[i] *= inverse;
        }
    }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x) => Decode(Encode(x));

    private Tensor TopKMask(Tensor pre)
    {
        int n = pre.Shape[0], features = pre.Shape[1], k = Options.K;
        var values = pre.Detach().AsReadOnlySpan();
        var mask = new bool[n * features];
        var order = new int[features];
        var keys = new float[features];
        for (int r = 0; r < n; r++)
        {
            for (int f = 0; f < features; f++) { order[f] = f; keys[f] = -values[r * features + f]; }
            Array.Sort(keys, order);
            for (int j = 0; j < k; j++) mask[r * features + order[j]] = true;
        }
        return Tensor.FromArray(mask, n, features);
    }
}
