using System.Text;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Onnx.Graph;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Onnx;

/// <summary>
/// An imported ONNX graph as a <see cref="Module"/>. Every node is a named child module, so every node output is a
/// hook point named by its sanitized ONNX output name (characters other than letters, digits and '_' become '_').
/// Float initializers are the module's parameters; integer and bool initializers are buffers. The parameters are
/// read-only (<see cref="Tensor.MakeReadOnly"/>), so that convolutions pack their weights once per model rather than
/// once per call; <see cref="Module.MakeWeightsWritable"/> (or <see cref="Module.WritableWeights"/> for a temporary
/// edit) before training or editing them.
/// </summary>
/// <remarks>Nodes run in topological order; an intermediate value is released as soon as its last reader has run
/// (the autograd tape keeps what backward needs); at inference (no gradients, no node hooks) its storage goes back
/// to the module's <see cref="StoragePool"/> and is reused by later steps and later calls. Multi-input and multi-output graphs run through
/// <see cref="Module.Call(IReadOnlyList{Tensor})"/> with inputs in the order of <see cref="OnnxModel.Inputs"/>.</remarks>
/// <example><code>
/// var model = OnnxModel.Load("mobilenetv2.onnx");
/// using var hook = model.Hooks.OnForward("MobilenetV2_Logits_AvgPool", (act, ctx) => act * 0f);
/// var logits = model.Call(input);                 // [1, 1000]
/// </code></example>
public sealed partial class GraphModule : Module, IContainer
{
    private readonly OnnxGraph graph;
    private readonly NodeModule[] nodes;

    /// <summary>Intermediate storage reused across the steps and calls of inference forwards (no gradients, no
    /// node hooks): see <see cref="StoragePool"/>.</summary>
    private readonly StoragePool storage = new();

    internal GraphModule(OnnxGraph graph, string name)
    {
        this.graph = graph;
        ModelName = name;
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, Parameter>(StringComparer.Ordinal);
        foreach (var (key, value) in graph.Model.Initializers)
        {
            string local = Unique(Sanitize(key), taken);
            if (value.DType == DType.Float32) parameters[key] = RegisterParameter(local, value.MakeReadOnly());
            else RegisterBuffer(local, value);
        }
        nodes = new NodeModule[graph.Model.Nodes.Count];
        for (int i = 0; i < nodes.Length; i++)
        {
            var node = graph.Model.Nodes[i];
            var first = node.Outputs.FirstOrDefault(o => o.Length > 0) ?? node.Name;
            nodes[i] = Register(Unique(Sanitize(first), taken), NodeModule.Create(node, graph.Kernels[i], parameters));
        }
    }

    /// <summary>The graph's intermediate storage pool: node kernels keep nothing they compute, so a caller that drops
    /// a whole pass (no hooks registered) may give all of its storage back (<see cref="Module.PassStorage"/>).</summary>
    public override StoragePool? PassStorage => storage;

    /// <summary>The model's name (its file name without extension).</summary>
    public string ModelName { get; }

    /// <summary>The parsed model: inputs, outputs, opsets, nodes.</summary>
    public OnnxModel Model => graph.Model;

    /// <summary>The hook name of the node that produces ONNX value <paramref name="onnxOutputName"/>, or null.</summary>
    public string? HookNameOf(string onnxOutputName)
    {
        for (int i = 0; i < nodes.Length; i++)
            if (nodes[i].Node.Outputs.Contains(onnxOutputName)) return Children[i + 0].Module == nodes[i] ? ChildName(nodes[i]) : null;
        return null;
    }

    /// <summary>Runs the graph on named inputs and returns every graph output by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var ordered = new List<Tensor>();
        foreach (var info in Model.Inputs)
            ordered.Add(inputs.TryGetValue(info.Name, out var t) ? t
                : throw new OnnxException($"{Model.File}: input '{info.Name}' was not given (given: {string.Join(", ", inputs.Keys)})."));
        var outputs = Call(ordered);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < outputs.Count; i++) result[Model.Outputs[i].Name] = outputs[i];
        return result;
    }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x) => Forward([x])[0];

    /// <inheritdoc/>
    protected override IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs)
    {
        if (GradMode.IsEnabled || nodes.Any(n => n.HasOwnHooks)) return graph.Run(inputs, (n, args) => nodes[n].Invoke(args), MayFuse, timings: Timings);
        using var scope = storage.Enter();
        return graph.Run(inputs, (n, args) => nodes[n].Invoke(args), MayFuse, scope, Timings);
    }

    /// <summary>When set, every forward adds each node's wall time to it (<see cref="NodeTimings.Report"/>); null
    /// (the default) times nothing. Backward passes are not timed.</summary>
    public NodeTimings? Timings { get; set; }

    /// <summary>A new, empty <see cref="NodeTimings"/> for this model's nodes (attach it with <see cref="Timings"/>).</summary>
    public NodeTimings CreateTimings() => new(Model);

    /// <summary>An activation may be fused into its producer (a convolution whose output nothing else reads) or
    /// overwrite its output when neither node has hooks, so that no one can observe the difference (the graph decides
    /// which fusions gradients allow).</summary>
    private bool MayFuse(int producer, int node) => !nodes[producer].HasOwnHooks && !nodes[node].HasOwnHooks;

    /// <summary>Maps an ONNX name to a hook/parameter name: letters, digits and '_' kept, everything else '_'.</summary>
    public static string Sanitize(string onnxName)
    {
        ArgumentNullException.ThrowIfNull(onnxName);
        var sb = new StringBuilder(onnxName.Length);
        foreach (var c in onnxName) sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        var s = sb.ToString().Trim('_');
        return s.Length == 0 ? "value" : s;
    }

    private string ChildName(Module module)
    {
        foreach (var (name, child) in Children) if (ReferenceEquals(child, module)) return name;
        return "";
    }

    private static string Unique(string name, HashSet<string> taken)
    {
        var candidate = name;
        for (int k = 2; !taken.Add(candidate); k++) candidate = $"{name}_{k}";
        return candidate;
    }

    /// <summary>One ONNX node as a module: its forward is the node's kernel; hooks see each of its outputs. Nodes
    /// with a known role (see <c>GraphModule.Roles.cs</c>) are subclasses carrying the role's marker interface.</summary>
    private partial class NodeModule(OnnxNode node, OnnxKernel kernel) : Module
    {
        private readonly bool[] present = [.. node.AllInputs.Select(i => i.Length > 0)];

        public OnnxNode Node { get; } = node;

        protected OnnxKernel Kernel { get; } = kernel;

        /// <summary>Runs through <see cref="Module.Call(IReadOnlyList{Tensor})"/> with the present inputs only.</summary>
        public IReadOnlyList<Tensor> Invoke(Tensor?[] args)
        {
            var given = new List<Tensor>(args.Length);
            for (int i = 0; i < args.Length; i++)
                if (present[i]) given.Add(args[i] ?? throw Node.Error($"input {i} ('{Node.AllInputs[i]}') has no value."));
            return Call(given);
        }

        /// <summary>"node 'conv1' (Conv, opset 11) in squeezenet.onnx": errors about the module name the ONNX node.</summary>
        public override string ToString() => Node.Describe();

        protected override Tensor Forward(Tensor x) => Forward([x])[0];

        protected override IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs)
        {
            var args = new Tensor?[present.Length];
            for (int i = 0, j = 0; i < present.Length; i++) args[i] = present[i] ? inputs[j++] : null;
            var results = Kernel(args);
            int count = Math.Min(results.Length, Node.Outputs.Count);
            return count == results.Length ? results : results[..count];
        }
    }
}
