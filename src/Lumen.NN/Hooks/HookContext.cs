using Lumen.Tensors;

namespace Lumen.NN.Hooks;

/// <summary>What a hook sees besides the tensor it observes: the module, which input or output the tensor is,
/// and the module's inputs of this call.</summary>
/// <param name="Module">The module the hook is attached to.</param>
/// <param name="Index">For forward hooks the output index; for input and backward hooks the input index.</param>
/// <param name="Inputs">The module's inputs of this call (after input hooks, for forward hooks).</param>
public sealed record HookContext(Module Module, int Index, IReadOnlyList<Tensor> Inputs)
{
    /// <summary>The module's dotted name.</summary>
    public string Name => Module.Name;
}
