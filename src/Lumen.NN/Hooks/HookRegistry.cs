using Lumen.Tensors;

namespace Lumen.NN.Hooks;

/// <summary>
/// Registers hooks on a module's descendants by dotted name (relative to that module; "" is the module itself).
/// Each method returns a <see cref="HookHandle"/>; hooks on one module run in registration order.
/// </summary>
/// <example><code>
/// using var ablate = model.Hooks.OnForward("layer3.0.relu", (act, ctx) => act * 0f);
/// using var watch  = model.Hooks.OnBackward("fc", (grad, ctx) => { Console.WriteLine(grad.Shape); });
/// </code></example>
public sealed class HookRegistry
{
    private readonly Module root;

    internal HookRegistry(Module root) => this.root = root;

    /// <summary>Replaces each output of module <paramref name="name"/> by <c>hook(output, context)</c>.</summary>
    public HookHandle OnForward(string name, Func<Tensor, HookContext, Tensor> hook) => Add(name, HookKind.Forward, hook);

    /// <summary>Observes each output of module <paramref name="name"/>.</summary>
    public HookHandle OnForward(string name, Action<Tensor, HookContext> hook) => Add(name, HookKind.Forward, Observe(hook));

    /// <summary>Replaces each input of module <paramref name="name"/> by <c>hook(input, context)</c> before its forward.</summary>
    public HookHandle OnInput(string name, Func<Tensor, HookContext, Tensor> hook) => Add(name, HookKind.Input, hook);

    /// <summary>Observes each input of module <paramref name="name"/> before its forward.</summary>
    public HookHandle OnInput(string name, Action<Tensor, HookContext> hook) => Add(name, HookKind.Input, Observe(hook));

    /// <summary>Replaces the gradient reaching each input of module <paramref name="name"/> during the backward
    /// pass by <c>hook(gradient, context)</c> (same shape). Fires only for inputs that require gradients.</summary>
    public HookHandle OnBackward(string name, Func<Tensor, HookContext, Tensor> hook) => Add(name, HookKind.Backward, hook);

    /// <summary>Observes the gradient reaching each input of module <paramref name="name"/> during the backward pass.</summary>
    public HookHandle OnBackward(string name, Action<Tensor, HookContext> hook) => Add(name, HookKind.Backward, Observe(hook));

    /// <summary>Attaches a hook of the given kind to <paramref name="module"/>, which must be this module or a descendant.</summary>
    /// <exception cref="ArgumentException">The module is not in this tree.</exception>
    public HookHandle Add(Module module, HookKind kind, Func<Tensor, HookContext, Tensor> hook)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(hook);
        if (!root.NamedModules().Any(m => ReferenceEquals(m.Module, module)))
            throw new ArgumentException($"Hooks: {module.GetType().Name} '{module.Name}' is not part of {root.GetType().Name} '{root.Name}'.", nameof(module));
        var entry = new HookEntry(kind, hook);
        module.OwnHooks.Add(entry);
        return new HookHandle(module, entry);
    }

    /// <summary>Number of live hooks on this module and its descendants.</summary>
    public int Count => root.NamedModules().Sum(m => m.Module.OwnHooks.Count);

    /// <summary>Removes every hook on this module and its descendants.</summary>
    public void Clear()
    {
        foreach (var (_, module) in root.NamedModules()) module.OwnHooks.Clear();
    }

    /// <summary>The module with dotted name <paramref name="name"/> relative to this registry's module.</summary>
    /// <exception cref="ArgumentException">No such module; the message lists some known names.</exception>
    public Module Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var (candidate, module) in root.NamedModules())
            if (candidate == name) return module;
        var known = root.NamedModules().Select(m => m.Name).Where(n => n.Length > 0).Take(30).ToList();
        throw new ArgumentException($"Hooks: no module named '{name}' in {root.GetType().Name}; known names: {string.Join(", ", known)}{(known.Count == 30 ? ", …" : "")}.", nameof(name));
    }

    private HookHandle Add(string name, HookKind kind, Func<Tensor, HookContext, Tensor> hook) => Add(Resolve(name), kind, hook);

    private static Func<Tensor, HookContext, Tensor> Observe(Action<Tensor, HookContext> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return (value, context) => { hook(value, context); return value; };
    }
}
