using System.Text;
using Lumen.Onnx.IO;
using Lumen.Onnx.Schema;
using Lumen.Tensors;
using AttributeType = Lumen.Onnx.Schema.AttributeProto.Types.AttributeType;

namespace Lumen.Onnx.Graph;

/// <summary>
/// One ONNX node as a converter sees it: op type, opset, input and output names, typed attribute access, and
/// which inputs are constants known at load time. Every error it raises names the file, the node and the op.
/// </summary>
public sealed class OnnxNode
{
    private readonly Dictionary<string, AttributeProto> attributes = new(StringComparer.Ordinal);
    private readonly Func<string, Tensor?> constantLookup;
    private readonly Func<string, int> elementTypeLookup;

    internal OnnxNode(NodeProto proto, int index, int opset, string file, bool batchFlexible, Func<string, Tensor?> constantLookup,
        Func<string, int> elementTypeLookup)
    {
        this.elementTypeLookup = elementTypeLookup;
        ImplicitInputs = OuterReads(proto);
        Proto = proto;
        Index = index;
        Opset = opset;
        File = file;
        BatchFlexible = batchFlexible;
        this.constantLookup = constantLookup;
        foreach (var a in proto.Attribute) attributes[a.Name] = a;
    }

    internal NodeProto Proto { get; }

    /// <summary>Position of the node in the graph (0-based).</summary>
    public int Index { get; }

    /// <summary>The node's name, or a generated one (<c>OpType_index</c>) when the file leaves it empty.</summary>
    public string Name => Proto.Name.Length > 0 ? Proto.Name : $"{Proto.OpType}_{Index}";

    /// <summary>The operator type, e.g. "Conv".</summary>
    public string OpType => Proto.OpType;

    /// <summary>The operator's domain ("" for the default ONNX domain).</summary>
    public string Domain => Proto.Domain;

    /// <summary>The opset version the model imports for this node's domain.</summary>
    public int Opset { get; }

    /// <summary>The model file (or stream name) the node comes from.</summary>
    public string File { get; }

    /// <summary>True when the model fixes its batch dimension at 1 and Lumen lets it run any batch size.</summary>
    public bool BatchFlexible { get; }

    /// <summary>Names of the node's inputs; an empty name marks an omitted optional input.</summary>
    public IReadOnlyList<string> Inputs => Proto.Input;

    /// <summary>Outer-scope values that the node's subgraphs (If/Loop/Scan bodies) read without declaring them as
    /// inputs; the graph runner passes their values after the declared inputs.</summary>
    public IReadOnlyList<string> ImplicitInputs { get; }

    /// <summary>The declared inputs followed by <see cref="ImplicitInputs"/>: what the node's kernel receives.</summary>
    public IReadOnlyList<string> AllInputs => [.. Inputs, .. ImplicitInputs];

    /// <summary>A GRAPH attribute (a subgraph), or null when absent.</summary>
    public GraphProto? GraphAttribute(string name) => Get(name, AttributeType.Graph)?.G;

    /// <summary>Names of the node's outputs; an empty name marks an unused optional output.</summary>
    public IReadOnlyList<string> Outputs => Proto.Output;

    /// <summary>Names of the attributes present on the node.</summary>
    public IEnumerable<string> AttributeNames => attributes.Keys;

    /// <summary>"node 'conv1' (Conv, opset 11) in squeezenet.onnx" — the context every message starts with.</summary>
    public string Describe() => $"node '{Name}' ({(Domain.Length > 0 && Domain != "ai.onnx" ? Domain + "." : "")}{OpType}, opset {Opset}) in {File}";

    /// <summary>An <see cref="OnnxException"/> whose message names this node.</summary>
    public OnnxException Error(string message) => new($"{Describe()}: {message}");

    /// <summary>An error for a feature Lumen does not implement.</summary>
    public OnnxException Unsupported(string what) => new($"{Describe()}: unsupported {what}.");

    /// <summary>True when the attribute is present.</summary>
    public bool Has(string name) => attributes.ContainsKey(name);

    /// <summary>True when optional input <paramref name="index"/> is given (present and not empty).</summary>
    public bool HasInput(int index) => index < Inputs.Count && Inputs[index].Length > 0;

    /// <summary>The value of input <paramref name="index"/> when it is an initializer or a Constant output; else null.</summary>
    public Tensor? ConstantInput(int index) => HasInput(index) ? constantLookup(Inputs[index]) : null;

    /// <summary>The ONNX element type the file declares for input <paramref name="index"/> (graph input, initializer,
    /// value_info or Constant), or 0 when it declares none. Lumen widens narrow types in storage; this tells which
    /// type the values stand for (e.g. CastLike's target, the wrap-around of BitwiseNot on uint8).</summary>
    public int InputElementType(int index) => HasInput(index) ? elementTypeLookup(Inputs[index]) : 0;

    /// <summary>The ONNX element type the file declares for output <paramref name="index"/>, or 0.</summary>
    public int OutputElementType(int index) => index < Outputs.Count && Outputs[index].Length > 0 ? elementTypeLookup(Outputs[index]) : 0;

    /// <summary>An INT attribute, or <paramref name="fallback"/> when absent.</summary>
    public long Int(string name, long fallback) => Get(name, AttributeType.Int) is { } a ? a.I : fallback;

    /// <summary>An INT attribute that must be present.</summary>
    public long Int(string name) => Required(name, AttributeType.Int).I;

    /// <summary>A FLOAT attribute, or <paramref name="fallback"/> when absent.</summary>
    public float Float(string name, float fallback) => Get(name, AttributeType.Float) is { } a ? a.F : fallback;

    /// <summary>A STRING attribute (UTF-8), or <paramref name="fallback"/> when absent.</summary>
    public string String(string name, string fallback) => Get(name, AttributeType.String) is { } a ? a.S.ToStringUtf8() : fallback;

    /// <summary>An INTS attribute, or null when absent.</summary>
    public long[]? Ints(string name) => Get(name, AttributeType.Ints) is { } a ? [.. a.Ints] : null;

    /// <summary>A FLOATS attribute, or null when absent.</summary>
    public float[]? Floats(string name) => Get(name, AttributeType.Floats) is { } a ? [.. a.Floats] : null;

    /// <summary>A STRINGS attribute, or null when absent.</summary>
    public string[]? Strings(string name) => Get(name, AttributeType.Strings) is { } a ? a.Strings.Select(s => s.ToStringUtf8()).ToArray() : null;

    /// <summary>A TENSOR attribute converted to a tensor, or null when absent.</summary>
    public Tensor? TensorAttribute(string name)
    {
        if (Get(name, AttributeType.Tensor) is not { } a) return null;
        try { return OnnxTensors.ToTensor(a.T, Path.GetDirectoryName(Path.GetFullPath(File)), File); }
        catch (OnnxException e) { throw Error($"attribute '{name}': {e.Message}"); }
    }

    /// <summary>The attribute names and values, for listings.</summary>
    public string DescribeAttributes()
    {
        var sb = new StringBuilder();
        foreach (var a in Proto.Attribute)
        {
            if (sb.Length > 0) sb.Append(", ");
            sb.Append(a.Name).Append('=').Append(a.Type switch
            {
                AttributeType.Int => a.I.ToString(System.Globalization.CultureInfo.InvariantCulture),
                AttributeType.Float => a.F.ToString(System.Globalization.CultureInfo.InvariantCulture),
                AttributeType.String => a.S.ToStringUtf8(),
                AttributeType.Ints => "[" + string.Join(",", a.Ints) + "]",
                _ => a.Type.ToString(),
            });
        }
        return sb.ToString();
    }

    private AttributeProto? Get(string name, AttributeType expected)
    {
        if (!attributes.TryGetValue(name, out var a)) return null;
        var actual = a.Type;
        if (actual == AttributeType.Undefined) actual = InferType(a);
        if (actual != expected)
            throw Error($"attribute '{name}' has type {actual}, expected {expected}.");
        return a;
    }

    private AttributeProto Required(string name, AttributeType expected) =>
        Get(name, expected) ?? throw Error($"required attribute '{name}' is missing.");

    /// <summary>The values a node's subgraphs read from enclosing scopes (recursively), in first-use order.</summary>
    internal static IReadOnlyList<string> OuterReads(NodeProto node)
    {
        var reads = new List<string>();
        foreach (var a in node.Attribute)
        {
            if (a.G is not null) AddOuterReads(a.G, reads);
            foreach (var g in a.Graphs) AddOuterReads(g, reads);
        }
        return reads;
    }

    private static void AddOuterReads(GraphProto graph, List<string> reads)
    {
        var defined = new HashSet<string>(StringComparer.Ordinal) { "" };
        foreach (var i in graph.Input) defined.Add(i.Name);
        foreach (var t in graph.Initializer) defined.Add(t.Name);
        foreach (var n in graph.Node) foreach (var o in n.Output) defined.Add(o);
        foreach (var n in graph.Node)
            foreach (var name in n.Input.Concat(OuterReads(n)))
                if (!defined.Contains(name) && !reads.Contains(name)) reads.Add(name);
    }

    // IR 3 files may leave the type unset; infer it from the populated field.
    private static AttributeType InferType(AttributeProto a) =>
        a.Ints.Count > 0 ? AttributeType.Ints :
        a.Floats.Count > 0 ? AttributeType.Floats :
        a.Strings.Count > 0 ? AttributeType.Strings :
        a.T is not null ? AttributeType.Tensor :
        a.G is not null ? AttributeType.Graph :
        !a.S.IsEmpty ? AttributeType.String :
        a.F != 0 ? AttributeType.Float : AttributeType.Int;
}
