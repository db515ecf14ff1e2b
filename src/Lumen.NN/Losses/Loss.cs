using Lumen.Tensors;

namespace Lumen.NN;

/// <summary>Loss functions (one file per loss), built from differentiable tensor ops.</summary>
public static partial class Loss
{
    private static Tensor Reduce(Tensor perElement, Reduction reduction, string op) => reduction switch
    {
        Reduction.Mean => perElement.Mean(),
        Reduction.Sum => perElement.Sum(),
        Reduction.None => perElement,
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), $"{op}: unknown reduction {reduction}."),
    };

    private static void RequireSameShape(Tensor input, Tensor target, string op)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.DType != DType.Float32 || target.DType != DType.Float32 || input.Shape != target.Shape)
            throw new ArgumentException($"{op}: input ({input.DType} {input.Shape}) and target ({target.DType} {target.Shape}) must be Float32 of the same shape.", nameof(target));
    }
}
