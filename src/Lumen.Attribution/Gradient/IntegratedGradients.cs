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
/// input to the output passes through the layer. <see cref="IntegratedGradientsOptions.Through"/> with
/// <c>Target.Neuron(hook, j)</c> gives NeuronConductance: each step's input gradient is only the part that flows
/// through yⱼ, (∂f/∂yⱼ) · ∂yⱼ/∂x, so Σᵢ NeuronConductanceᵢ is the layer conductance of yⱼ.</para>
/// <para><see cref="IntegratedGradientsOptions.AdaptiveSteps"/> places the steps per sample by bisecting the cells
/// whose trapezoid estimate misses their exact integral f(γ(r)) − f(γ(l)) most (<see cref="Common.AdaptiveSteps"/>).</para>
/// </remarks>
/// <example><code>var ig = new IntegratedGradients(model, new() { Steps = 32, Baseline = Baseline.Blurred(10) });
/// var result = ig.Explain(input, Target.Class(207)); // result.Delta ≈ 0
/// var conductance = new IntegratedGradients(model, new() { AttributeTo = AttributeTo.Layer("layer3"), LayerPath = LayerPath.Input });
/// var neuronConductance = new IntegratedGradients(model, new() { Through = Target.Neuron("layer3", 7, 2, 2) });</code></example>
public sealed class IntegratedGradients : GradientMethod
{
    private readonly IntegratedGradientsOptions options;

    // The last call's interpolated rows and last gradient (dead once it returned), lent to the next call's chunks so
    // that steady calls fault in no fresh image-sized arrays; taken atomically, so concurrent calls never share them.
    private Tensor? spareRows, spareGradient;

    /// <summary>Binds Integrated Gradients to <paramref name="model"/>.</summary>
    /// <exception cref="NotSupportedException">Adaptive steps with layer conductance; <see cref="IntegratedGradientsOptions.Through"/>
    /// with a layer attribution or adaptive steps.</exception>
    public IntegratedGradients(Module model, IntegratedGradientsOptions? options = null)
        : base(model, (options ?? new()).AttributeTo, supportsLayer: true)
    {
        this.options = options ?? new();
        QuadratureRule.Points(this.options.Quadrature, this.options.Steps); // validates steps now
        if (this.options.AdaptiveSteps && this.options.Steps < 3)
            throw new ArgumentOutOfRangeException(nameof(options), $"IntegratedGradients: adaptive steps need Steps ≥ 3, got {this.options.Steps}.");
        if (this.options.AdaptiveSteps && Conductance)
            throw new NotSupportedException("IntegratedGradients: adaptive steps are not supported with layer conductance (LayerPath.Input with MultiplyByInputs); use a fixed quadrature.");
        if (this.options.Through is { } through)
        {
            if (through.Hook is not { } hook)
                throw new ArgumentException($"IntegratedGradients: Through must select units at a hook point (Target.Neuron or Target.Channel), got {through}.", nameof(options));
            if (AttributeTo.Hook is not null)
                throw new NotSupportedException($"IntegratedGradients: Through ({through}, neuron conductance) attributes to the input only; {AttributeTo} is not supported.");
            if (this.options.AdaptiveSteps)
                throw new NotSupportedException("IntegratedGradients: adaptive steps are not supported with Through (neuron conductance); use a fixed quadrature.");
            model.Hooks.Resolve(hook); // fails now, naming the hook, if it does not exist
        }
    }

    /// <inheritdoc/>
    public override string Name => "integrated-gradients";

    private bool Conductance => AttributeTo.Hook is not null && options.LayerPath == LayerPath.Input && options.MultiplyByInputs;

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Rank == 0) throw new ArgumentException($"IntegratedGradients: the input needs a batch dimension, got shape {input.Shape}.");
        var baseline = options.Baseline.For(input);
        int samples = input.Shape[0];
        var path = new PathRows(this, new Line(baseline, input), target);
        if (AttributeTo.Hook is not null && options.LayerPath == LayerPath.Activation) path = path.OnActivationLine(samples);
        int chunk = Batching.ChunkSize(Model, path.Input.At([0], [1f]), options.BatchSize, options.MemoryBudgetBytes, withGradients: true);

        var (summed, valueDims) = options.AdaptiveSteps
            ? AdaptiveSum(path, samples, chunk, cancellation, progress)
            : FixedSum(path, samples, chunk, cancellation, progress);
        if (options.MultiplyByInputs && !Conductance)
        {
            var line = path.Activation ?? path.Input;
            for (int i = 0; i < summed.Length; i++) summed[i] *= line.To[i] - line.From[i];
        }
        var map = Tensor.FromArray(summed, valueDims);
        return new Attribution(map, target, Name, options.MultiplyByInputs && options.Through is null ? CompletenessDelta(input, baseline, map, target) : null);
    }

    /// <summary>Σₖ wₖ ∂f/∂v(αₖ) per sample with the configured quadrature (or, for conductance, Σₖ ∂f/∂a(αₖ) · Δaₖ).</summary>
    private (float[] Summed, int[] Dims) FixedSum(PathRows path, int samples, int chunk, CancellationToken cancellation, IProgress<double>? progress)
    {
        var (alphas, weights) = QuadratureRule.Points(options.Quadrature, options.Steps);
        var edges = QuadratureRule.Edges(weights);
        int rows = options.Steps * samples; // row = step · samples + sample
        if (options.BatchSize is null) chunk = Batching.EqualChunks(rows, chunk);
        float[]? summed = null;
        int[] dims = [];
        int[] sampleOfRow = [.. Enumerable.Range(0, rows).Select(r => r % samples)];
        float[] alphaOfRow = [.. Enumerable.Range(0, rows).Select(r => (float)alphas[r / samples])];
        path.Evaluate(sampleOfRow, alphaOfRow, chunk, (first, gradient, _) =>
        {
            int count = gradient.Shape[0], size = gradient.Size / count;
            if (summed is null) (summed, dims) = (new float[samples * size], [samples, .. gradient.Shape.Dims[1..]]);
            var g = gradient.AsReadOnlySpan();
            float[]? increments = null;
            if (Conductance)
            {
                float[] low = [.. Enumerable.Range(first, count).Select(r => (float)edges[r / samples])];
                float[] high = [.. Enumerable.Range(first, count).Select(r => (float)edges[r / samples + 1])];
                increments = path.LayerIncrements(sampleOfRow[first..(first + count)], low, high);
            }
            for (int r = 0; r < count; r++)
            {
                int step = (first + r) / samples, sample = sampleOfRow[first + r];
                var acc = summed.AsSpan(sample * size, size);
                var gr = g.Slice(r * size, size);
                if (increments is not null)
                {
                    var da = increments.AsSpan(r * size, size);
                    for (int i = 0; i < size; i++) acc[i] += gr[i] * da[i];
                }
                else
                {
                    float w = (float)weights[step];
                    for (int i = 0; i < size; i++) acc[i] += w * gr[i];
                }
            }
        }, cancellation, progress);
        return (summed!, dims);
    }

    /// <summary>Σ wₖ ∂f/∂v(αₖ) per sample on points placed by <see cref="AdaptiveSteps"/>, evaluated in rounds.</summary>
    private (float[] Summed, int[] Dims) AdaptiveSum(PathRows path, int samples, int chunk, CancellationToken cancellation, IProgress<double>? progress)
    {
        var plan = new AdaptiveSteps(samples, options.Steps);
        var line = path.Activation ?? path.Input;
        var gradients = new List<float[]>(); // by evaluation index
        int[] dims = [];
        var initial = plan.InitialAlphas();
        int[] sampleOfRow = [.. Enumerable.Range(0, initial.Length * samples).Select(r => r % samples)];
        float[] alphaOfRow = [.. Enumerable.Range(0, initial.Length * samples).Select(r => (float)initial[r / samples])];
        while (sampleOfRow.Length > 0)
        {
            path.Evaluate(sampleOfRow, alphaOfRow, chunk, (first, gradient, scores) =>
            {
                int count = gradient.Shape[0], size = gradient.Size / count;
                dims = [samples, .. gradient.Shape.Dims[1..]];
                var g = gradient.AsReadOnlySpan();
                var f = scores.AsReadOnlySpan();
                for (int r = 0; r < count; r++)
                {
                    int sample = sampleOfRow[first + r];
                    var gr = g.Slice(r * size, size).ToArray();
                    double slope = 0; // the scalar integrand ∇f · (to − from)
                    for (int i = 0; i < size; i++) slope += gr[i] * (line.To[sample * size + i] - line.From[sample * size + i]);
                    plan.Add(sample, alphaOfRow[first + r], f[r], slope, gradients.Count);
                    gradients.Add(gr);
                }
            }, cancellation, null);
            progress?.Report((double)gradients.Count / (options.Steps * samples));
            var next = Enumerable.Range(0, samples).SelectMany(b => plan.NextAlphas(b).Select(a => (Sample: b, Alpha: a))).ToArray();
            sampleOfRow = [.. next.Select(p => p.Sample)];
            alphaOfRow = [.. next.Select(p => (float)p.Alpha)];
        }
        int rowSize = gradients[0].Length;
        var summed = new float[samples * rowSize];
        for (int b = 0; b < samples; b++)
        {
            var acc = summed.AsSpan(b * rowSize, rowSize);
            foreach (var (index, weight) in plan.Weights(b))
            {
                var gr = gradients[index];
                for (int i = 0; i < rowSize; i++) acc[i] += (float)weight * gr[i];
            }
        }
        return (summed, dims);
    }

    /// <summary>Σ attribution − (f(x) − f(x′)) per sample.</summary>
    private Tensor CompletenessDelta(Tensor input, Tensor baseline, Tensor map, Target target)
    {
        int samples = input.Shape[0];
        var both = Tensor.FromArray([.. input.AsReadOnlySpan(), .. baseline.AsReadOnlySpan()], [2 * samples, .. input.Shape.Dims[1..]]);
        var scores = ScoresOf(both, target.ForRows([.. Enumerable.Range(0, samples), .. Enumerable.Range(0, samples)])).ToArray();
        var m = map.AsReadOnlySpan();
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

    /// <summary>The rows of a path: points on the input line or, on the activation line, the input itself with the
    /// layer's activation replaced by points on that line; evaluated in chunks.</summary>
    private sealed class PathRows(IntegratedGradients method, Line input, Target target, Line? activation = null)
    {
        public Line Input => input;

        public Line? Activation => activation;

        /// <summary>The same path on the straight line between the layer's activations for x′ and x.</summary>
        public PathRows OnActivationLine(int samples)
        {
            int[] both = [.. Enumerable.Range(0, samples), .. Enumerable.Range(0, samples)];
            var activations = method.LayerActivationOf(input.At(both, [.. both.Select((_, r) => r < samples ? 1f : 0f)]), target.ForRows(both));
            return new PathRows(method, input, target, new Line(activations.Slice(0, samples, 2 * samples), activations.Slice(0, 0, samples)));
        }

        /// <summary>Gradients and scores at the given points, in chunks; <paramref name="body"/> receives each chunk's
        /// first row, gradient [count, …] and scores [count].</summary>
        /// <remarks>
        /// The input rows of a chunk are written into the previous chunk's rows when no hook could have kept them (the
        /// chunk's gradient, scores and values are separate tensors), so that chunks of one length reuse one array; and
        /// the previous chunk's gradient lends its storage to the next pass, so <paramref name="body"/> must not keep
        /// the gradient it is given (it reads or copies it). Both are kept for the method's next call.</remarks>
        public void Evaluate(int[] sampleOfRow, float[] alphaOfRow, int chunk, Action<int, Tensor, Tensor> body, CancellationToken cancellation, IProgress<double>? progress)
        {
            bool reuse = method.Model.Hooks.Count == 0 && target.Hook is null && target.KeepsNoTensors;
            Tensor? rows = reuse ? Interlocked.Exchange(ref method.spareRows, null) : null;
            Tensor? spent = reuse ? Interlocked.Exchange(ref method.spareGradient, null) : null;
            Batching.ForEachChunk(sampleOfRow.Length, chunk, (start, end) =>
            {
                var samples = sampleOfRow[start..end];
                var alphas = alphaOfRow[start..end];
                var rowTarget = target.ForRows(samples);
                Tensor gradient, scores;
                if (method.options.Through is { } through) (gradient, _, scores) = method.GradientThrough(input.At(samples, alphas), rowTarget, through);
                else if (activation is null)
                {
                    var points = input.At(samples, alphas, reuse ? rows : null);
                    if (reuse) rows = points;
                    (gradient, _, scores) = method.GradientAndScores(points, rowTarget, null, spent);
                    if (reuse) spent = gradient;
                }
                else
                {
                    var points = activation.At(samples, alphas).RequireGrad();
                    (gradient, _, scores) = method.GradientAndScores(input.At(samples, [.. alphas.Select(_ => 1f)]), rowTarget, _ => points);
                }
                body(start, gradient, scores);
            }, cancellation, progress);
            if (reuse) (method.spareRows, method.spareGradient) = (rows, spent);
        }

        /// <summary>a(high) − a(low) of the layer on the input line, per row.</summary>
        public float[] LayerIncrements(int[] sampleOfRow, float[] low, float[] high)
        {
            int count = sampleOfRow.Length;
            int[] twice = [.. sampleOfRow, .. sampleOfRow];
            var activations = method.LayerActivationOf(input.At(twice, [.. low, .. high]), target.ForRows(twice)).AsReadOnlySpan();
            int size = activations.Length / (2 * count);
            var increments = new float[count * size];
            for (int i = 0; i < increments.Length; i++) increments[i] = activations[count * size + i] - activations[i];
            return increments;
        }
    }

    /// <summary>The straight line from <see cref="From"/> to <see cref="To"/> ([B, …] each), one row per sample.</summary>
    private sealed class Line(Tensor from, Tensor to)
    {
        public float[] From { get; } = from.AsReadOnlySpan().ToArray();

        public float[] To { get; } = to.AsReadOnlySpan().ToArray();

        private readonly int[] rowDims = [.. to.Shape.Dims[1..]];

        private readonly int rowSize = to.Size / Math.Max(to.Shape[0], 1);

        /// <summary>Rows From[s] + α(To[s] − From[s]), computed in float32 in the same order as PyTorch: written into
        /// <paramref name="into"/> when it has their shape (it is returned), else into a new tensor.</summary>
        public Tensor At(int[] sampleOfRow, float[] alphaOfRow, Tensor? into = null)
        {
            int size = rowSize;
            var shape = new Shape([sampleOfRow.Length, .. rowDims]);
            var result = into is not null && into.Shape == shape && into.DType == DType.Float32 ? into : Tensor.Zeros(shape);
            var rows = result.AsSpan();
            for (int r = 0; r < sampleOfRow.Length; r++)
            {
                int offset = sampleOfRow[r] * size;
                float alpha = alphaOfRow[r];
                var row = rows.Slice(r * size, size);
                var from = From.AsSpan(offset, size);
                var to = To.AsSpan(offset, size);
                for (int i = 0; i < size; i++) row[i] = from[i] + alpha * (to[i] - from[i]);
            }
            return result;
        }
    }
}
