using Lumen.Attribution.Common;
using Lumen.NN;
using Lumen.NN.Hooks;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Cam;

/// <summary>
/// Shared machinery of the class-activation-map family: one forward pass captures the activation A [B, K, h, w]
/// of a layer (and, for gradient-weighted variants, one backward pass its gradient G = ∂score/∂A); the variant
/// combines them into a map [B, 1, h, w], which is rectified and upsampled to the input as the options say.
/// </summary>
/// <remarks>A 2-D activation [B, K] is treated as [B, K, 1] (one position), which gives Captum's LayerGradCam on
/// linear layers; the map is then [B, 1].</remarks>
public abstract class CamMethod : IAttributionMethod
{
    /// <summary>Binds the method to <paramref name="model"/>; a named layer must exist.</summary>
    protected CamMethod(Module model, CamOptions? options)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Options = options ?? new();
        if (Options.Layer is { } layer) model.Hooks.Resolve(layer); // fails now, naming the hook, if it does not exist
    }

    /// <summary>The explained model.</summary>
    public Module Model { get; }

    /// <summary>The options.</summary>
    public CamOptions Options { get; }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <summary>Whether <see cref="Combine"/> needs the gradient (false for EigenCam).</summary>
    protected virtual bool UsesGradient => true;

    /// <summary>Combines the activation A [B, K, S…] and its gradient G (same shape, or null when
    /// <see cref="UsesGradient"/> is false) into the map [B, 1, S…].</summary>
    protected abstract Tensor Combine(Tensor activation, Tensor? gradient);

    /// <inheritdoc/>
    public Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        cancellation.ThrowIfCancellationRequested();
        if (input.Rank == 0) throw new ArgumentException($"{Name}: the input needs a batch dimension, got shape {input.Shape}.");
        Tensor activation;
        Tensor? gradient = null;
        if (UsesGradient)
        {
            var (scores, a) = Forward(input.Detach().RequireGrad(), target);
            activation = a;
            gradient = Gradients.Of(scores, activation);
        }
        else
        {
            using var off = GradMode.Off();
            activation = Forward(input.Detach(), target).Activation;
        }
        Tensor map;
        using (GradMode.Off())
        {
            var a = activation.Detach();
            bool flat = a.Rank == 2;
            if (flat) { a = a.Unsqueeze(2); gradient = gradient?.Unsqueeze(2); } // [B, K] → [B, K, 1]
            map = Combine(a, gradient); // [B, 1, S…]
            if (flat) map = map.Squeeze(2);
            map = Finish(map, input, Options);
        }
        progress?.Report(1);
        return new Attribution(map, target, Name);
    }

    /// <summary>The last step of every CAM variant: the combined map [B, 1, S…] rectified and upsampled to the
    /// input as <paramref name="options"/> say.</summary>
    internal static Tensor Finish(Tensor map, Tensor input, CamOptions options)
    {
        if (options.Relu) map = map.Relu();
        if (options.Upsample && map.Rank == 4 && input.Rank == 4 && (map.Shape[2] != input.Shape[2] || map.Shape[3] != input.Shape[3]))
            map = map.Resize(input.Shape[2], input.Shape[3], ResizeMode.Bilinear, ResizeCoordinates.PytorchHalfPixel);
        return map;
    }

    /// <summary>
    /// The hook point a CAM method uses when <see cref="CamOptions.Layer"/> is null: of the modules without
    /// children, the last to produce a 4-D output whose spatial size h·w exceeds 1 when <paramref name="model"/>
    /// runs on <paramref name="input"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No hook point produces such an output.</exception>
    public static string DefaultLayer(Module model, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        using var off = GradMode.Off();
        return RunCapturingLastSpatial(model, input, Target.Custom("none", o => o), "CamMethod", scoresNeeded: false).Layer;
    }

    /// <summary>The target scores and the activation of the chosen (or default) layer.</summary>
    private (Tensor Scores, Tensor Activation) Forward(Tensor x, Target target) => Forward(Model, x, target, Options.Layer, Name);

    /// <summary>The target scores and the activation of <paramref name="layer"/> (or, when null, of the
    /// <see cref="DefaultLayer"/>, taken from the same forward pass) for <paramref name="x"/>; for CAM variants that
    /// are not <see cref="CamMethod"/>s (ScoreCam).</summary>
    internal static (Tensor Scores, Tensor Activation) Forward(Module model, Tensor x, Target target, string? layer, string method)
    {
        if (layer is not null)
        {
            var (scores, activation) = TargetedForward.Run(model, x, target, layer, null, method);
            return (scores, activation!);
        }
        var run = RunCapturingLastSpatial(model, x, target, method, scoresNeeded: true);
        return (run.Scores!, run.Activation);
    }

    private static (Tensor? Scores, Tensor Activation, string Layer) RunCapturingLastSpatial(Module model, Tensor x, Target target, string method, bool scoresNeeded)
    {
        Tensor? last = null;
        string lastName = "";
        var targetActivations = new List<Tensor>();
        Tensor output;
        using (var scope = new HookScope())
        {
            foreach (var (name, module) in model.NamedModules())
            {
                if (name.Length == 0 || module.Children.Count > 0) continue;
                string hookName = name;
                scope.Add(model.Hooks.Add(module, HookKind.Forward, (activation, _) =>
                {
                    if (activation.Rank == 4 && activation.Shape[2] * activation.Shape[3] > 1) { last = activation; lastName = hookName; }
                    return activation;
                }));
            }
            if (scoresNeeded && target.Hook is { } hook)
                scope.Add(model.Hooks.OnForward(hook, (activation, _) => targetActivations.Add(activation)));
            output = model.Call(x);
        }
        if (last is null)
            throw new InvalidOperationException($"{method}: no hook point of {model.GetType().Name} produces a 4-D output with spatial size above 1 for input {x.Shape}; name the layer in CamOptions.Layer.");
        if (!scoresNeeded) return (null, last, lastName);
        if (target.Hook is { } targetHook && targetActivations.Count != 1)
            throw new InvalidOperationException($"{method}: the target's hook point '{targetHook}' ran {targetActivations.Count} times in one forward pass; a neuron target needs exactly one activation.");
        return (target.Select(target.Hook is null ? output : targetActivations[0]), last, lastName);
    }

    /// <summary>The spatial axes 2… of a [B, K, S…] tensor.</summary>
    protected static int[] SpatialAxes(Tensor activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        return [.. Enumerable.Range(2, activation.Rank - 2)];
    }
}
