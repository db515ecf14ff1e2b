using Lumen.Onnx.IO;
using Lumen.Onnx.Schema;
using Lumen.Tensors;

namespace Lumen.Onnx.Graph;

/// <summary>A graph input or output: its name, ONNX element type and dimensions (fixed, symbolic or unknown).</summary>
/// <param name="Name">The value's name in the graph.</param>
/// <param name="ElementType">ONNX <c>TensorProto.DataType</c> code; 0 when the file does not say.</param>
/// <param name="Dims">One entry per dimension: a number, a symbol such as "batch", or "?"; null when the rank is unknown.</param>
public sealed record OnnxValueInfo(string Name, int ElementType, IReadOnlyList<string>? Dims)
{
    /// <summary>The Lumen storage type of the value.</summary>
    public DType Storage => OnnxTensors.StorageOf(ElementType);

    /// <summary>"input [batch, 3, 224, 224] FLOAT".</summary>
    public override string ToString() =>
        $"{Name} {(Dims is null ? "[?]" : "[" + string.Join(", ", Dims) + "]")} {(ElementType == 0 ? "?" : OnnxTensors.TypeName(ElementType))}";

    internal static OnnxValueInfo From(ValueInfoProto proto)
    {
        if (proto.Type?.TensorType is not { } tensor) return new(proto.Name, 0, null);
        List<string>? dims = null;
        if (tensor.Shape is { } shape)
        {
            dims = [];
            foreach (var d in shape.Dim)
                dims.Add(d.ValueCase switch
                {
                    TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
                    _ => "?",
                });
        }
        return new(proto.Name, tensor.ElemType, dims);
    }

    /// <summary>The fixed size of dimension <paramref name="i"/>, or null when it is symbolic or unknown.</summary>
    public long? FixedDim(int i) =>
        Dims is not null && long.TryParse(Dims[i], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;
}
