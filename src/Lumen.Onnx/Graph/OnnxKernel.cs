using Lumen.Tensors;

namespace Lumen.Onnx.Graph;

/// <summary>
/// The runtime form of one node: maps its input values (null for an omitted optional input) to its output values,
/// in the order of the node's outputs. Built once per node by an <see cref="OnnxConverter"/>; must be built from
/// differentiable tensor ops so that gradients flow through it.
/// </summary>
public delegate Tensor[] OnnxKernel(Tensor?[] inputs);

/// <summary>
/// Turns a node into its kernel, after checking every attribute it depends on. A converter throws
/// (<see cref="OnnxNode.Unsupported"/>) for an attribute value it cannot honour, so that unsupported models are
/// rejected at load time, before anything runs.
/// </summary>
public delegate OnnxKernel OnnxConverter(OnnxNode node);

/// <summary>
/// The in-place form of an elementwise activation node: applies the node to <paramref name="target"/>'s own
/// storage, given the node's run-time inputs (input 0 is <paramref name="target"/>), and returns true; returns false,
/// leaving <paramref name="target"/> untouched, when these inputs need the ordinary kernel. Used only for inference,
/// when the producer's fresh output is read by nothing else (see <see cref="OnnxGraph"/>).
/// </summary>
public delegate bool OnnxInPlaceKernel(Tensor target, Tensor?[] inputs);
