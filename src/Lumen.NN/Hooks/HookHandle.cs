namespace Lumen.NN.Hooks;

/// <summary>A registered hook; disposing it removes the hook. A hook whose handle is live when the forward pass
/// runs also fires in the backward pass that follows, as long as the handle is still live then.</summary>
public sealed class HookHandle : IDisposable
{
    private readonly Module module;
    private readonly HookEntry entry;

    internal HookHandle(Module module, HookEntry entry)
    {
        this.module = module;
        this.entry = entry;
    }

    /// <summary>The module the hook is attached to.</summary>
    public Module Module => module;

    /// <summary>Where the hook runs.</summary>
    public HookKind Kind => entry.Kind;

    /// <summary>False once disposed.</summary>
    public bool IsActive => entry.IsActive;

    /// <summary>Removes the hook (idempotent).</summary>
    public void Dispose()
    {
        if (entry.IsActive) module.OwnHooks.Remove(entry);
    }
}
