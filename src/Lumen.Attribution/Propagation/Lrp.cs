using Lumen.Attribution.Common;
using Lumen.NN;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Propagation;

/// <summary>Options of <see cref="Lrp"/>.</summary>
public sealed record LrpOptions
{
    /// <summary>The rule per module (default: z⁺ on convolutions, ε on dense layers, flat on the first layer).</summary>
    public Composite Composite { get; init; } = Composites.EpsilonPlusFlat();

    /// <summary>Canonizers applied for the pass and reverted after it (e.g. <see cref="BatchNormCanonizer"/>).</summary>
    public IReadOnlyList<ICanonizer> Canonizers { get; init; } = [];

    /// <summary>When the model output is a Softmax (or LogSoftmax) and the target is a class, explain the class's
    /// logit at that Softmax's input instead of refusing the Softmax, which has no LRP rule (default true). A Softmax
    /// anywhere else is still refused. See <see cref="FinalSoftmax"/>.</summary>
    public bool ExplainLogits { get; init; } = true;
}

/// <summary>
/// Layer-wise Relevance Propagation as a modified gradient: each module's backward pass is replaced by the rule its
/// composite selects, and the relevance R = f(x)·∂target/∂f at the output flows back to the input.
/// </summary>
/// <remarks>
/// Output relevance Rₖ = fₖ(x)·∂t/∂fₖ (for <see cref="Target.Class"/>: the class score, so that Σᵢ Rᵢ = f_c(x) when
/// every rule conserves). <see cref="Attribution.Delta"/> = Σᵢ Rᵢ − Σₖ Rₖ (0 for conservative rules). For a model
/// that ends in a Softmax, f is the logit vector feeding it (<see cref="LrpOptions.ExplainLogits"/>).
/// Bach et al., "On Pixel-Wise Explanations for Non-Linear Classifier Decisions by Layer-Wise Relevance
/// Propagation" (PLoS ONE 2015), https://doi.org/10.1371/journal.pone.0130140
/// </remarks>
/// <example><code>var relevance = new Lrp(model, new() { Composite = Composites.EpsilonPlusFlat() }).Explain(input, Target.Class(207)).Map;</code></example>
public sealed class Lrp : IAttributionMethod
{
    private readonly Module model;
    private readonly LrpOptions options;

    /// <summary>Binds LRP to <paramref name="model"/>.</summary>
    public Lrp(Module model, LrpOptions? options = null)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        this.options = options ?? new();
    }

    /// <inheritdoc/>
    public string Name => "lrp";

    /// <inheritdoc/>
    public Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        cancellation.ThrowIfCancellationRequested();
        var canonized = new List<IDisposable>();
        try
        {
            foreach (var canonizer in options.Canonizers) canonized.Add(canonizer.Apply(model));
            var x = input.Detach().RequireGrad();
            Tensor relevance, output, outputRelevance;
            var rules = options.Composite.For(model);
            var finalSoftmax = options.ExplainLogits && FinalSoftmax.Applies(target) ? new FinalSoftmax(rules) : null;
            using (PropagationHooks.Attach(model, $"Lrp ({options.Composite.Name})", finalSoftmax?.Rules ?? rules))
            using (finalSoftmax?.Watch(model))
            {
                output = TargetedForward.Read(model, x, target, "Lrp"); // the model output, or a neuron target's layer
                output = finalSoftmax?.LogitsOf(output) ?? output;
                var scores = target.Select(output);
                outputRelevance = output.Detach() * Gradients.Of(scores, output);
                relevance = Gradients.Of(output, x, outputRelevance);
            }
            progress?.Report(1);
            return new Attribution(relevance, target, Name, Conservation(relevance, outputRelevance));
        }
        finally
        {
            for (int i = canonized.Count - 1; i >= 0; i--) canonized[i].Dispose();
        }
    }

    /// <summary>Σ input relevance − Σ output relevance, per sample.</summary>
    internal static Tensor Conservation(Tensor relevance, Tensor outputRelevance)
    {
        int samples = relevance.Shape[0];
        var delta = new float[samples];
        var r = relevance.AsReadOnlySpan();
        var o = outputRelevance.AsReadOnlySpan();
        int rowIn = relevance.Size / samples, rowOut = outputRelevance.Size / samples;
        for (int b = 0; b < samples; b++)
        {
            double sum = 0;
            foreach (var v in r.Slice(b * rowIn, rowIn)) sum += v;
            foreach (var v in o.Slice(b * rowOut, rowOut)) sum -= v;
            delta[b] = (float)sum;
        }
        return Tensor.FromArray(delta, samples);
    }
}
