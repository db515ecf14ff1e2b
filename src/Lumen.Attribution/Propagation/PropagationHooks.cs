using Lumen.NN;
using Lumen.NN.Hooks;
using Lumen.NN.Layers;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// Attaches propagation rules to every module of a model for one pass: a forward hook gives each module's output
/// a custom backward rule (<see cref="Gradients.Custom"/>) that runs the module's <see cref="PropagationRule"/>.
/// A module on the gradient path without a rule is refused with an error naming it — never a silent plain gradient.
/// </summary>
internal static class PropagationHooks
{
    [ThreadStatic] private static int suspended;

    /// <summary>Hooks <paramref name="model"/>; dispose the result to remove every hook.</summary>
    /// <param name="model">The model.</param>
    /// <param name="method">The method's name, for messages.</param>
    /// <param name="select">The rule of a module, or null when it has none.</param>
    public static HookScope Attach(Module model, string method, Func<string, Module, PropagationRule?> select)
    {
        var parameters = new HashSet<Tensor>(model.Parameters().Select(p => p.Value), ReferenceEqualityComparer.Instance);
        foreach (var (_, buffer) in model.NamedBuffers()) parameters.Add(buffer);
        var scope = new HookScope();
        try
        {
            foreach (var (name, module) in model.NamedModules())
            {
                var rule = select(name, module);
                if (rule is PropagationRule.GradientRule) continue;
                if (rule is null && module.Children.Count > 0)
                {
                    if (module is IContainer) continue;
                    throw new NotSupportedException($"{method}: module {Describe(name, module)} computes in its own Forward around its children, where no propagation rule can see; give it a rule in the composite, or mark it {nameof(IContainer)} if it only wires its children.");
                }
                var key = name;
                scope.Add(model.Hooks.Add(module, HookKind.Forward, (output, context) => Wrap(method, key, module, rule, output, context, parameters)));
            }
        }
        catch
        {
            scope.Dispose();
            throw;
        }
        return scope;
    }

    /// <summary>While the result is alive, hooks added by <see cref="Attach"/> on this thread do nothing (rules
    /// re-evaluating a module must not trigger rules).</summary>
    public static IDisposable Suspend()
    {
        suspended++;
        return new Resume();
    }

    /// <summary>"'features.3' (Conv2d  weight [8, 3, 3, 3], …)", or an ONNX node's own description.</summary>
    public static string Describe(string name, Module module)
    {
        var text = module.ToString().Split('\n')[0].Trim(); // the module's own line: type and parameters, or an ONNX node's description
        if (text.Length == 0) text = module.GetType().Name;
        return name.Length == 0 ? $"(root, {text})" : $"'{name}' ({text})";
    }

    private static Tensor Wrap(string method, string name, Module module, PropagationRule? rule, Tensor output, HookContext context, HashSet<Tensor> parameters)
    {
        if (suspended > 0 || !GradMode.IsEnabled || !output.RequiresGrad) return output;
        if (rule is null)
            throw new NotSupportedException($"{method}: no propagation rule for module {Describe(name, module)}; refusing to fall back to its plain gradient. Give it a rule in the composite.");
        var inputs = context.Inputs;
        var data = new List<int>();
        for (int i = 0; i < inputs.Count; i++)
            if (inputs[i].RequiresGrad && !parameters.Contains(inputs[i])) data.Add(i);
        if (data.Count == 0) return output;
        var call = new ModuleCall(name, module, inputs, [.. data], output, context.Index);
        return Gradients.Custom($"{method}:{rule.Name}", output, [.. inputs], (g, needs) =>
        {
            var flowing = rule.Backward(call, g);
            if (flowing.Length != call.DataIndices.Length)
                throw new InvalidOperationException($"{method}: rule '{rule.Name}' returned {flowing.Length} tensors for the {call.DataIndices.Length} data inputs of {call.Describe()}.");
            var result = new Tensor?[call.InputCount];
            for (int k = 0; k < flowing.Length; k++) result[call.DataIndices[k]] = flowing[k];
            return result;
        });
    }

    private sealed class Resume : IDisposable
    {
        private bool done;

        public void Dispose()
        {
            if (done) return;
            done = true;
            suspended--;
        }
    }
}
