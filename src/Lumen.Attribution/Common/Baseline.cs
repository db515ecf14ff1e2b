using Lumen.Tensors;

namespace Lumen.Attribution.Common;

/// <summary>The reference input x′ that path and difference methods compare the input against.</summary>
/// <example><code>Baseline.Zero; Baseline.Constant(0.5f); Baseline.Blurred(sigma: 10); Baseline.UniformNoise(seed: 1); Baseline.Of(tensor)</code></example>
public abstract record Baseline
{
    /// <summary>The baseline for <paramref name="input"/> [B, …], input-shaped.</summary>
    public abstract Tensor For(Tensor input);

    /// <summary>The text form that <see cref="MethodSettings"/> parses back (<c>zero</c>, <c>constant:0.5</c>,
    /// <c>blur:10</c>, <c>uniform:-1:1:2</c>), or null for a tensor baseline, which has none.</summary>
    internal virtual string? Text => null;

    /// <summary>All zeros (Captum's default).</summary>
    public static Baseline Zero { get; } = new ConstantBaseline(0f);

    /// <summary>Every feature equal to <paramref name="value"/>.</summary>
    public static Baseline Constant(float value) => new ConstantBaseline(value);

    /// <summary>The input blurred by a Gaussian of standard deviation <paramref name="sigma"/> pixels over the last two
    /// dimensions (Sturmfels et al., "Visualizing the Impact of Feature Attribution Baselines", Distill 2020).</summary>
    public static Baseline Blurred(float sigma) => sigma > 0 ? new BlurredBaseline(sigma) : throw new ArgumentOutOfRangeException(nameof(sigma), $"Baseline.Blurred: sigma must be positive, got {sigma}.");

    /// <summary>Uniform noise in [low, high), seeded.</summary>
    public static Baseline UniformNoise(float low = 0f, float high = 1f, int seed = 0) => new NoiseBaseline(low, high, seed);

    /// <summary>A reference distribution for the Shapley-style methods (DeepLiftShap, GradientShap): the zero
    /// baseline and <paramref name="count"/> − 1 uniform-noise baselines on [<paramref name="low"/>, <paramref name="high"/>)
    /// with seeds 1, 2, ….</summary>
    public static IReadOnlyList<Baseline> Distribution(int count = 5, float low = -1f, float high = 1f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return [Zero, .. Enumerable.Range(1, count - 1).Select(seed => UniformNoise(low, high, seed))];
    }

    /// <summary>A given tensor, broadcast to the input's shape.</summary>
    public static Baseline Of(Tensor baseline) => new TensorBaseline(baseline ?? throw new ArgumentNullException(nameof(baseline)));

    private sealed record ConstantBaseline(float Value) : Baseline
    {
        public override Tensor For(Tensor input) => Tensor.Full(input.Shape, Value);
        public override string ToString() => Value == 0 ? "zero" : $"constant {Value}";
        internal override string Text => Value == 0 ? "zero" : FormattableString.Invariant($"constant:{Value}");
    }

    private sealed record NoiseBaseline(float Low, float High, int Seed) : Baseline
    {
        public override Tensor For(Tensor input) => Tensor.Rand(input.Shape, Seed, Low, High);
        public override string ToString() => $"uniform noise [{Low}, {High}) seed {Seed}";
        internal override string Text => FormattableString.Invariant($"uniform:{Low}:{High}:{Seed}");
    }

    private sealed record TensorBaseline(Tensor Value) : Baseline
    {
        public override Tensor For(Tensor input)
        {
            if (Shape.Broadcast(Value.Shape, input.Shape, "Baseline") != input.Shape)
                throw new ArgumentException($"Baseline: a baseline of shape {Value.Shape} does not broadcast to the input shape {input.Shape}.");
            return Value.Detach().BroadcastTo(input.Shape).Clone();
        }
        public override string ToString() => $"tensor {Value.Shape}";
    }

    private sealed record BlurredBaseline(float Sigma) : Baseline
    {
        public override Tensor For(Tensor input)
        {
            if (input.Rank < 2) throw new ArgumentException($"Baseline.Blurred: needs at least two spatial dimensions, input is {input.Shape}.");
            var result = input.Clone();
            int h = input.Shape[-2], w = input.Shape[-1];
            var kernel = GaussianKernel.Create(Sigma);
            var data = result.AsSpan();
            var line = new float[Math.Max(h, w)];
            for (int plane = 0; plane < input.Size / (h * w); plane++)
            {
                var p = data.Slice(plane * h * w, h * w);
                for (int y = 0; y < h; y++) Convolve(p, y * w, 1, w, kernel, line);
                for (int x = 0; x < w; x++) Convolve(p, x, w, h, kernel, line);
            }
            return result;
        }

        /// <summary>1-D convolution along a strided line with edge replication.</summary>
        private static void Convolve(Span<float> plane, int start, int stride, int length, float[] kernel, float[] line)
        {
            int radius = kernel.Length / 2;
            for (int i = 0; i < length; i++) line[i] = plane[start + i * stride];
            for (int i = 0; i < length; i++)
            {
                float acc = 0;
                for (int j = -radius; j <= radius; j++) acc += kernel[j + radius] * line[Math.Clamp(i + j, 0, length - 1)];
                plane[start + i * stride] = acc;
            }
        }

        public override string ToString() => $"blurred σ={Sigma}";
        internal override string Text => FormattableString.Invariant($"blur:{Sigma}");
    }
}
