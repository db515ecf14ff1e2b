using Lumen.NN;
using Lumen.NN.Hooks;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Perturbation.Incremental;

/// <summary>
/// The dataflow of one forward pass, recorded by forward hooks on every leaf module: each call with its input and
/// output tensors, in execution order. Values are identified by reference, so the trace is the model's graph as
/// far as leaf modules see it: the model input, the outputs of earlier calls, and constants (parameters, buffers).
/// </summary>
internal sealed class ForwardTrace
{
    /// <summary>One call of a leaf module.</summary>
    internal sealed record Call(Module Module, Tensor[] Inputs, Tensor[] Outputs);

    private ForwardTrace(Tensor input, Tensor output, List<Call> calls, HashSet<Tensor> constants)
    {
        Input = input;
        Output = output;
        Calls = calls;
        Constants = constants;
    }

    /// <summary>The model input [1, …].</summary>
    public Tensor Input { get; }

    /// <summary>The model output.</summary>
    public Tensor Output { get; }

    /// <summary>Every leaf call in execution order.</summary>
    public IReadOnlyList<Call> Calls { get; }

    /// <summary>The model's parameters and buffers.</summary>
    public IReadOnlySet<Tensor> Constants { get; }

    /// <summary>Runs <paramref name="model"/> once on <paramref name="input"/> without gradients and records it.</summary>
    public static ForwardTrace Record(Module model, Tensor input)
    {
        var calls = new List<Call>();
        Tensor output;
        using (GradMode.Off())
        using (var scope = new HookScope())
        {
            foreach (var (_, module) in model.NamedModules())
            {
                if (module.Children.Count > 0) continue;
                scope.Add(model.Hooks.Add(module, HookKind.Forward, (value, context) =>
                {
                    if (context.Index == 0) calls.Add(new Call(context.Module, [.. context.Inputs], [value]));
                    else
                    {
                        var last = calls[^1];
                        calls[^1] = last with { Outputs = [.. last.Outputs, value] };
                    }
                    return value;
                }));
            }
            output = model.Call(input);
        }
        var constants = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var p in model.Parameters()) constants.Add(p.Value);
        foreach (var (_, buffer) in model.NamedBuffers()) constants.Add(buffer);
        return new ForwardTrace(input, output, calls, constants);
    }
}
