using Lumen.Metrics.Common;
using Lumen.Metrics.Functions;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Metrics.Randomisation;

/// <summary>Options of <see cref="ModelParameterRandomisation"/>.</summary>
public sealed record ModelParameterRandomisationOptions : MetricOptions
{
    /// <summary>Cascading (top-down, cumulative) or independent.</summary>
    public RandomisationMode Mode { get; init; } = RandomisationMode.Cascading;

    /// <summary>How original and randomised maps are compared.</summary>
    public ISimilarity Similarity { get; init; } = Functions.Similarity.AbsoluteSpearman;

    /// <summary>Noisy copies of the input each map is averaged over (smooth MPRT); 1 = the plain test.</summary>
    public int NoiseSamples { get; init; } = 1;

    /// <summary>Standard deviation of the smoothing noise, relative to the input's value range (max − min).</summary>
    public double NoiseLevel { get; init; } = 0.1;

    /// <summary>Explain after at most this many layers (evenly spread, always including the last); null = after every
    /// layer. Cascading randomises every layer either way.</summary>
    public int? Checkpoints { get; init; }
}

/// <summary>Model parameter randomisation (the sanity check): replace the parameters of each layer, from the top
/// down, by random values of the same mean and spread, re-explain, and measure the similarity to the original map.
/// A method that depends on the model gives falling similarity; the curve is per layer, the score its mean (low is
/// good). The model is restored afterwards, also when an exception is thrown.</summary>
/// <remarks>sₗ = sim(Φ(f_{θ̃≥l}, x), Φ(f_θ, x)), θ̃ ~ N(mean θₗ, std θₗ). Adebayo et al., "Sanity checks for saliency
/// maps" (NeurIPS 2018), https://arxiv.org/abs/1810.03292. With <see cref="ModelParameterRandomisationOptions.NoiseSamples"/>
/// N &gt; 1 both maps are means over the same N noisy inputs, Φ̄ = (1/N) Σ Φ(x + εₙ), εₙ ~ N(0, σ²) (smooth MPRT:
/// Hedström et al., "Sanity checks revisited: an exploration to repair the model parameter randomisation test", XAI in
/// Action workshop, NeurIPS 2023, https://arxiv.org/abs/2401.06465), which removes the noise that gradient maps share
/// with any random network.</remarks>
/// <example><code>var curve = new ModelParameterRandomisation().Evaluate(input with { Explainer = m => new Saliency(m) }).Curve;</code></example>
public sealed class ModelParameterRandomisation(ModelParameterRandomisationOptions? options = null) : CurveMetric
{
    private readonly ModelParameterRandomisationOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => (options.NoiseSamples > 1 ? "smooth-" : "")
        + (options.Mode == RandomisationMode.Cascading ? "model-parameter-randomisation" : "independent-parameter-randomisation");

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Randomisation;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.LowerIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.AnyWithExplainer;

    /// <summary>The layers with parameters, from the output end to the input end: each module with the parameters it
    /// owns directly, plus, for a linear-like module (<see cref="Lumen.NN.Layers.ILinearLike"/>: an imported ONNX Conv or
    /// Gemm node), the weight and bias it uses; an imported graph keeps its other initializers (e.g. batch norm) on the
    /// root, which comes last.</summary>
    public static IReadOnlyList<(string Name, Parameter[] Parameters)> LayersTopDown(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var modules = model.NamedModules().Select(m => (m.Name, Parameters: Owned(m.Module))).ToList();
        var claimed = modules.SelectMany(m => m.Parameters.Skip(m.Name.Length == 0 ? int.MaxValue : 0)).ToHashSet(ReferenceEqualityComparer.Instance);
        var layers = modules.Select(m => (m.Name, Parameters: m.Parameters.Where(p => m.Name.Length > 0 || !claimed.Contains(p)).ToArray()))
            .Where(m => m.Parameters.Length > 0).ToList();
        layers.Reverse(); // NamedModules lists the root first, then the modules in forward order
        return layers;
    }

    private static Parameter[] Owned(Module module)
    {
        var own = module.NamedParameters().Where(p => !p.Name.Contains('.', StringComparison.Ordinal)).Select(p => p.Parameter);
        if (module is Lumen.NN.Layers.ILinearLike linear) own = own.Append(linear.Weight).Concat(linear.Bias is { } b ? [b] : []);
        return [.. own.Distinct(ReferenceEqualityComparer.Instance).Cast<Parameter>()];
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<Curve> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        var layers = LayersTopDown(input.Model);
        if (layers.Count == 0) throw new ArgumentException($"{Name}: the model has no parameters to randomise.");
        var checkpoints = Checkpoints(layers.Count);
        var saved = layers.SelectMany(l => l.Parameters).Distinct(ReferenceEqualityComparer.Instance).Cast<Parameter>().ToDictionary<Parameter, Parameter, float[]>(p => p, p => p.Value.AsReadOnlySpan().ToArray(), ReferenceEqualityComparer.Instance);
        if (options.NoiseSamples < 1) throw new ArgumentOutOfRangeException(nameof(input), $"{Name}: NoiseSamples must be at least 1, got {options.NoiseSamples}.");
        var rng = new Random(options.Seed);
        var noisy = NoisyInputs(input);
        var original = options.NoiseSamples > 1 ? Explain(input, noisy) : input.Attribution.AsReadOnlySpan().ToArray();
        int samples = input.Samples, rowSize = original.Length / samples;
        var ys = new List<double[]>();
        var labels = new List<string>();
        using var writable = input.Model.WritableWeights();      // a loaded model's weights are read-only; read-only again after the restore
        try
        {
            for (int l = 0; l < layers.Count; l++)
            {
                cancellation.ThrowIfCancellationRequested();
                if (options.Mode == RandomisationMode.Independent) Restore(saved);
                foreach (var p in layers[l].Parameters) Randomise(p.Value, saved[p], rng);
                if (!checkpoints.Contains(l)) continue;
                var map = Explain(input, noisy);
                ys.Add([.. Enumerable.Range(0, samples).Select(b => options.Similarity.Compute(original.AsSpan(b * rowSize, rowSize), map.AsSpan(b * rowSize, rowSize)))]);
                labels.Add(layers[l].Name.Length == 0 ? "(root)" : layers[l].Name);
            }
        }
        finally
        {
            Restore(saved);
        }
        var xs = Enumerable.Range(1, ys.Count).Select(i => (double)i).ToArray();
        return [.. Enumerable.Range(0, samples).Select(b =>
        {
            var y = ys.Select(v => v[b]).ToArray();
            return new Curve(xs, y, Statistics.FiniteMean(y), [.. labels]);
        })];
    }

    /// <summary>The inputs each map is averaged over: the input itself, or its noisy copies (fixed for the whole run).</summary>
    private float[][] NoisyInputs(MetricInput input)
    {
        var x = input.Input.AsReadOnlySpan().ToArray();
        if (options.NoiseSamples == 1) return [x];
        var rng = new Random(options.Seed + 1);
        double sigma = options.NoiseLevel * (x.Max() - x.Min());
        return [.. Enumerable.Range(0, options.NoiseSamples).Select(_ => x.Select(v => (float)(v + Statistics.Gaussian(rng, sigma))).ToArray())];
    }

    /// <summary>The mean map over <paramref name="inputs"/> with the model as it is now.</summary>
    private static float[] Explain(MetricInput input, float[][] inputs)
    {
        var method = Common.Reexplainer.MethodFor(input);
        var sum = new float[inputs[0].Length];
        foreach (var rows in inputs)
        {
            var map = Common.Reexplainer.Explain(method, input, rows);
            for (int i = 0; i < sum.Length; i++) sum[i] += map[i] / inputs.Length;
        }
        return sum;
    }

    private HashSet<int> Checkpoints(int layers)
    {
        if (options.Checkpoints is not { } count || count >= layers) return [.. Enumerable.Range(0, layers)];
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(options), $"{Name}: Checkpoints must be at least 1, got {count}.");
        return [.. Enumerable.Range(1, count).Select(i => (int)Math.Round((double)i * layers / count) - 1)];
    }

    private static void Randomise(Tensor value, float[] original, Random rng)
    {
        double mean = original.Average(), variance = original.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, original.Length);
        double std = Math.Sqrt(variance);
        if (std == 0) std = Math.Max(Math.Abs(mean), 1e-2);
        var span = value.AsSpan();
        for (int i = 0; i < span.Length; i++) span[i] = (float)(mean + Statistics.Gaussian(rng, std));
    }

    private static void Restore(Dictionary<Parameter, float[]> saved)
    {
        foreach (var (p, values) in saved) values.CopyTo(p.Value.AsSpan());
    }
}
