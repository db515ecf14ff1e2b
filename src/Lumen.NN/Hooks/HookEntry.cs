using Lumen.Tensors;

namespace Lumen.NN.Hooks;

/// <summary>One registered hook function and whether its handle is still live.</summary>
internal sealed class HookEntry(HookKind kind, Func<Tensor, HookContext, Tensor> function)
{
    public HookKind Kind { get; } = kind;

    public bool IsActive { get; set; } = true;

    /// <summary>Runs the hook; a null replacement is an error naming the module.</summary>
    public Tensor Invoke(Tensor value, HookContext context, string module) =>
        function(value, context) ?? throw new InvalidOperationException($"{Kind} hook on {module} returned null; return the tensor unchanged to only observe it.");
}
