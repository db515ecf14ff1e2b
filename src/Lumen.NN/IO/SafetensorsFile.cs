using Lumen.Tensors;

namespace Lumen.NN.IO;

/// <summary>The contents of a safetensors file: tensors by name in header order, and the string metadata.</summary>
/// <param name="Tensors">Tensors by name.</param>
/// <param name="Metadata">The <c>__metadata__</c> map (empty when absent).</param>
public sealed record SafetensorsFile(OrderedDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata);
