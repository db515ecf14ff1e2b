using Google.Protobuf;
using Lumen.Onnx.IO;
using Lumen.Onnx.Schema;
using Lumen.Tensors;

namespace Lumen.Onnx.Tests;

/// <summary>Builds small ONNX models in code for unit tests (no downloads).</summary>
internal sealed class OnnxBuilder
{
    private readonly ModelProto model;
    private int nodeCount;

    public OnnxBuilder(int opset = 13, long irVersion = 8)
    {
        model = new ModelProto { IrVersion = irVersion, ProducerName = "lumen-tests", Graph = new GraphProto { Name = "test" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
    }

    public GraphProto Graph => model.Graph;

    /// <summary>Declares a graph input; a dim given as a string is symbolic.</summary>
    public OnnxBuilder Input(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        model.Graph.Input.Add(ValueInfo(name, type, dims));
        return this;
    }

    public OnnxBuilder Output(string name, TensorProto.Types.DataType type = TensorProto.Types.DataType.Float, params object[] dims)
    {
        model.Graph.Output.Add(ValueInfo(name, type, dims));
        return this;
    }

    public OnnxBuilder Initializer(string name, Tensor value)
    {
        model.Graph.Initializer.Add(OnnxTensors.FromTensor(value, name));
        return this;
    }

    /// <summary>Adds a node; attributes are (name, value) with value long, float, string, long[], float[], Tensor or a
    /// subgraph (GraphProto, e.g. another builder's <see cref="Graph"/>).</summary>
    public OnnxBuilder Node(string op, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{op.ToLowerInvariant()}_{nodeCount++}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach (var (name, value) in attributes) node.Attribute.Add(Attribute(name, value));
        model.Graph.Node.Add(node);
        return this;
    }

    public byte[] ToBytes() => model.ToByteArray();

    public GraphModule Build() => OnnxModel.Load(new MemoryStream(ToBytes()), "test.onnx");

    public string Save(string path)
    {
        File.WriteAllBytes(path, ToBytes());
        return path;
    }

    public static AttributeProto Attribute(string name, object value)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case int i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
            case long l: a.Type = AttributeProto.Types.AttributeType.Int; a.I = l; break;
            case float f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f; break;
            case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s); break;
            case long[] ls: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(ls); break;
            case string[] ss: a.Type = AttributeProto.Types.AttributeType.Strings; a.Strings.AddRange(ss.Select(ByteString.CopyFromUtf8)); break;
            case float[] fs: a.Type = AttributeProto.Types.AttributeType.Floats; a.Floats.AddRange(fs); break;
            case Tensor t: a.Type = AttributeProto.Types.AttributeType.Tensor; a.T = OnnxTensors.FromTensor(t); break;
            case GraphProto g: a.Type = AttributeProto.Types.AttributeType.Graph; a.G = g; break;
            default: throw new ArgumentException($"unsupported attribute value {value}");
        }
        return a;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }
}
