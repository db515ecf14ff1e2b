using Lumen.Onnx.Graph;
using Lumen.Onnx.Schema;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>
/// Control flow over tensor subgraphs: If, Loop (opset 11+) and Scan (opset 8 with a batch dimension, 9+). Each body is converted once, at
/// load time, into its own execution plan; a body reads enclosing-scope values through the node's implicit inputs.
/// Bodies run their kernels directly (their nodes are not hook points of the model) and are built from the same
/// differentiable kernels, so gradients flow through every iteration.
/// </summary>
/// <remarks>Scan: with N state variables and M scan inputs, step t feeds (states, slice t of every scan input along
/// its axis — from the end for direction 1) to the body, which returns (new states, one slice of every scan
/// output); scan outputs are the slices stacked along their axes. Loop: the body gets (iteration, condition,
/// carried values) and returns (condition, carried values, scan slices) while the iteration is below the trip count
/// and the condition holds. Sequence and optional values are not supported.</remarks>
internal static class ControlFlowOps
{
    public static void Register()
    {
        OnnxOps.Register("If", 1, node =>
        {
            var thenBranch = Body.Of(node, "then_branch");
            var elseBranch = Body.Of(node, "else_branch");
            return inputs =>
            {
                var condition = inputs.Arg(0);
                if (condition.Size != 1) throw new ArgumentException($"If: the condition must hold one value, got {condition.Shape}.");
                bool taken = OpHelpers.Longs(condition)[0] != 0;
                return (taken ? thenBranch : elseBranch).Run([], inputs, node.Inputs.Count);
            };
        });
        OnnxOps.Register("Scan", 9, node =>
        {
            var body = Body.Of(node, "body");
            int scanInputs = (int)node.Int("num_scan_inputs");
            long[]? inputAxes = node.Ints("scan_input_axes"), inputDirections = node.Ints("scan_input_directions");
            long[]? outputAxes = node.Ints("scan_output_axes"), outputDirections = node.Ints("scan_output_directions");
            int states = node.Inputs.Count - scanInputs;
            if (states < 0) throw node.Error($"num_scan_inputs {scanInputs} exceeds the {node.Inputs.Count} inputs.");
            return inputs => Scan(body, inputs, node.Inputs.Count, states, scanInputs, inputAxes, inputDirections, outputAxes, outputDirections);
        });
        OnnxOps.Register("Scan", 8, node =>
        {
            // Opset 8: a leading batch dimension on every state and scan value, scanned along axis 1, and an optional
            // sequence_lens input first (only full-length sequences are supported).
            var body = Body.Of(node, "body");
            int scanInputs = (int)node.Int("num_scan_inputs");
            long[]? directions = node.Ints("directions");
            int states = node.Inputs.Count - 1 - scanInputs;
            if (states < 0) throw node.Error($"num_scan_inputs {scanInputs} exceeds the {node.Inputs.Count - 1} inputs after sequence_lens.");
            return inputs =>
            {
                var values = inputs[1..node.Inputs.Count];
                int batch = values.Arg(0).Shape[0];
                int length = values.Arg(states).Shape[1];
                if (inputs.Optional(0) is { } lens && OpHelpers.Longs(lens).Any(l => l != length))
                    throw new ArgumentException("Scan (opset 8): sequence_lens shorter than the scan length are not supported.");
                var perBatch = new List<Tensor[]>();
                for (int b = 0; b < batch; b++)
                {
                    var sliced = new Tensor?[inputs.Length - 1];
                    for (int i = 0; i < sliced.Length; i++)
                        sliced[i] = i < values.Length ? values.Arg(i).Slice(0, b, b + 1).Squeeze(0) : inputs[i + 1];
                    perBatch.Add(Scan(body, sliced, values.Length, states, scanInputs, null, directions, null, null));
                }
                return [.. Enumerable.Range(0, perBatch[0].Length).Select(k => Tensor.Concat([.. perBatch.Select(r => r[k].Unsqueeze(0))], 0))];
            };
        });
        OnnxOps.Register("Loop", 11, node =>
        {
            var body = Body.Of(node, "body");
            return inputs => Loop(body, inputs, node.Inputs.Count);
        });
    }

    /// <summary>A converted subgraph and where its outer-scope values sit among the owner's implicit inputs.</summary>
    private sealed class Body(OnnxGraph graph, int[] outerPositions)
    {
        public static Body Of(OnnxNode owner, string attribute)
        {
            var proto = owner.GraphAttribute(attribute) ?? throw owner.Error($"required subgraph attribute '{attribute}' is missing.");
            var outer = OnnxNode.OuterReads(new NodeProto { Attribute = { new AttributeProto { Name = attribute, G = proto, Type = AttributeProto.Types.AttributeType.Graph } } });
            OnnxGraph graph;
            try { graph = OnnxGraph.Build(OnnxModel.FromSubgraph(proto, outer, owner)); }
            catch (OnnxException e) { throw owner.Error($"subgraph '{attribute}': {e.Message}"); }
            var positions = outer.Select(name => owner.ImplicitInputs.ToList().IndexOf(name)).ToArray();
            return new Body(graph, positions);
        }

        public int OutputCount => graph.Model.Outputs.Count;

        /// <summary>Runs the body on its declared inputs; the owner's arguments after <paramref name="declared"/>
        /// are its implicit (outer-scope) inputs.</summary>
        public Tensor[] Run(IReadOnlyList<Tensor> inputs, Tensor?[] ownerArguments, int declared)
        {
            var all = new List<Tensor>(inputs);
            foreach (var p in outerPositions) all.Add(ownerArguments[declared + p] ?? throw new ArgumentException("a subgraph reads an outer value that has none."));
            return graph.Run(all, (n, args) => graph.Kernels[n](args));
        }
    }

    private static Tensor[] Scan(Body body, Tensor?[] inputs, int declared, int stateCount, int scanCount,
        long[]? inputAxes, long[]? inputDirections, long[]? outputAxes, long[]? outputDirections)
    {
        var states = Enumerable.Range(0, stateCount).Select(i => inputs.Arg(i)).ToArray();
        var scans = Enumerable.Range(0, scanCount).Select(i => inputs.Arg(stateCount + i)).ToArray();
        var axes = new int[scanCount];
        int length = -1;
        for (int i = 0; i < scanCount; i++)
        {
            axes[i] = OpHelpers.Axis(inputAxes?[i] ?? 0, scans[i].Rank, "Scan");
            int n = scans[i].Shape[axes[i]];
            if (length >= 0 && n != length) throw new ArgumentException($"Scan: scan inputs of lengths {length} and {n}.");
            length = n;
        }
        if (length < 0) throw new ArgumentException("Scan: no scan input.");
        int outputCount = body.OutputCount - stateCount;
        var slices = Enumerable.Range(0, outputCount).Select(_ => new List<Tensor>()).ToArray();
        for (int t = 0; t < length; t++)
        {
            var step = new List<Tensor>(states);
            for (int i = 0; i < scanCount; i++)
            {
                int at = inputDirections is not null && inputDirections[i] != 0 ? length - 1 - t : t;
                step.Add(scans[i].Slice(axes[i], at, at + 1).Squeeze(axes[i]));
            }
            var results = body.Run(step, inputs, declared);
            states = results[..stateCount];
            for (int k = 0; k < outputCount; k++) slices[k].Add(results[stateCount + k]);
        }
        var outputs = new Tensor[outputCount];
        for (int k = 0; k < outputCount; k++)
        {
            var ordered = outputDirections is not null && outputDirections[k] != 0 ? Enumerable.Reverse(slices[k]).ToList() : slices[k];
            int axis = OpHelpers.Axis(outputAxes?[k] ?? 0, ordered[0].Rank + 1, "Scan");
            outputs[k] = Tensor.Concat([.. ordered.Select(s => s.Unsqueeze(axis))], axis);
        }
        return [.. states, .. outputs];
    }

    private static Tensor[] Loop(Body body, Tensor?[] inputs, int declared)
    {
        long? tripCount = inputs.Optional(0) is { } m ? OpHelpers.Longs(m)[0] : null;
        bool condition = inputs.Optional(1) is not { } c || OpHelpers.Longs(c)[0] != 0;
        var carried = Enumerable.Range(2, declared - 2).Select(i => inputs.Arg(i)).ToArray();
        int scanCount = body.OutputCount - 1 - carried.Length;
        var slices = Enumerable.Range(0, scanCount).Select(_ => new List<Tensor>()).ToArray();
        for (long i = 0; (tripCount is null || i < tripCount) && condition; i++)
        {
            var results = body.Run([OpHelpers.LongTensor([i], Shape.Scalar), OpHelpers.BoolTensor([condition], Shape.Scalar), .. carried], inputs, declared);
            condition = OpHelpers.Longs(results[0])[0] != 0;
            carried = results[1..(1 + carried.Length)];
            for (int k = 0; k < scanCount; k++) slices[k].Add(results[1 + carried.Length + k]);
        }
        if (slices.Any(s => s.Count == 0)) throw new ArgumentException("Loop: scan outputs of a loop that ran no iteration have no known shape.");
        return [.. carried, .. slices.Select(s => Tensor.Concat([.. s.Select(t => t.Unsqueeze(0))], 0))];
    }
}
