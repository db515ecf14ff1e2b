using Lumen.Attribution.Common;
using Lumen.NN;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Gradient;

/// <summary>
/// Shared machinery of the gradient family: the gradient of a target score with respect to the input, or to the
/// activation at a hook point, for a batch of rows.
/// </summary>
public abstract class GradientMethod : IAttributionMethod
{
    /// <summary>Binds the method to <paramref name="model"/>, refusing where-combinations it does not support.</summary>
    protected GradientMethod(Module model, AttributeTo attributeTo, bool supportsLayer)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        AttributeTo = attributeTo ?? throw new ArgumentNullException(nameof(attributeTo));
        if (attributeTo.Hook is { } layer)
        {
            if (!supportsLayer) throw new NotSupportedException($"{GetType().Name} attributes to the input only; {attributeTo} is not supported.");
            model.Hooks.Resolve(layer); // fails now, naming the hook, if it does not exist
        }
    }

    /// <summary>The explained model.</summary>
    public Module Model { get; }

    /// <summary>Where attributions land.</summary>
    public AttributeTo AttributeTo { get; }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public abstract Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null);

    /// <summary>
    /// ∂ target(f(rows)) / ∂ (rows or the hooked activation), per row, together with that attributed tensor's value
    /// (the rows themselves, or the activation).
    /// </summary>
    /// <param name="rows">The model inputs [N, …].</param>
    /// <param name="target">The explained score, per row.</param>
    /// <param name="replaceLayer">When attributing to a layer: replaces its activation in the forward pass (the
    /// gradient is then taken with respect to the replacement, which must be a leaf that requires gradients).</param>
    protected (Tensor Gradient, Tensor Value) GradientOf(Tensor rows, Target target, Func<Tensor, Tensor>? replaceLayer = null)
    {
        var (gradient, value, _) = GradientAndScores(rows, target, replaceLayer);
        return (gradient, value);
    }

    /// <summary><see cref="GradientOf"/> together with the target scores of the rows [N], from the same pass. A
    /// <paramref name="spent"/> gradient of an earlier call, which the caller will not read again, lends its storage
    /// to this pass (<see cref="Gradients.Of(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, IReadOnlyList{Tensor}?, bool, IReadOnlyList{Tensor})"/>).</summary>
    protected (Tensor Gradient, Tensor Value, Tensor Scores) GradientAndScores(Tensor rows, Target target, Func<Tensor, Tensor>? replaceLayer = null, Tensor? spent = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(target);
        var x = rows.Detach().RequireGrad();
        if (ReusablePassStorage(target, replaceLayer) is { } pool) return PooledGradientAndScores(pool, x, target, spent);
        var (scores, activation) = TargetedForward.Run(Model, x, target, AttributeTo.Hook, replaceLayer, Name);
        return activation is null
            ? (Gradients.Of(scores, x), x.Detach(), scores.Detach())
            : (Gradients.Of(scores, activation), activation.Detach(), scores.Detach());
    }

    /// <summary>The model's pass storage (<see cref="Module.PassStorage"/>) when a gradient pass may take its
    /// activations from it and give them all back: input attribution, a target that keeps nothing, no layer
    /// replaced and no hook anywhere in the model (a hook may keep what it sees). Else null.</summary>
    private StoragePool? ReusablePassStorage(Target target, Func<Tensor, Tensor>? replaceLayer) =>
        AttributeTo.Hook is null && replaceLayer is null && target.Hook is null && target.KeepsNoTensors && Model.Hooks.Count == 0
            ? Model.PassStorage
            : null;

    /// <summary><see cref="GradientAndScores"/> on input <paramref name="x"/> with the forward pass's storage taken
    /// from <paramref name="pool"/> and all given back before returning, so that the next chunk reuses warm memory
    /// instead of faulting in fresh pages. Safe because nothing outlives the call but the gradient (made by the
    /// backward pass, which never takes pooled storage), x and a copy of the scores. Values are those of the unpooled pass.</summary>
    private (Tensor Gradient, Tensor Value, Tensor Scores) PooledGradientAndScores(StoragePool pool, Tensor x, Target target, Tensor? spent)
    {
        using var pass = pool.Enter();
        var (scores, _) = TargetedForward.Run(Model, x, target, null, null, Name);
        var gradient = Gradients.Of([scores], [x], null, false, spent is null ? [] : [spent])[0];
        var copied = scores.Clone();
        pass.RecycleAll(gradient);
        return (gradient, x.Detach(), copied);
    }

    /// <summary>
    /// The part of ∂ target / ∂ rows that flows through the units <paramref name="through"/> selects at its hook point
    /// (a neuron yⱼ, or a channel's units): Σⱼ (∂f/∂yⱼ) · ∂yⱼ/∂rows per row, together with the rows and the target
    /// scores. One forward pass and two partial backward passes: the output's gradient down to the hook point, then,
    /// seeded with it masked to the selected units, from the hook point down to the input.
    /// </summary>
    /// <param name="rows">The model inputs [N, …].</param>
    /// <param name="target">The explained score f, per row.</param>
    /// <param name="through">A target that reads a hook point and selects units of it linearly
    /// (<see cref="Target.Neuron"/>, <see cref="Target.Channel"/>); its gradient is the 0/1 mask of those units.</param>
    protected (Tensor Gradient, Tensor Value, Tensor Scores) GradientThrough(Tensor rows, Target target, Target through)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(through);
        string hook = through.Hook ?? throw new ArgumentException($"{Name}: the unit to attribute through must read a hook point (Target.Neuron or Target.Channel), got {through}.", nameof(through));
        var x = rows.Detach().RequireGrad();
        var (scores, activation) = TargetedForward.Run(Model, x, target, hook, null, Name);
        var outputGradient = Gradients.Of(scores, activation!);           // ∂f/∂y, every unit
        var selection = Gradients.Of(through.Select(activation!), activation!); // 1 on the selected units
        return (Gradients.Of(activation!, x, outputGradient * selection), x.Detach(), scores.Detach());
    }

    /// <summary>Target scores of <paramref name="rows"/> without recording gradients.</summary>
    protected Tensor ScoresOf(Tensor rows, Target target)
    {
        using var _ = GradMode.Off();
        return TargetedForward.Scores(Model, rows, target);
    }

    /// <summary>The activation of the attributed layer for <paramref name="rows"/>, without recording gradients.</summary>
    protected Tensor LayerActivationOf(Tensor rows, Target target)
    {
        using var _ = GradMode.Off();
        return TargetedForward.Run(Model, rows, target, AttributeTo.Hook ?? throw new InvalidOperationException($"{Name}: no layer to read; AttributeTo is the input."), null, Name).Layer!;
    }
}
