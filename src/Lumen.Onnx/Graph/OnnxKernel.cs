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
