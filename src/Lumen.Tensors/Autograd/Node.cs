namespace Lumen.Tensors.Autograd;

/// <summary>A backward rule: given the gradient of an op's output, returns the gradient for each input
/// (null where <paramref name="needs"/> is false or the input is not differentiable).</summary>
/// <param name="outputGrad">dL/d(output), with the output's shape.</param>
/// <param name="needs">needs[i] is true when input i's gradient is wanted; rules skip the others.</param>
public delegate Tensor?[] BackwardRule(Tensor outputGrad, bool[] needs);

/// <summary>One recorded op on the autograd tape: its inputs and its backward rule.</summary>
internal sealed class Node(string op, Tensor[] inputs, BackwardRule backward)
{
    /// <summary>The op's name, used in error messages.</summary>
    public string Op { get; } = op;

    /// <summary>The op's tensor inputs, in order.</summary>
    public Tensor[] Inputs { get; } = inputs;

    /// <summary>Maps the output gradient to the input gradients.</summary>
    public BackwardRule Backward { get; } = backward;

    /// <summary>True for custom rules (<see cref="Gradients.Custom"/>), which may keep the gradient they are handed, so
    /// the backward pass never reuses its storage.</summary>
    public bool MayKeepGradient { get; set; }

    /// <summary>Bytes the rule keeps for the backward pass beyond the tape's tensors (e.g. a fused chain's intermediate
    /// values), counted by <see cref="Gradients.TapeBytes"/>.</summary>
    public long SavedBytes { get; set; }
}
