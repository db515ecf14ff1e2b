using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx;

/// <summary>An imported ONNX graph, runnable forward and backward.</summary>
public sealed class GraphModule
{
    internal GraphModule(OnnxGraph graph, string name)
    {
        Graph = graph;
        Name = name;
    }

    internal OnnxGraph Graph { get; }

    /// <summary>The module's name (the model file's base name).</summary>
    public string Name { get; }

    /// <summary>The parsed model.</summary>
    public OnnxModel Model => Graph.Model;

    /// <summary>Runs the graph on its inputs (in the order of <see cref="OnnxModel.Inputs"/>); returns every output.</summary>
    public IReadOnlyList<Tensor> Run(IReadOnlyList<Tensor> inputs) => Graph.Run(inputs, null);

    /// <summary>Runs a single-input model and returns its first output.</summary>
    public Tensor Call(Tensor x) => Graph.Run([x], null)[0];
}
