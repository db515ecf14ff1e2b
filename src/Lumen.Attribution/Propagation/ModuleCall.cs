using Lumen.NN;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Propagation;

/// <summary>One call of a module during a propagation pass: what a <see cref="PropagationRule"/> sees when it maps
/// the gradient (relevance, multiplier) at the module's output to its data inputs.</summary>
public sealed class ModuleCall
{
    private readonly IReadOnlyList<Tensor> inputs;
    private readonly int[] dataIndices;

    internal ModuleCall(string name, Module module, IReadOnlyList<Tensor> inputs, int[] dataIndices, Tensor output, int outputIndex)
    {
        Name = name;
        Module = module;
        this.inputs = inputs;
        this.dataIndices = dataIndices;
        Output = output;
        OutputIndex = outputIndex;
    }

    /// <summary>The module's dotted name.</summary>
    public string Name { get; }

    /// <summary>The module.</summary>
    public Module Module { get; }

    /// <summary>The inputs that carry data (they depend on the explained input and are not parameters).</summary>
    public IReadOnlyList<Tensor> DataInputs => [.. dataIndices.Select(i => inputs[i])];

    /// <summary>The module's output of this call, with the module's own autograd history.</summary>
    public Tensor Output { get; }

    /// <summary>Which output of the module <see cref="Output"/> is.</summary>
    public int OutputIndex { get; }

    internal int[] DataIndices => dataIndices;

    internal int InputCount => inputs.Count;

    /// <summary>The plain vector–Jacobian product seedᵀ·∂output/∂(data inputs), through the module's own
    /// recorded forward (no re-evaluation).</summary>
    public Tensor[] Vjp(Tensor seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        return Gradients.Of([Output], DataInputs, [seed]);
    }

    /// <summary>Re-evaluates the module (output <see cref="OutputIndex"/>) on other data inputs, with the same
    /// constant inputs. Propagation rules do not fire inside it; gradients are recorded when recording is on.</summary>
    public Tensor Evaluate(IReadOnlyList<Tensor> dataInputs)
    {
        ArgumentNullException.ThrowIfNull(dataInputs);
        if (dataInputs.Count != dataIndices.Length)
            throw new ArgumentException($"ModuleCall.Evaluate: {Describe()} takes {dataIndices.Length} data inputs, got {dataInputs.Count}.", nameof(dataInputs));
        var all = inputs.ToArray();
        for (int k = 0; k < dataIndices.Length; k++) all[dataIndices[k]] = dataInputs[k];
        using var _ = PropagationHooks.Suspend();
        return Module.Call(all)[OutputIndex];
    }

    /// <summary>"'features.3' (Conv2d)" or, for an imported node, its ONNX description.</summary>
    public string Describe() => PropagationHooks.Describe(Name, Module);
}
