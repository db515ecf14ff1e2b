using Lumen.NN;
using Lumen.NN.Layers;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// Maps each module of a model (by dotted name and by role) to its <see cref="PropagationRule"/>; null means "no
/// rule", which propagation methods refuse for any module on the gradient path.
/// </summary>
/// <param name="Name">Kebab-case name, e.g. <c>epsilon-plus-flat</c>.</param>
/// <param name="Select">(name, module) ↦ rule or null.</param>
/// <example><code>var composite = new Composite("mine", (name, m) => m switch
/// {
///     ILinearLike => Rules.Epsilon(0.25f),
///     IActivation => Rules.Pass,
///     _ => null,
/// });</code></example>
public sealed record Composite(string Name, Func<string, Module, PropagationRule?> Select)
{
    /// <summary>The rule of the first linear layer (in module order), overriding <see cref="Select"/> there; null
    /// keeps <see cref="Select"/>'s choice.</summary>
    public PropagationRule? FirstLayer { get; init; }

    /// <summary>The rule of every module of <paramref name="model"/>, with <see cref="FirstLayer"/> applied.</summary>
    internal Func<string, Module, PropagationRule?> For(Module model)
    {
        if (FirstLayer is null) return Select;
        var first = model.NamedModules().FirstOrDefault(m => m.Module is ILinearLike).Module;
        return (name, module) => ReferenceEquals(module, first) ? FirstLayer : Select(name, module);
    }
}
