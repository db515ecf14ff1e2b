using Lumen.Attribution.Common;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Propagation;

/// <summary>Options of <see cref="DeepLift"/>.</summary>
public sealed record DeepLiftOptions
{
    /// <summary>The reference input x′.</summary>
    public Baseline Baseline { get; init; } = Baseline.Zero;

    /// <summary>Multiply the multipliers by (x − x′) (contributions); false returns the multipliers alone
    /// (Captum's <c>multiply_by_inputs=False</c>).</summary>
    public bool MultiplyByInputs { get; init; } = true;
}

/// <summary>
/// DeepLift (Rescale rule): explains t(f(x)) − t(f(x′)) by propagating multipliers m = Δoutput/Δinput backward —
/// linear layers by their weights (the linear rule), elementwise nonlinearities by Δy/Δx (<see cref="RescaleRule"/>),
/// max pooling by <see cref="MaxPoolRule"/>, softmax by <see cref="SoftmaxRule"/>. Any other module on the path is
/// refused with an error naming it.
/// </summary>
/// <remarks>
/// Cᵢ = mᵢ·(xᵢ − x′ᵢ) with Σᵢ Cᵢ = t(f(x)) − t(f(x′)) (summation-to-delta); <see cref="Attribution.Delta"/> is the
/// error in that identity. Input and reference run as one batch of 2B rows. A target that is not linear in the
/// output (a probability) seeds the pass with its gradient averaged along the path between the two outputs.
/// Shrikumar, Greenside, Kundaje, "Learning Important Features Through Propagating Activation Differences"
/// (ICML 2017), https://arxiv.org/abs/1704.02685
/// </remarks>
/// <example><code>var result = new DeepLift(model).Explain(input, Target.Class(207)); // result.Delta ≈ 0</code></example>
public sealed class DeepLift : IAttributionMethod
{
    private readonly Module model;
    private readonly DeepLiftOptions options;

    /// <summary>Binds DeepLift to <paramref name="model"/>.</summary>
    public DeepLift(Module model, DeepLiftOptions? options = null)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        this.options = options ?? new();
    }

    /// <inheritdoc/>
    public string Name => "deep-lift";

    /// <summary>The DeepLift rule of a module by role; null (refused) for modules without one.</summary>
    public static PropagationRule? RuleFor(Module module) => module switch
    {
        IAffine or IStructural => PropagationRule.Gradient, // the linear rule: multipliers are the weights
        IActivation => Rescale,
        IMaxPooling => MaxPool,
        ISoftmax => Softmax,
        _ => null,
    };

    private static readonly RescaleRule Rescale = new();
    private static readonly MaxPoolRule MaxPool = new();
    private static readonly SoftmaxRule Softmax = new();

    /// <inheritdoc/>
    public Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        var reference = options.Baseline.For(input);
        var (map, delta) = Explain(model, input, reference, target, options.MultiplyByInputs, cancellation);
        progress?.Report(1);
        return new Attribution(map, target, Name, delta);
    }

    /// <summary>DeepLift of <paramref name="input"/> against <paramref name="reference"/> (same shape).</summary>
    internal static (Tensor Map, Tensor? Delta) Explain(Module model, Tensor input, Tensor reference, Target target, bool multiplyByInputs, CancellationToken cancellation)
    {
        if (input.Rank == 0) throw new ArgumentException($"DeepLift: the input needs a batch dimension, got shape {input.Shape}.");
        if (reference.Shape != input.Shape) throw new ArgumentException($"DeepLift: reference shape {reference.Shape} differs from input shape {input.Shape}.");
        cancellation.ThrowIfCancellationRequested();
        int rows = input.Shape[0];
        var both = Tensor.Concat([input.Detach(), reference.Detach()], 0).RequireGrad(); // [2B, …]
        Tensor multipliers, scores;
        using (PropagationHooks.Attach(model, "DeepLift", (_, module) => RuleFor(module)))
        {
            var output = TargetedForward.Read(model, both, target, "DeepLift"); // the model output, or a neuron target's layer
            var (o, o0) = ReferencePair.Halves(output);
            var seed = ReferencePair.PathAveragedVjp(target.Select, o, o0, Tensor.Ones(rows));
            using (GradMode.Off()) scores = target.Select(o) - target.Select(o0); // [B]
            multipliers = Gradients.Of(output, both, Tensor.Concat([seed, seed.ZerosLike()], 0)).Slice(0, 0, rows);
        }
        cancellation.ThrowIfCancellationRequested();
        if (!multiplyByInputs) return (multipliers, null);
        var map = multipliers * (input.Detach() - reference.Detach());
        return (map, SumMinus(map, scores));
    }

    /// <summary>Σ per sample of <paramref name="map"/> minus <paramref name="expected"/> [B].</summary>
    internal static Tensor SumMinus(Tensor map, Tensor expected)
    {
        int samples = map.Shape[0], row = map.Size / samples;
        var m = map.AsReadOnlySpan();
        var e = expected.AsReadOnlySpan();
        var delta = new float[samples];
        for (int b = 0; b < samples; b++)
        {
            double sum = 0;
            foreach (var v in m.Slice(b * row, row)) sum += v;
            delta[b] = (float)(sum - e[b]);
        }
        return Tensor.FromArray(delta, samples);
    }
}
