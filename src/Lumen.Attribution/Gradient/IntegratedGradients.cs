using Lumen.Attribution.Common;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Gradient;

/// <summary>
/// Integrated Gradients: the gradient averaged along the straight path from a baseline to the input, times the
/// input's difference from the baseline; with <see cref="AttributeTo.Layer"/>, the same for a layer's activation.
/// </summary>
/// <remarks>
/// <para>IGᵢ(x) = (xᵢ − x′ᵢ) · ∫₀¹ ∂f(x′ + α(x − x′))/∂xᵢ dα ≈ (xᵢ − x′ᵢ) · Σₖ wₖ ∂f(x′ + αₖ(x − x′))/∂xᵢ.
/// Completeness: Σᵢ IGᵢ = f(x) − f(x′); the reported <see cref="Attribution.Delta"/> is the quadrature's error in that
/// identity. Sundararajan, Taly, Yan, "Axiomatic Attribution for Deep Networks" (ICML 2017),
/// https://arxiv.org/abs/1703.01365</para>
/// <para>Captum's layer and neuron variants are combinations of options: <c>Target.Neuron</c> gives
/// NeuronIntegratedGradients; <c>AttributeTo.Layer</c> with <see cref="LayerPath.Activation"/> gives
/// LayerIntegratedGradients, with <see cref="LayerPath.Input"/> LayerConductance (Dhamdhere et al., "How Important Is
/// a Neuron?", https://arxiv.org/abs/1805.12233) — Σₖ ∂f/∂a(αₖ) · (a(bₖ₊₁) − a(bₖ)) over the rule's cells [bₖ, bₖ₊₁],
/// which costs one more forward pass per step — or, without <see cref="IntegratedGradientsOptions.MultiplyByInputs"/>,
/// InternalInfluence (Leino et al., https://arxiv.org/abs/1802.03788). A layer's Delta assumes every path from the
/// input to the output passes through the layer.</para>
/// <para><see cref="IntegratedGradientsOptions.AdaptiveSteps"/> places the steps by a forward-only pilot pass
/// (<see cref="Common.AdaptiveSteps"/>), per sample.</para>
/// </remarks>
/// <example><code>var ig = new IntegratedGradients(model, new() { Steps = 32, Baseline = Baseline.Blurred(10) });
/// var result = ig.Explain(input, Target.Class(207)); // result.Delta ≈ 0
/// var conductance = new IntegratedGradients(model, new() { AttributeTo = AttributeTo.Layer("layer3"), LayerPath = LayerPath.Input });</code></example>
public sealed class IntegratedGradients : GradientMethod
{
    private readonly IntegratedGradientsOptions options;

    /// <summary>Binds Integrated Gradients to <paramref name="model"/>.</summary>
    public IntegratedGradients(Module model, IntegratedGradientsOptions? options = null)
        : base(model, (options ?? new()).AttributeTo, supportsLayer: true)
    {
        this.options = options ?? new();
        QuadratureRule.Points(this.options.Quadrature, this.options.Steps); // validates steps now
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.PilotSteps, 1, "options.PilotSteps");
    }

    /// <inheritdoc/>
    public override string Name => "integrated-gradients";

    private bool ActivationPath => AttributeTo.Hook is not null && options.LayerPath == LayerPath.Activation;

    private bool Conductance => AttributeTo.Hook is not null && options.LayerPath == LayerPath.Input && options.MultiplyByInputs;

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Rank == 0) throw new ArgumentException($"IntegratedGradients: the input needs a batch dimension, got shape {input.Shape}.");
        var baseline = options.Baseline.For(input);
        int samples = input.Shape[0], steps = options.Steps;
        var inputLine = new Line(baseline, input);
        Line? activationLine = null;
        if (ActivationPath)
        {
            var both = inputLine.At([.. Enumerable.Range(0, samples), .. Enumerable.Range(0, samples)], [.. Enumerable.Repeat(1f, samples), .. Enumerable.Repeat(0f, samples)]);
            var activations = LayerActivationOf(both, target.ForRows([.. Enumerable.Range(0, samples), .. Enumerable.Range(0, samples)]));
            activationLine = new Line(activations.Slice(0, samples, 2 * samples), activations.Slice(0, 0, samples));
        }
        int chunk = Batching.ChunkSize(Model, inputLine.At([0], [1f]), options.BatchSize, options.MemoryBudgetBytes, withGradients: true);
        var (alphas, weights) = options.AdaptiveSteps ? PilotNodes(inputLine, activationLine, target, samples, chunk, cancellation) : SharedNodes(samples);

        float[]? summed = null; // Σₖ wₖ ∂f/∂v at the path points (or the conductance sum), per sample
        int[] valueDims = [];
        Batching.ForEachChunk(steps * samples, chunk, (start, end) =>
        {
            int count = end - start;
            var sampleOfRow = new int[count];
            var alphaOfRow = new float[count];
            for (int r = 0; r < count; r++)
            {
                int step = (start + r) / samples, sample = (start + r) % samples;
                sampleOfRow[r] = sample;
                alphaOfRow[r] = (float)alphas[sample][step];
            }
            var (rows, points) = PathPoints(inputLine, activationLine, sampleOfRow, alphaOfRow, gradient: true);
            var rowTarget = target.ForRows(sampleOfRow);
            var (gradient, _) = GradientOf(rows, rowTarget, points is null ? null : _ => points);
            var g = gradient.AsSpan();
            int size = g.Length / count;
            if (summed is null)
            {
                summed = new float[samples * size];
                valueDims = [samples, .. gradient.Shape.Dims[1..]];
            }
            ReadOnlySpan<float> increments = default;
            if (Conductance) increments = ActivationIncrements(inputLine, rowTarget, sampleOfRow, start, samples, weights).AsSpan();
            for (int r = 0; r < count; r++)
            {
                int step = (start + r) / samples, sample = sampleOfRow[r];
                float w = (float)weights[sample][step];
                var acc = summed.AsSpan(sample * size, size);
                var gr = g.Slice(r * size, size);
                if (Conductance)
                {
                    var da = increments.Slice(r * size, size);
                    for (int i = 0; i < size; i++) acc[i] += gr[i] * da[i];
                }
                else
                {
                    for (int i = 0; i < size; i++) acc[i] += w * gr[i];
                }
            }
        }, cancellation, progress);

        if (options.MultiplyByInputs && !Conductance)
        {
            var line = activationLine ?? inputLine;
            for (int i = 0; i < summed!.Length; i++) summed[i] *= line.To[i] - line.From[i];
        }
        var map = Tensor.FromArray(summed!, valueDims);
        return new Attribution(map, target, Name, options.MultiplyByInputs ? CompletenessDelta(input, baseline, map, target) : null);
    }

    /// <summary>The model inputs of the rows and, on the activation path, the layer activations substituted for them.</summary>
    private static (Tensor Rows, Tensor? Points) PathPoints(Line input, Line? activation, int[] sampleOfRow, float[] alphaOfRow, bool gradient)
    {
        if (activation is null) return (input.At(sampleOfRow, alphaOfRow), null);
        var points = activation.At(sampleOfRow, alphaOfRow);
        return (input.At(sampleOfRow, [.. alphaOfRow.Select(_ => 1f)]), gradient ? points.RequireGrad() : points);
    }

    /// <summary>a(bₖ₊₁) − a(bₖ) for each row of a chunk: the layer's change over the row's cell of the input path.</summary>
    private float[] ActivationIncrements(Line input, Target rowTarget, int[] sampleOfRow, int start, int samples, double[][] weights)
    {
        int count = sampleOfRow.Length;
        var edgeAlphas = new float[2 * count];
        for (int r = 0; r < count; r++)
        {
            var edges = AdaptiveSteps.Edges(weights[sampleOfRow[r]]);
            int step = (start + r) / samples;
            edgeAlphas[r] = (float)edges[step];
            edgeAlphas[count + r] = (float)edges[step + 1];
        }
        int[] twice = [.. sampleOfRow, .. sampleOfRow];
        var activations = LayerActivationOf(input.At(twice, edgeAlphas), rowTarget.ForRows([.. Enumerable.Range(0, count), .. Enumerable.Range(0, count)])).AsSpan();
        int size = activations.Length / (2 * count);
        var increments = new float[count * size];
        for (int i = 0; i < increments.Length; i++) increments[i] = activations[count * size + i] - activations[i];
        return increments;
    }

    /// <summary>The configured quadrature, the same for every sample.</summary>
    private (double[][] Alphas, double[][] Weights) SharedNodes(int samples)
    {
        var (alphas, weights) = QuadratureRule.Points(options.Quadrature, options.Steps);
        return ([.. Enumerable.Repeat(alphas, samples)], [.. Enumerable.Repeat(weights, samples)]);
    }

    /// <summary>Per-sample adaptive nodes from the target's values at PilotSteps + 1 uniform points of the path.</summary>
    private (double[][] Alphas, double[][] Weights) PilotNodes(Line input, Line? activation, Target target, int samples, int chunk, CancellationToken cancellation)
    {
        int points = options.PilotSteps + 1;
        var values = new float[samples * points]; // [sample, point]
        Batching.ForEachChunk(points * samples, chunk, (start, end) =>
        {
            int count = end - start;
            var sampleOfRow = new int[count];
            var alphaOfRow = new float[count];
            for (int r = 0; r < count; r++)
            {
                sampleOfRow[r] = (start + r) % samples;
                alphaOfRow[r] = (float)((start + r) / samples) / options.PilotSteps;
            }
            var (rows, replacement) = PathPoints(input, activation, sampleOfRow, alphaOfRow, gradient: false);
            var scores = ScoresOf(rows, target.ForRows(sampleOfRow), replacement is null ? null : _ => replacement).AsSpan();
            for (int r = 0; r < count; r++) values[sampleOfRow[r] * points + (start + r) / samples] = scores[r];
        }, cancellation);
        var alphas = new double[samples][];
        var weights = new double[samples][];
        for (int b = 0; b < samples; b++) (alphas[b], weights[b]) = AdaptiveSteps.Place(values.AsSpan(b * points, points), options.Steps);
        return (alphas, weights);
    }

    /// <summary>Σ attribution − (f(x) − f(x′)) per sample.</summary>
    private Tensor CompletenessDelta(Tensor input, Tensor baseline, Tensor map, Target target)
    {
        int samples = input.Shape[0];
        var both = Tensor.FromArray([.. input.AsSpan(), .. baseline.AsSpan()], [2 * samples, .. input.Shape.Dims[1..]]);
        Tensor scoresTensor;
        using (Lumen.Tensors.Autograd.GradMode.Off()) scoresTensor = TargetedForward.Scores(Model, both, target.ForRows([.. Enumerable.Range(0, samples), .. Enumerable.Range(0, samples)]));
        var scores = scoresTensor.ToArray();
        var m = map.AsSpan();
        int rowSize = map.Size / samples;
        var delta = new float[samples];
        for (int b = 0; b < samples; b++)
        {
            double sum = 0;
            foreach (var v in m.Slice(b * rowSize, rowSize)) sum += v;
            delta[b] = (float)(sum - (scores[b] - scores[samples + b]));
        }
        return Tensor.FromArray(delta, samples);
    }

    /// <summary>The straight line from <see cref="From"/> to <see cref="To"/> ([B, …] each), one row per sample.</summary>
    private sealed class Line(Tensor from, Tensor to)
    {
        public float[] From { get; } = from.AsSpan().ToArray();

        public float[] To { get; } = to.AsSpan().ToArray();

        private readonly int[] rowDims = [.. to.Shape.Dims[1..]];

        private readonly int rowSize = to.Size / Math.Max(to.Shape[0], 1);

        /// <summary>Rows From[s] + α(To[s] − From[s]), computed in float32 in the same order as PyTorch.</summary>
        public Tensor At(int[] sampleOfRow, float[] alphaOfRow)
        {
            int size = rowSize;
            var rows = new float[sampleOfRow.Length * size];
            for (int r = 0; r < sampleOfRow.Length; r++)
            {
                int offset = sampleOfRow[r] * size;
                float alpha = alphaOfRow[r];
                var row = rows.AsSpan(r * size, size);
                for (int i = 0; i < size; i++) row[i] = From[offset + i] + alpha * (To[offset + i] - From[offset + i]);
            }
            return Tensor.FromArray(rows, [sampleOfRow.Length, .. rowDims]);
        }
    }
}
