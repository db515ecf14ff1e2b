using Lumen.Attribution.Common;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// Helpers of the reference-based rules (DeepLift): a pass runs the input rows and their reference rows as one
/// batch [x; x′] of 2B rows, so every module sees both halves and rules compare them.
/// </summary>
internal static class ReferencePair
{
    /// <summary>Below this |Δx| a multiplier is the local gradient (Δy/Δx is undefined).</summary>
    public const float Threshold = 1e-10f;

    /// <summary>Gauss–Legendre points for path-averaged Jacobians (softmax, non-linear targets).</summary>
    public const int PathPoints = 32;

    /// <summary>The first and second halves of a [2B, …] tensor, detached.</summary>
    public static (Tensor Input, Tensor Reference) Halves(Tensor both)
    {
        int rows = both.Shape[0];
        if (rows % 2 != 0) throw new InvalidOperationException($"DeepLift: expected input and reference rows stacked into an even batch, got {rows} rows.");
        var detached = both.Detach();
        return (detached.Slice(0, 0, rows / 2), detached.Slice(0, rows / 2, rows));
    }

    /// <summary>[m; m]: the multipliers of the input half, repeated for the reference half.</summary>
    public static Tensor Twice(Tensor half) => Tensor.Concat([half, half], 0);

    /// <summary>seedᵀ·∂f/∂x at <paramref name="at"/>.</summary>
    public static Tensor Vjp(Func<Tensor, Tensor> function, Tensor at, Tensor seed)
    {
        using var _ = GradMode.On();
        var x = at.Detach().RequireGrad();
        return Gradients.Of(function(x), x, seed);
    }

    /// <summary>∫₀¹ seedᵀ·∂f/∂x(x′ + α(x − x′)) dα by Gauss–Legendre: multipliers m with Σ m·Δx = seed·Δf up to the
    /// quadrature error (tiny for smooth f such as softmax).</summary>
    public static Tensor PathAveragedVjp(Func<Tensor, Tensor> function, Tensor input, Tensor reference, Tensor seed)
    {
        var (alphas, weights) = QuadratureRule.Points(Quadrature.GaussLegendre, PathPoints);
        var delta = input - reference;
        Tensor? sum = null;
        for (int k = 0; k < alphas.Length; k++)
        {
            var g = Vjp(function, reference + delta * (float)alphas[k], seed) * (float)weights[k];
            sum = sum is null ? g : sum + g;
        }
        return sum!;
    }

    /// <summary>numerator/Δx where |Δx| exceeds <see cref="Threshold"/>, else <paramref name="fallback"/>.</summary>
    public static Tensor DivideOr(Tensor numerator, Tensor deltaIn, Tensor fallback)
    {
        var n = numerator.AsReadOnlySpan();
        var d = deltaIn.AsReadOnlySpan();
        var f = fallback.AsReadOnlySpan();
        var result = new float[n.Length];
        for (int i = 0; i < result.Length; i++) result[i] = MathF.Abs(d[i]) > Threshold ? n[i] / d[i] : f[i];
        return Tensor.FromArray(result, numerator.Shape.ToArray());
    }
}
