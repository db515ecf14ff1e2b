using Lumen.Tensors;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// A modified backward pass for one kind of module: maps what flows backward at the module's output (relevance for
/// LRP, multipliers for DeepLift, a rectified gradient for guided backpropagation) to its data inputs. Attached
/// to a model by a <see cref="Composite"/>, it replaces the module's gradient (Zennit's rule-as-modified-gradient).
/// </summary>
public abstract record PropagationRule
{
    /// <summary>Kebab-case name, shown in errors and listings.</summary>
    public abstract string Name { get; }

    /// <summary>What flows to each data input (<see cref="ModuleCall.DataInputs"/>, same shapes) given what flows to
    /// the output.</summary>
    public abstract Tensor[] Backward(ModuleCall call, Tensor outputGradient);

    /// <summary>The module's own gradient, unchanged: right for modules that only move values (reshape, concat)
    /// or select them (max pooling routes relevance winner-take-all).</summary>
    public static PropagationRule Gradient { get; } = new GradientRule();

    /// <summary>Marks "leave the module's gradient as it is": the hooks do not wrap such modules at all.</summary>
    internal sealed record GradientRule : PropagationRule
    {
        public override string Name => "gradient";

        public override Tensor[] Backward(ModuleCall call, Tensor outputGradient) => call.Vjp(outputGradient);
    }
}
