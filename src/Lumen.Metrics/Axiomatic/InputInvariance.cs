using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Metrics.Axiomatic;

/// <summary>Options of <see cref="InputInvariance"/>.</summary>
public sealed record InputInvarianceOptions : MetricOptions
{
    /// <summary>The constant c added to every input value.</summary>
    public float Shift { get; init; } = -1f;

    /// <summary>Relative tolerance: invariant when max |a − a₂| ≤ tolerance · max(1e-12, max |a|).</summary>
    public double Tolerance { get; init; } = 1e-4;
}

/// <summary>Input invariance: shift every input value by a constant c and let the model absorb it (f₂(x) = f(x − c),
/// so f₂(x + c) = f(x)); 1 if the method then gives the same attribution, else 0. Gradients pass, Input × Gradient and
/// zero-baseline Integrated Gradients fail.</summary>
/// <remarks>𝟙[ Φ(f₂, x + c) = Φ(f, x) ]. Kindermans et al., "The (un)reliability of saliency methods" (2017),
/// https://arxiv.org/abs/1711.00867</remarks>
/// <example><code>var ok = new InputInvariance().Evaluate(input with { Explainer = m => new Saliency(m) }).Value; // 1</code></example>
public sealed class InputInvariance(InputInvarianceOptions? options = null) : ScalarMetric
{
    private readonly InputInvarianceOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "input-invariance";

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Axiomatic;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.HigherIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.AnyWithExplainer;

    /// <inheritdoc/>
    protected override IReadOnlyList<double> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        var shifted = new ShiftedInputModel(input.Model, options.Shift);
        var method = Common.Reexplainer.MethodFor(input, shifted);
        var x = input.Input.AsReadOnlySpan().ToArray().Select(v => v + options.Shift).ToArray();
        var map = Common.Reexplainer.Explain(method, input, x);
        var a = input.Attribution.AsReadOnlySpan().ToArray();
        int rowSize = a.Length / input.Samples;
        return [.. Enumerable.Range(0, input.Samples).Select(b =>
        {
            double scale = 1e-12, diff = 0;
            for (int i = b * rowSize; i < (b + 1) * rowSize; i++)
            {
                scale = Math.Max(scale, Math.Abs(a[i]));
                diff = Math.Max(diff, Math.Abs(a[i] - map[i]));
            }
            return diff <= options.Tolerance * scale ? 1.0 : 0.0;
        })];
    }

    /// <summary>f₂(x) = f(x − c). The wrapped model is called, not registered, so its module names stay unchanged.</summary>
    private sealed class ShiftedInputModel(Module inner, float shift) : Module
    {
        protected override Tensor Forward(Tensor x) => inner.Call(x - shift);
    }
}
