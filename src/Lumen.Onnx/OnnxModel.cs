using Google.Protobuf;
using Lumen.Onnx.Graph;
using Lumen.Onnx.IO;
using Lumen.Onnx.Ops;
using Lumen.Onnx.Schema;
using Lumen.Tensors;

namespace Lumen.Onnx;

/// <summary>
/// A parsed ONNX model file: metadata, opsets, inputs, outputs, initializers and nodes, with what Lumen can and
/// cannot run. <see cref="Load(string)"/> turns a file straight into a runnable, hookable <see cref="GraphModule"/>.
/// </summary>
/// <remarks>Supports IR versions 3–13 and default-domain opsets 7 and later (older opsets load where an op's
/// semantics did not change; each converter states the opset it starts from). Initializers that are also listed as
/// graph inputs (IR 3 style) are treated as weights, not as inputs.</remarks>
/// <example><code>
/// var model = OnnxModel.Load("squeezenet.onnx");           // a Module
/// var info = OnnxModel.Open("squeezenet.onnx");            // inspect without running
/// Console.WriteLine(string.Join(", ", info.UnsupportedNodes()));
/// </code></example>
public sealed class OnnxModel
{
    /// <summary>Lowest and highest IR versions Lumen reads.</summary>
    public const int MinIrVersion = 3, MaxIrVersion = 13;

    /// <summary>Lowest default-domain opset Lumen loads (converters reject older versions of ops that changed).</summary>
    public const int MinOpset = 1;

    private readonly Dictionary<string, Tensor> initializers;

    private OnnxModel(ModelProto proto, string file, string? directory, bool subgraph = false)
    {
        Proto = proto;
        File = file;
        Directory = directory;
        if (proto.Graph is null) throw new OnnxException($"{file}: the model has no graph.");
        if (proto.IrVersion < MinIrVersion || proto.IrVersion > MaxIrVersion)
            throw new OnnxException($"{file}: IR version {proto.IrVersion} is not supported (Lumen reads IR {MinIrVersion}–{MaxIrVersion}).");
        foreach (var o in proto.OpsetImport)
        {
            string domain = o.Domain == "ai.onnx" ? "" : o.Domain;
            Opsets[domain] = (int)o.Version;
        }
        if (!Opsets.ContainsKey("")) Opsets[""] = proto.OpsetImport.Count == 0 ? 1 : 0;
        if (Opsets[""] < MinOpset && proto.Graph.Node.Count > 0)
            throw new OnnxException($"{file}: default-domain opset {Opsets[""]} is not supported (Lumen runs opset {MinOpset} and later).");

        initializers = new(StringComparer.Ordinal);
        foreach (var t in proto.Graph.Initializer)
            initializers[t.Name] = OnnxTensors.ToTensor(t, directory, file);
        if (proto.Graph.SparseInitializer.Count > 0)
            throw new OnnxException($"{file}: sparse initializers ('{proto.Graph.SparseInitializer[0].Values?.Name}') are not supported.");

        Inputs = [.. proto.Graph.Input.Where(i => !initializers.ContainsKey(i.Name)).Select(OnnxValueInfo.From)];
        Outputs = [.. proto.Graph.Output.Select(OnnxValueInfo.From)];
        BatchFlexible = !subgraph && Inputs.Any(i => i.Dims is { Count: > 1 } && i.FixedDim(0) == 1);
        Nodes = BuildNodes();
    }

    internal ModelProto Proto { get; }

    /// <summary>The file the model was read from (or the stream's name).</summary>
    public string File { get; }

    /// <summary>Directory that external data is resolved against; null for a stream without one.</summary>
    public string? Directory { get; }

    /// <summary>The IR version.</summary>
    public long IrVersion => Proto.IrVersion;

    /// <summary>Producer name and version, e.g. "pytorch 1.13".</summary>
    public string Producer => $"{Proto.ProducerName} {Proto.ProducerVersion}".Trim();

    /// <summary>Imported opsets by domain ("" is the default ONNX domain).</summary>
    public Dictionary<string, int> Opsets { get; } = new(StringComparer.Ordinal);

    /// <summary>The graph inputs that are not initializers: what the caller feeds.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    /// <summary>The graph outputs.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    /// <summary>The nodes, in topological order.</summary>
    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>Initializers (weights and constants) by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Initializers => initializers;

    /// <summary>True when some input fixes its batch dimension at 1: Lumen then accepts any batch size and adapts
    /// constant reshapes whose leading 1 is that batch dimension.</summary>
    public bool BatchFlexible { get; }

    /// <summary>Number of float elements in the initializers (the model's parameters).</summary>
    public long ParameterCount => initializers.Values.Where(t => t.DType == DType.Float32).Sum(t => (long)t.Size);

    /// <summary>How many nodes use each op type, most frequent first.</summary>
    public IReadOnlyList<(string Op, int Count)> OpHistogram() =>
        [.. Nodes.GroupBy(n => n.Domain.Length > 0 && n.Domain != "ai.onnx" ? n.Domain + "." + n.OpType : n.OpType)
            .Select(g => (g.Key, g.Count())).OrderByDescending(p => p.Item2).ThenBy(p => p.Key, StringComparer.Ordinal)];

    /// <summary>Every node Lumen cannot run, each with the reason (op, opset or attribute value). Runs nothing.</summary>
    public IReadOnlyList<string> UnsupportedNodes()
    {
        var problems = new List<string>();
        foreach (var node in Nodes)
        {
            try { OnnxGraph.Convert(node); }
            catch (OnnxException e) { problems.Add(e.Message); }
        }
        return problems;
    }

    /// <summary>Loads a model file into a runnable module.</summary>
    public static GraphModule Load(string path) => Open(path).ToModule();

    /// <summary>Loads a model from a stream; <paramref name="baseDirectory"/> resolves external data.</summary>
    public static GraphModule Load(Stream stream, string name = "<stream>", string? baseDirectory = null) =>
        Open(stream, name, baseDirectory).ToModule();

    /// <summary>Parses a model file without building kernels.</summary>
    public static OnnxModel Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path)) throw new OnnxException($"{path}: file not found.");
        using var stream = System.IO.File.OpenRead(path);
        return Open(stream, path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>Parses a model from a stream.</summary>
    public static OnnxModel Open(Stream stream, string name = "<stream>", string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxException($"{name}: not a valid ONNX model (corrupted or truncated protobuf: {e.Message}).", e);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException)
        {
            throw new OnnxException($"{name}: not a valid ONNX model ({e.Message}).", e);
        }
        try
        {
            return new OnnxModel(proto, name, baseDirectory);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException or IndexOutOfRangeException)
        {
            throw new OnnxException($"{name}: malformed model ({e.Message}).", e);
        }
    }

    /// <summary>A subgraph (an If branch, a Loop or Scan body) as a model of its own whose inputs are the declared
    /// ones followed by <paramref name="outerNames"/>, the enclosing-scope values it reads.</summary>
    internal static OnnxModel FromSubgraph(GraphProto graph, IReadOnlyList<string> outerNames, OnnxNode owner)
    {
        var copy = graph.Clone();
        foreach (var name in outerNames) copy.Input.Add(new ValueInfoProto { Name = name });
        var proto = new ModelProto { IrVersion = MaxIrVersion, Graph = copy };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = owner.Opset });
        string directory = Path.GetDirectoryName(Path.GetFullPath(owner.File)) ?? ".";
        return new OnnxModel(proto, $"{owner.File} ({owner.Name} subgraph '{graph.Name}')", directory, subgraph: true);
    }

    /// <summary>Builds the runnable module; throws one <see cref="OnnxException"/> listing every unsupported node.</summary>
    public GraphModule ToModule() => new(OnnxGraph.Build(this), Path.GetFileNameWithoutExtension(File));

    private List<OnnxNode> BuildNodes()
    {
        var graph = Proto.Graph;
        var constants = new Dictionary<string, Tensor>(initializers, StringComparer.Ordinal);
        var declared = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var v in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
            if (v.Type?.TensorType is { ElemType: > 0 } t) declared[v.Name] = t.ElemType;
        foreach (var t in graph.Initializer) declared[t.Name] = t.DataType;
        foreach (var n in graph.Node)
            if (n.OpType == "Constant" && n.Output.Count == 1 && n.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } value)
                declared.TryAdd(n.Output[0], value.DataType);
        var protoNodes = TopologicalOrder(graph);
        var nodes = new List<OnnxNode>(protoNodes.Count);
        foreach (var (proto, index) in protoNodes)
        {
            string domain = proto.Domain == "ai.onnx" ? "" : proto.Domain;
            int opset = Opsets.TryGetValue(domain, out var v) ? v : 0;
            var node = new OnnxNode(proto, index, opset, File, BatchFlexible, name => constants.GetValueOrDefault(name),
                name => declared.GetValueOrDefault(name));
            nodes.Add(node);
            if (proto.OpType == "Constant" && domain.Length == 0 && proto.Output.Count == 1)
            {
                try { constants[proto.Output[0]] = ConstantOps.Value(node); }
                catch (OnnxException) { /* reported when the node is converted */ }
            }
        }
        return nodes;
    }

    /// <summary>Kahn's algorithm, preferring file order; a graph with a cycle or an undefined input is reported.</summary>
    private List<(NodeProto Node, int Index)> TopologicalOrder(GraphProto graph)
    {
        var available = new HashSet<string>(initializers.Keys, StringComparer.Ordinal) { "" };
        foreach (var i in graph.Input) available.Add(i.Name);
        var pending = graph.Node.Select((n, i) => (n, i)).ToList();
        var order = new List<(NodeProto, int)>(pending.Count);
        while (pending.Count > 0)
        {
            int before = order.Count;
            var rest = new List<(NodeProto, int)>();
            foreach (var (n, i) in pending)
            {
                if (n.Input.All(available.Contains) && OnnxNode.OuterReads(n).All(available.Contains))
                {
                    order.Add((n, i));
                    foreach (var o in n.Output) available.Add(o);
                }
                else rest.Add((n, i));
            }
            if (order.Count == before)
            {
                var (stuck, index) = rest[0];
                var missing = stuck.Input.Concat(OnnxNode.OuterReads(stuck)).First(x => !available.Contains(x));
                throw new OnnxException($"{File}: node '{(stuck.Name.Length > 0 ? stuck.Name : stuck.OpType + "_" + index)}' ({stuck.OpType}) reads '{missing}', which no node, input or initializer defines (or the graph has a cycle).");
            }
            pending = rest;
        }
        return order;
    }
}
