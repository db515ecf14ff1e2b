using Lumen.Attribution.Common;
using Lumen.NN;
using Lumen.NN.Optim;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// The optimisation shared by <see cref="MeaningfulPerturbation"/> and <see cref="ExtremalPerturbation"/>: masks on
/// a coarse grid, upsampled bilinearly to the input, blend one sample with its reference; Adam minimises a loss of the
/// masks and of the normalised target scores of the blended inputs, and projects the masks back to [0, 1] after every
/// step.
/// </summary>
/// <remarks>
/// With p [R, 1, ⌈H/s⌉, ⌈W/s⌉] (R masks of one sample), m = up(smooth(p)) [R, 1, H, W], x̃ = x′ + m ⊙ (x − x′) and the
/// normalised score s̃ = (f(x̃) − f(x′)) / |f(x) − f(x′)| (1 for the input, 0 for the reference when the input scores
/// higher), each step takes p ← clamp(Adam(p, ∂loss(p, m, s̃)/∂p), 0, 1). The start is the settings'
/// initial value plus seeded uniform noise of ±0.01, so the result is a function of the seed alone. smooth is the
/// identity for σ = 0, else either a Gaussian blur g_σ * p (edges replicated) or, as in TorchRay's Extremal
/// Perturbation, the smooth max of Gaussian bumps smax_v (g(u − v)·p(v)) = Σ_v w_v·softmax_v(τ·w) over the cells v
/// within ⌈2σ⌉ of u, with w_v = exp(−‖u − v‖²/2σ²)·p(v) and τ = 20 (outside cells are 0): one cell at 1 is a bump of
/// height 1, so a blob of any size and place can reach 1, which a blur (a mean) only allows for blocks wider than the
/// kernel, or at the edges.
/// </remarks>
internal static class MaskOptimisation
{
    /// <summary>Optimises <paramref name="masks"/> masks for each sample of <paramref name="input"/> [B, C, H, W], one
    /// sample at a time (so the result never depends on the batch), and returns them upsampled, [B, R, H, W].</summary>
    /// <param name="method">The method's name, for errors.</param>
    /// <param name="model">The explained model.</param>
    /// <param name="input">The samples [B, C, H, W].</param>
    /// <param name="baseline">What the masks blend the samples to.</param>
    /// <param name="target">The target of every sample.</param>
    /// <param name="masks">R, masks optimised together per sample (one per area).</param>
    /// <param name="settings">Steps, learning rate, grid stride, start value, seed and smoothing.</param>
    /// <param name="loss">(step, coarse masks p, upsampled masks m, normalised scores s̃ [R]) → the scalar loss.</param>
    /// <param name="cancellation">Checked before every step.</param>
    /// <param name="progress">Reports the share of all samples' steps done.</param>
    public static Tensor OptimiseEach(string method, Module model, Tensor input, Common.Baseline baseline, Target target, int masks, Settings settings,
        Func<int, Tensor, Tensor, Tensor, Tensor> loss, CancellationToken cancellation, IProgress<double>? progress)
    {
        if (input.Rank != 4) throw new ArgumentException($"{method}: needs image inputs [B, C, H, W], got {input.Shape}.", nameof(input));
        int samples = input.Shape[0];
        var reference = baseline.For(input);
        var result = new Tensor[samples];
        for (int b = 0; b < samples; b++)
        {
            var m = Optimise(model, input.Slice(0, b, b + 1), reference.Slice(0, b, b + 1), target.ForRows([b]), masks, settings, loss,
                cancellation, PerturbationMethod.Part(progress, b, samples));
            result[b] = m.Reshape(1, masks, input.Shape[2], input.Shape[3]);
        }
        return Tensor.Concat(result);
    }

    /// <summary>Optimises <paramref name="masks"/> masks for the one-row <paramref name="row"/> [1, C, H, W] and returns
    /// them upsampled, [R, 1, H, W].</summary>
    /// <param name="model">The explained model.</param>
    /// <param name="row">The sample [1, C, H, W].</param>
    /// <param name="reference">Its reference x′ [1, C, H, W].</param>
    /// <param name="target">The target of the sample, for one row.</param>
    /// <param name="masks">R, masks optimised together (one per area).</param>
    /// <param name="settings">Steps, learning rate, grid stride, start value and seed.</param>
    /// <param name="loss">(step, coarse masks p, upsampled masks m, normalised scores s̃ [R]) → the scalar loss.</param>
    /// <param name="cancellation">Checked before every step.</param>
    /// <param name="progress">Reports the share of steps done.</param>
    private static Tensor Optimise(Module model, Tensor row, Tensor reference, Target target, int masks, Settings settings,
        Func<int, Tensor, Tensor, Tensor, Tensor> loss, CancellationToken cancellation, IProgress<double>? progress)
    {
        int height = row.Shape[2], width = row.Shape[3];
        int h = (height + settings.Stride - 1) / settings.Stride, w = (width + settings.Stride - 1) / settings.Stride;
        var start = (Tensor.Rand(new Shape(masks, 1, h, w), settings.Seed, -0.01f, 0.01f) + settings.Initial).Clamp(0f, 1f);
        var p = new Parameter(start, "mask");
        var adam = new AdamW([p], settings.LearningRate, weightDecay: 0f);
        var rows = target.ForRows(new int[masks]);
        float clean, baseline;
        using (GradMode.Off())
        {
            var both = TargetedForward.Scores(model, Tensor.Concat([row, reference]), target.ForRows([0, 0])).AsReadOnlySpan();
            (clean, baseline) = (both[0], both[1]);
        }
        float scale = Math.Max(Math.Abs(clean - baseline), 1e-6f * Math.Max(1f, Math.Abs(clean)));
        var difference = row - reference; // [1, C, H, W]
        for (int step = 0; step < settings.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var m = Upsample(Smooth(p.Value, settings), height, width);  // [R, 1, H, W]
            var blended = reference + m * difference;                    // [R, C, H, W]
            var scores = (TargetedForward.Scores(model, blended, rows) - baseline) * (1f / scale); // [R]
            var value = loss(step, p.Value, m, scores);
            if (value.Size != 1) throw new InvalidOperationException($"MaskOptimisation: the loss must be a scalar, got {value.Shape}.");
            p.Grad = Gradients.Of(value, p.Value);
            adam.Step();
            var data = p.Value.AsSpan();
            for (int i = 0; i < data.Length; i++) data[i] = Math.Clamp(data[i], 0f, 1f);
            progress?.Report((step + 1.0) / settings.Steps);
        }
        using (GradMode.Off()) return Upsample(Smooth(p.Value.Detach(), settings), height, width);
    }

    private static Tensor Upsample(Tensor coarse, int height, int width) =>
        coarse.Shape[2] == height && coarse.Shape[3] == width ? coarse : coarse.Resize(height, width, ResizeMode.Bilinear, ResizeCoordinates.PytorchHalfPixel);

    /// <summary>The coarse masks p [R, 1, h, w] smoothed as <paramref name="settings"/> say (differentiable).</summary>
    private static Tensor Smooth(Tensor p, Settings settings)
    {
        double sigma = settings.Smoothing;
        if (sigma <= 0) return p;
        if (!settings.SmoothMax)
        {
            var kernel = GaussianKernel.Create(sigma);
            int radius = kernel.Length / 2;
            var padded = p.Pad([0, 0, radius, radius, 0, 0, radius, radius], PadMode.Edge); // [R, 1, h + 2r, w + 2r]
            return padded.Conv2d(Tensor.FromArray(kernel, 1, 1, kernel.Length, 1)).Conv2d(Tensor.FromArray(kernel, 1, 1, 1, kernel.Length));
        }
        int r = (int)Math.Ceiling(2 * sigma), h = p.Shape[2], w = p.Shape[3];
        var zeroPadded = p.Pad([0, 0, r, r, 0, 0, r, r]);
        var bumps = new List<Tensor>();
        for (int dy = -r; dy <= r; dy++)
            for (int dx = -r; dx <= r; dx++)
                bumps.Add(zeroPadded.Slice([r + dy, r + dx], [r + dy + h, r + dx + w], [2, 3]) * (float)Math.Exp(-0.5 * (dy * dy + dx * dx) / (sigma * sigma)));
        var weighted = Tensor.Concat(bumps, axis: 1);                          // [R, K, h, w]
        return (weighted * (weighted * SmoothMaxColdness).Softmax(1)).Sum(1, keepDims: true); // [R, 1, h, w]
    }

    /// <summary>τ of the smooth max (TorchRay's coldness).</summary>
    private const float SmoothMaxColdness = 20f;

    /// <summary>The optimisation's settings.</summary>
    /// <param name="Steps">Adam steps.</param>
    /// <param name="LearningRate">Adam's step size.</param>
    /// <param name="Stride">Input pixels per cell of the coarse mask, along each axis.</param>
    /// <param name="Initial">The start value of every cell.</param>
    /// <param name="Seed">Seed of the start noise.</param>
    /// <param name="Smoothing">σ of the Gaussian applied to the coarse mask, in cells (0: none).</param>
    /// <param name="SmoothMax">Smooth max of Gaussian bumps (true) or Gaussian blur (false).</param>
    public sealed record Settings(int Steps, float LearningRate, int Stride, float Initial, int Seed, double Smoothing, bool SmoothMax)
    {
        /// <summary>Throws naming <paramref name="method"/> unless steps, rate, stride and smoothing are valid.</summary>
        public Settings Validated(string method) => Steps >= 1 && LearningRate > 0 && float.IsFinite(LearningRate) && Stride >= 1 && Smoothing >= 0 && Smoothing <= 100 ? this
            : throw new ArgumentOutOfRangeException(nameof(Steps), $"{method}: needs Steps ≥ 1, a positive finite LearningRate, MaskStride ≥ 1 and 0 ≤ MaskSmoothing ≤ 100, got {Steps}, {LearningRate}, {Stride}, {Smoothing}.");
    }
}
