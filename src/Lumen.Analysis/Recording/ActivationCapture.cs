using Lumen.NN;
using Lumen.NN.Hooks;
using Lumen.Tensors;

namespace Lumen.Analysis.Recording;

/// <summary>The one place that runs a model with forward hooks to read activations at named hook points: the
/// recorder, network dissection and feature visualization all capture through it.</summary>
/// <remarks>Each hook point's first firing (<c>context.Index == 0</c>, first call) is kept. When the model's output is
/// not needed, the forward pass stops as soon as the last requested hook point has fired: later layers cannot change
/// the captured values, and for an early layer this skips most of the network (and any later layer that would reject
/// the input size). The hooks are removed by their scope whatever happens.</remarks>
internal static class ActivationCapture
{
    /// <summary>Runs <paramref name="model"/> on <paramref name="input"/> and returns the activations of
    /// <paramref name="hookPoints"/> (in order) and, when <paramref name="needOutput"/>, the model's output.
    /// Gradient mode is the caller's.</summary>
    /// <exception cref="InvalidOperationException">A hook point did not fire (the message names <paramref name="who"/>).</exception>
    public static (Tensor? Output, Tensor[] Activations) Run(Module model, IReadOnlyList<string> hookPoints, Tensor input, bool needOutput, string who)
    {
        var seen = new Tensor?[hookPoints.Count];
        int fired = 0;
        Tensor? output = null;
        using (var scope = new HookScope())
        {
            for (int h = 0; h < hookPoints.Count; h++)
            {
                int index = h;
                scope.Add(model.Hooks.OnForward(hookPoints[h], (activation, context) =>
                {
                    if (context.Index != 0 || seen[index] is not null) return;
                    seen[index] = activation;
                    if (++fired == seen.Length && !needOutput) throw new ForwardStopped();
                }));
            }
            try { output = model.Call(input); }
            catch (ForwardStopped) { }
        }
        var activations = new Tensor[seen.Length];
        for (int h = 0; h < seen.Length; h++)
            activations[h] = seen[h] ?? throw new InvalidOperationException($"{who}: hook point '{hookPoints[h]}' did not run during the forward pass.");
        return (output, activations);
    }

    /// <summary>Ends a forward pass early once every needed activation is captured.</summary>
    private sealed class ForwardStopped : Exception
    {
        public ForwardStopped() : base("The forward pass stopped after the last needed hook point.") { }
    }
}
