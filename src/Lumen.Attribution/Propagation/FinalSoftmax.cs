using Lumen.NN;
using Lumen.NN.Hooks;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// LRP for a classifier that ends in a Softmax (SqueezeNet's ONNX export, say): no LRP rule propagates relevance
/// through a softmax, so the class is explained at its logit — the Softmax's input — which is what LRP explains by
/// design (Montavon et al., "Layer-Wise Relevance Propagation: An Overview", in Explainable AI, LNCS 11700, 2019).
/// </summary>
/// <remarks>Only a Softmax or LogSoftmax that the composite gives no rule, and whose output is the model output, is
/// skipped; the pass gives every such softmax a rule that refuses, so one anywhere else (an attention softmax, say) is
/// still refused by name when relevance reaches it. A softmax the composite has a rule for keeps it. Only class targets
/// qualify: a custom target is a function of the probabilities themselves.</remarks>
internal sealed class FinalSoftmax(Func<string, Module, PropagationRule?> rules)
{
    private readonly List<(Tensor Logits, Tensor Output)> calls = [];

    /// <summary>Whether <paramref name="target"/> is a class score of the model output.</summary>
    public static bool Applies(Target target) => target is ClassTarget && target.Hook is null;

    /// <summary>The composite's rules, with <see cref="Refused"/> for every softmax module they leave without one.</summary>
    public Func<string, Module, PropagationRule?> Rules => (name, module) => rules(name, module) ?? (module is ISoftmax ? Refused.Instance : null);

    /// <summary>Records, while the result is alive, the input and output of each call of a softmax that the composite
    /// leaves without a rule; attach it after the propagation hooks, so that the recorded output is the one the model
    /// returns.</summary>
    public IDisposable Watch(Module model)
    {
        var scope = new HookScope();
        foreach (var (name, module) in model.NamedModules())
            if (module is ISoftmax && rules(name, module) is null)
                scope.Add(model.Hooks.Add(module, HookKind.Forward, (output, context) =>
                {
                    calls.Add((context.Inputs[0], output));
                    return output;
                }));
        return scope;
    }

    /// <summary>The logits of the softmax that produced <paramref name="output"/>, or <paramref name="output"/>
    /// itself when no softmax did.</summary>
    public Tensor LogitsOf(Tensor output)
    {
        foreach (var (logits, softmaxOutput) in calls)
            if (ReferenceEquals(softmaxOutput, output)) return logits;
        return output;
    }

    /// <summary>The rule of every softmax in the pass: relevance that reaches one was not started at its input, so the
    /// softmax is not the final one, and LRP has no rule for it.</summary>
    private sealed record Refused : PropagationRule
    {
        public static Refused Instance { get; } = new();

        public override string Name => "refused";

        public override Tensor[] Backward(ModuleCall call, Tensor outputGradient) =>
            throw new NotSupportedException($"Lrp: no propagation rule for module {PropagationHooks.Describe(call.Name, call.Module)}, a softmax inside the model (only one that produces the model output is explained at its logits); refusing to fall back to its plain gradient. Give it a rule in the composite.");
    }
}
