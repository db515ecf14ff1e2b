using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>
/// Optional, OptionalHasElement and OptionalGetElement over optional tensors. Lumen's graph values are tensors, and an
/// omitted input is already "no value", so an optional tensor is a tensor or an omitted input: Optional(x) is x,
/// OptionalHasElement tells whether its input is present, OptionalGetElement returns it. An empty optional built by
/// Optional() and optionals of sequences are refused.
/// </summary>
internal static class OptionalOps
{
    public static void Register()
    {
        OnnxOps.Register("Optional", 15, node =>
        {
            if (!node.HasInput(0)) throw node.Unsupported("empty Optional() (Lumen values are tensors)");
            return inputs => [inputs.Arg(0)];
        });
        OnnxOps.Register("OptionalHasElement", 15, node => inputs =>
            [OpHelpers.BoolTensor([inputs.Optional(0) is not null], Shape.Scalar)]);
        OnnxOps.Register("OptionalGetElement", 15, node => inputs =>
            [inputs.Optional(0) ?? throw new ArgumentException("OptionalGetElement: the optional is empty.")]);
    }
}
