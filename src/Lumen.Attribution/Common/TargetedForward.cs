using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Common;

/// <summary>
/// One forward pass that yields a <see cref="Target"/>'s scores, reading the model output or, for targets with a
/// <see cref="Target.Hook"/> (neurons, channels), the activation at that hook point; optionally it also captures,
/// or replaces, the activation of a layer (for layer attribution). Every hook it adds is removed when it returns,
/// also when the forward pass throws.
/// </summary>
public static class TargetedForward
{
    /// <summary>The target scores [B] of <paramref name="input"/> [B, …].</summary>
    /// <example><code>var scores = TargetedForward.Scores(model, input, Target.Neuron("fc1", 3));</code></example>
    public static Tensor Scores(Module model, Tensor input, Target target) => Run(model, input, target, null, null, "TargetedForward").Scores;

    /// <summary>Runs <paramref name="model"/> on <paramref name="input"/> and returns what <paramref name="target"/>
    /// reads: the model output, or the activation at the target's hook point, which must run exactly once. Methods that
    /// seed their own backward pass (the propagation family) start it from this tensor.</summary>
    internal static Tensor Read(Module model, Tensor input, Target target, string method)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        if (target.Hook is not { } hook) return model.Call(input);
        var activations = new List<Tensor>();
        using (model.Hooks.OnForward(hook, (activation, _) => activations.Add(activation))) model.Call(input);
        if (activations.Count != 1)
            throw new InvalidOperationException($"{method}: the target's hook point '{hook}' ran {activations.Count} times in one forward pass; a neuron target needs exactly one activation.");
        return activations[0];
    }

    /// <summary>
    /// Runs <paramref name="model"/> on <paramref name="input"/>. With a <paramref name="layer"/>, its activation is
    /// passed through <paramref name="replace"/> (when given) and returned; the layer must run exactly once.
    /// </summary>
    internal static (Tensor Scores, Tensor? Layer) Run(Module model, Tensor input, Target target, string? layer, Func<Tensor, Tensor>? replace, string method)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        var layerActivations = new List<Tensor>();
        var targetActivations = new List<Tensor>();
        Tensor output;
        using (var scope = new Lumen.NN.Hooks.HookScope())
        {
            if (layer is not null)
                scope.Add(model.Hooks.OnForward(layer, (activation, _) =>
                {
                    var value = replace is null ? activation : replace(activation);
                    layerActivations.Add(value);
                    return value;
                }));
            if (target.Hook is { } hook)
                scope.Add(model.Hooks.OnForward(hook, (activation, _) => targetActivations.Add(activation)));
            output = model.Call(input);
        }
        if (layer is not null && layerActivations.Count != 1)
            throw new InvalidOperationException($"{method}: hook point '{layer}' ran {layerActivations.Count} times in one forward pass; layer attribution needs exactly one activation.");
        if (target.Hook is { } name && targetActivations.Count != 1)
            throw new InvalidOperationException($"{method}: the target's hook point '{name}' ran {targetActivations.Count} times in one forward pass; a neuron target needs exactly one activation.");
        var scores = target.Select(target.Hook is null ? output : targetActivations[0]);
        return (scores, layer is null ? null : layerActivations[0]);
    }
}
