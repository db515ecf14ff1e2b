using Lumen.NN;
using Lumen.Analysis.Recording;
using Lumen.NN.Optim;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Analysis.Visualization;

/// <summary>
/// Feature visualization by activation maximisation (Erhan et al. 2009; Olah, Mordvintsev &amp; Schubert 2017,
/// https://distill.pub/2017/feature-visualization/): gradient ascent on an image, through its parameterisation and
/// random transformations, to maximise an <see cref="Objective"/> read from the model's hook points.
/// </summary>
/// <remarks>
/// Each step: rgb = param(θ) ∈ (0, 1); x = T(rgb)·scale + shift with T a random jitter/scale/rotation; maximise
/// J(x) = Σ w_t·score_t(activation_t(x)) with Adam on θ. When every term reads a hook point, the forward pass stops
/// as soon as the last of them has run (later layers cannot change the objective), which saves most of a deep
/// network's forward and backward time for early layers. Seeded: the same options give the same images.
/// </remarks>
/// <example><code>
/// var viz = new FeatureVisualization(model, new() { Steps = 256, InputScale = [2, 2, 2], InputShift = [-1, -1, -1] });
/// var result = viz.Visualize(Objective.Channel("MobilenetV2_expanded_conv_5_expand_Relu6", 7));
/// </code></example>
public sealed class FeatureVisualization
{
    private readonly Module model;
    private readonly FeatureVisualizationOptions options;
    private readonly Tensor inputScale, inputShift;

    /// <summary>Creates a visualizer for <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">Steps, learning rate, size or the input transform are invalid.</exception>
    public FeatureVisualization(Module model, FeatureVisualizationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.model = model;
        this.options = options ??= new FeatureVisualizationOptions();
        if (options.Steps < 0 || !(options.LearningRate > 0) || options.Height < 8 || options.Width < 8)
            throw new ArgumentException($"FeatureVisualization: steps {options.Steps} must be ≥ 0, learning rate {options.LearningRate} > 0 and the size {options.Height}×{options.Width} at least 8×8.", nameof(options));
        if (options.InputScale.Count != 3 || options.InputShift.Count != 3)
            throw new ArgumentException("FeatureVisualization: InputScale and InputShift need one value per RGB channel.", nameof(options));
        inputScale = Tensor.FromArray([.. options.InputScale], 1, 3, 1, 1);
        inputShift = Tensor.FromArray([.. options.InputShift], 1, 3, 1, 1);
    }

    /// <summary>Optimises a batch of <paramref name="batch"/> images for <paramref name="objective"/>;
    /// <paramref name="progress"/> hears the step count.</summary>
    public FeatureVisualizationResult Visualize(Objective objective, int batch = 1, IProgress<int>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), $"FeatureVisualization: batch must be ≥ 1, got {batch}.");
        foreach (var hook in objective.Terms.Select(t => t.HookPoint).OfType<string>().Distinct()) model.Hooks.Resolve(hook);
        var rng = new Random(options.Seed);
        var parameters = new ImageParameters(options.Parameterization, batch, options.Height, options.Width, rng);
        Tensor start;
        using (GradMode.Off()) start = parameters.Rgb();
        var optimizer = new AdamW(parameters.Parameters, options.LearningRate, weightDecay: 0f);
        var trace = new List<float>();
        for (int step = 0; step < options.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var rgb = RandomTransforms.Apply(parameters.Rgb(), options.Transforms, rng);
            var value = Objective(objective, rgb);
            trace.Add(value.Item());
            optimizer.ZeroGrad();
            var grads = Gradients.Of(-value, [.. parameters.Parameters.Select(p => p.Value)]);
            for (int i = 0; i < grads.Length; i++) parameters.Parameters[i].Grad = grads[i];
            optimizer.Step();
            progress?.Report(step + 1);
        }
        Tensor images;
        using (GradMode.Off()) images = parameters.Rgb();
        var startTerms = EvaluateTerms(objective, start);
        var finalTerms = EvaluateTerms(objective, images);
        return new FeatureVisualizationResult(images, start, trace, startTerms.Sum(), finalTerms.Sum(), startTerms, finalTerms);
    }

    /// <summary>The objective's value on given images (RGB in [0, 1], [B, 3, H, W]), without transformations.</summary>
    public float Evaluate(Objective objective, Tensor rgb) => EvaluateTerms(objective, rgb).Sum();

    /// <summary>Each weighted term's value on given images (RGB in [0, 1], [B, 3, H, W]), from one forward pass.</summary>
    public float[] EvaluateTerms(Objective objective, Tensor rgb)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(rgb);
        using (GradMode.Off()) return [.. Terms(objective, rgb).Select(t => t.Item())];
    }

    /// <summary>Runs the model on the images and sums the weighted terms; stops the forward pass after the last hook
    /// point an objective needs.</summary>
    private Tensor Objective(Objective objective, Tensor rgb) =>
        Terms(objective, rgb).Aggregate((a, b) => a + b);

    private List<Tensor> Terms(Objective objective, Tensor rgb)
    {
        var x = (options.Bgr ? rgb.Flip(1) : rgb) * inputScale + inputShift;
        var hooks = objective.Terms.Select(t => t.HookPoint).OfType<string>().Distinct().ToList();
        bool needsOutput = objective.Terms.Any(t => t.HookPoint is null);
        var (output, activations) = ActivationCapture.Run(model, hooks, x, needsOutput, "FeatureVisualization");
        var seen = hooks.Select((h, i) => (h, activations[i])).ToDictionary(p => p.h, p => p.Item2, StringComparer.Ordinal);
        var values = new List<Tensor>();
        foreach (var term in objective.Terms)
        {
            var activation = term.HookPoint is null ? output! : seen[term.HookPoint];
            values.Add(term.Score(activation) * term.Weight);
        }
        return values;
    }
}
