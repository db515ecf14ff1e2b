using Lumen.NN.Hooks;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.NN;

/// <summary>
/// A layer or model: a tree of named submodules and parameters with a forward computation. Callers use
/// <see cref="Call(Tensor)"/>, which cannot be bypassed and runs the hooks registered through <see cref="Hooks"/>
/// around <see cref="Forward(Tensor)"/>.
/// </summary>
/// <remarks>
/// Call order: input hooks (in registration order, per input) → backward-hook identity nodes on the inputs that
/// require gradients → <c>Forward</c> → forward hooks (in registration order, per output). Names are dotted paths
/// stamped by the root when modules are registered (<c>layer1.0.conv1</c>).
/// </remarks>
/// <example><code>
/// sealed class Mlp : Module
/// {
///     private readonly Linear fc1, fc2;
///     public Mlp() { fc1 = Register("fc1", new Linear(4, 8)); fc2 = Register("fc2", new Linear(8, 2)); }
///     protected override Tensor Forward(Tensor x) => fc2.Call(fc1.Call(x).Relu());
/// }
/// </code></example>
public abstract partial class Module
{
    private HookRegistry? hooks;

    /// <summary>Hooks on this module and its descendants, addressed by dotted name relative to this module.</summary>
    public HookRegistry Hooks => hooks ??= new HookRegistry(this);

    /// <summary>The hooks attached to this very module (filled through <see cref="Hooks"/>).</summary>
    internal ModuleHooks OwnHooks { get; } = new();

    /// <summary>True when a hook of any kind is attached to this very module (not counting its descendants).</summary>
    public bool HasOwnHooks => OwnHooks.Count > 0;

    /// <summary>
    /// A pool from which a caller that runs a whole forward pass (and its backward pass) may take the pass's storage
    /// and give it all back afterwards (<see cref="StoragePool.Scope.RecycleAll"/>), or null (the default: the module
    /// does not vouch for it). A module returns one only when its forward keeps no tensor it computes (no cache, no
    /// state replaced by a result), so that once the caller has dropped the outputs and their autograd tape, and no
    /// hook was registered, every array the pass took is dead. Attribution methods use it between chunks.
    /// </summary>
    public virtual StoragePool? PassStorage => null;

    /// <summary>Runs the module on one input, with its hooks.</summary>
    /// <exception cref="InvalidOperationException">The module produced more than one output.</exception>
    public Tensor Call(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var outputs = Call([x]);
        if (outputs.Count != 1)
            throw new InvalidOperationException($"{Describe()}: produced {outputs.Count} outputs; use Call(IReadOnlyList<Tensor>) for multi-output modules.");
        return outputs[0];
    }

    /// <summary>Runs the module on several inputs (multi-input/multi-output modules), with its hooks.</summary>
    public IReadOnlyList<Tensor> Call(IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var inputHooks = OwnHooks.Snapshot(HookKind.Input);
        var backwardHooks = OwnHooks.Snapshot(HookKind.Backward);
        var forwardHooks = OwnHooks.Snapshot(HookKind.Forward);
        IReadOnlyList<Tensor> xs = inputs;
        if (inputHooks.Length > 0 || backwardHooks.Length > 0)
        {
            var hooked = inputs.ToArray();
            for (int i = 0; i < hooked.Length; i++)
            {
                foreach (var hook in inputHooks)
                    hooked[i] = hook.Invoke(hooked[i], new HookContext(this, i, inputs), Describe());
                if (backwardHooks.Length > 0 && hooked[i].RequiresGrad && GradMode.IsEnabled)
                    hooked[i] = Gradients.Custom("BackwardHook", hooked[i], [hooked[i]], BackwardHookRule(backwardHooks, new HookContext(this, i, inputs)));
            }
            xs = hooked;
        }
        var outputs = Forward(xs);
        if (forwardHooks.Length == 0) return outputs;
        var replaced = outputs.ToArray();
        for (int i = 0; i < replaced.Length; i++)
            foreach (var hook in forwardHooks)
                replaced[i] = hook.Invoke(replaced[i], new HookContext(this, i, xs), Describe());
        return replaced;
    }

    /// <summary>The computation of a single-input, single-output module. Called only through <see cref="Call(Tensor)"/>.</summary>
    protected abstract Tensor Forward(Tensor x);

    /// <summary>The computation of a multi-input or multi-output module; the default routes one input to
    /// <see cref="Forward(Tensor)"/>.</summary>
    /// <exception cref="ArgumentException">More or fewer than one input given to a single-input module.</exception>
    protected virtual IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != 1) throw new ArgumentException($"{Describe()}: takes one input, got {inputs.Count}.", nameof(inputs));
        return [Forward(inputs[0])];
    }

    /// <summary>Runs the module and records the outputs of every descendant whose dotted name passes
    /// <paramref name="filter"/> (all when null). The temporary hooks are removed even if the forward throws.</summary>
    /// <param name="input">The model input.</param>
    /// <param name="filter">Selects module names (relative to this module) to cache.</param>
    /// <param name="detach">Store detached activations (no autograd history) instead of the live tensors.</param>
    public (Tensor Output, ActivationCache Cache) RunWithCache(Tensor input, Func<string, bool>? filter = null, bool detach = false)
    {
        var cache = new ActivationCache();
        using var scope = new HookScope();
        foreach (var (name, _) in NamedModules())
        {
            if (name.Length == 0 || (filter is not null && !filter(name))) continue;
            var key = name;
            scope.Add(Hooks.OnForward(key, (output, _) => { cache.Add(key, detach ? output.Detach() : output); }));
        }
        return (Call(input), cache);
    }

    private static BackwardRule BackwardHookRule(HookEntry[] hooks, HookContext context) => (g, needs) =>
    {
        var grad = g;
        foreach (var hook in hooks)
            if (hook.IsActive) grad = hook.Invoke(grad, context, context.Module.Describe());
        return [grad];
    };
}
