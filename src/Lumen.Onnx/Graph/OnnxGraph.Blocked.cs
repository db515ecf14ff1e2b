using Lumen.Tensors;
using Lumen.Tensors.Kernels;

namespace Lumen.Onnx.Graph;

/// <summary>
/// Chains of pointwise and 3×3 depthwise convolutions (with their fused Relu/Clip and residual Adds) run in the
/// channel-blocked layout NCHW16c (NCHW8c on AVX2) of ONNX Runtime's NCHWc kernels (<see cref="BlockedLayout"/>): the chain's inputs are
/// reordered in once, every step reads and writes blocked values on pooled scratch, and only the values read after
/// the chain (or graph outputs) are reordered back to NCHW. A batch runs the whole chain image by image, so that an
/// image's values stay in cache from one step to the next.
/// </summary>
/// <remarks>Planned for maximal runs of consecutive nodes each of which is: a Conv with a constant weight that is
/// pointwise (1×1, stride 1, no padding, group 1, ≥ 16 input and output channels; <see cref="BlockedPointwise"/>) or
/// depthwise 3×3 (group = C ≥ 16 channels, padding 0 or 1 per side, stride 1 or 2, dilation 1; <see cref="BlockedDepthwise"/>)
/// or, as a run's first step only, of fewer than 16 input channels read as NCHW (a network's stem; <see cref="BlockedDirect"/>), with
/// a constant bias or none; the Relu or Clip fused into such a Conv (<see cref="fusions"/>); or the residual Add that a
/// pointwise Conv without activation sums as it writes (<see cref="ResidualPlan"/>). A run needs two convolutions at
/// least, one of them depthwise: a lone convolution would pay two reorders for nothing, and a run of pointwise ones
/// only (SqueezeNet's squeeze → expand 1×1) keeps its NCHW GEMMs and its Concat written in place (OnnxGraph.Concatenation.cs). It runs here only at pure inference (the caller's pool scope: no
/// gradients, no hooks — a hook on any node turns it off, so every node's hook sees NCHW values as ever; a recorded pass
/// that lends pass storage runs it as one recorded op instead, OnnxGraph.BlockedGradient.cs), when
/// <see cref="ConvolutionAlgorithms.Blocked"/> is on, on AVX-512 hardware (NCHW16c) or AVX2 with FMA (NCHW8c, the 8-channel
/// kernels <see cref="BlockedPointwise8"/>, <see cref="BlockedDepthwise8"/>, <see cref="BlockedDirect8"/>; the block width is
/// <see cref="BlockedLayout.MachineLanes"/>), and when every shape fits (the input
/// channels match the weights, the residual the output, the Clip's bounds are known); else the nodes run one by one
/// as before, with their usual errors. Values differ from the node-by-node run by rounding (the blocked sums add the
/// channels in another order than the GEMM's blocks); they do not depend on the batch or the thread count.</remarks>
internal sealed partial class OnnxGraph
{
    /// <summary>One convolution of a chain: node <paramref name="Node"/> reads slot <paramref name="Input"/> and writes
    /// <paramref name="Output"/> (its activation's or its Add's output when those are fused), with weight and bias
    /// slots (−1: none), the fused activation node (−1: none), the residual slot (−1: none) and the depthwise stride
    /// (0: pointwise); <paramref name="Direct"/>: a convolution of few channels that reads its input as NCHW
    /// (<see cref="BlockedDirect"/>, the chain's first step) with a <paramref name="Kernel"/> of any size.</summary>
    private sealed record BlockedStep(int Node, int Input, int Output, int Weight, int Bias, int Activation, int Residual, int Stride,
        (int Top, int Left, int Bottom, int Right) Pads, bool Direct = false, (int H, int W) Kernel = default)
    {
        public bool Depthwise => Stride > 0 && !Direct;
    }

    /// <summary>Nodes [<paramref name="First"/>, <paramref name="Last"/>] run as <paramref name="Steps"/>; the slots
    /// <paramref name="Inputs"/> are reordered in, <paramref name="Plain"/> read as NCHW by a direct first step,
    /// <paramref name="Outputs"/> (read after the chain) reordered out.</summary>
    private sealed record BlockedChain(int First, int Last, BlockedStep[] Steps, int[] Inputs, int[] Plain, int[] Outputs);

    /// <summary>The planned chains, indexed by their first node.</summary>
    private BlockedChain?[] BlockedPlan(OnnxModel model, int[] lastUse, int[] producer)
    {
        var plan = new BlockedChain?[nodeInputs.Length];
        var steps = new List<BlockedStep>();
        int first = -1;
        void Close(int last)
        {
            if (steps.Count >= 2 && steps.Any(s => s.Depthwise)) plan[first] = Chain(first, last, [.. steps], lastUse, producer);
            steps.Clear();
            first = -1;
        }
        var absorbed = new bool[nodeInputs.Length];
        for (int n = 0; n < nodeInputs.Length; n++)
        {
            if (absorbed[n] && first >= 0) continue;
            if (BlockedStepOf(model, n) is { } step)
            {
                if (step.Direct && first >= 0) Close(n - 1);                    // a direct step reads NCHW: it can only start a chain
                if (first < 0) first = n;
                steps.Add(step);
                if (step.Activation >= 0) absorbed[step.Activation] = true;
                if (sumFor[n] is { } sum && step.Residual >= 0) absorbed[sum.Add] = true;
                continue;
            }
            if (first >= 0) Close(n - 1);
        }
        if (first >= 0) Close(nodeInputs.Length - 1);
        return plan;
    }

    private BlockedChain? Chain(int first, int last, BlockedStep[] steps, int[] lastUse, int[] producer)
    {
        // every absorbed node must lie inside the run, and the run must hold nothing else
        var inside = new HashSet<int>();
        foreach (var s in steps)
        {
            inside.Add(s.Node);
            if (s.Activation >= 0) inside.Add(s.Activation);
            if (s.Residual >= 0) inside.Add(sumFor[s.Node]!.Add);
        }
        for (int n = first; n <= last; n++) if (!inside.Contains(n)) return null;
        if (inside.Any(n => n < first || n > last)) return null;
        var produced = new HashSet<int>(steps.Select(s => s.Output));
        var inputs = new List<int>();
        foreach (var s in steps)
            foreach (int slot in (int[])[s.Direct ? -1 : s.Input, s.Residual])
                if (slot >= 0 && !produced.Contains(slot) && !inputs.Contains(slot))
                {
                    if (producer[slot] >= first) return null;
                    inputs.Add(slot);
                }
        int[] plain = steps[0].Direct ? [steps[0].Input] : [];
        var outputs = produced.Where(s => lastUse[s] > last).ToArray();
        return new BlockedChain(first, last, steps, [.. inputs], plain, outputs);
    }

    /// <summary>Node n as a blocked convolution, or null when it is not one (see the remarks).</summary>
    private BlockedStep? BlockedStepOf(OnnxModel model, int n)
    {
        var node = model.Nodes[n];
        if (node.Domain is not ("" or "ai.onnx") || node.OpType != "Conv" || nodeInputs[n].Length < 2) return null;
        int x = nodeInputs[n][0], w = nodeInputs[n][1], b = nodeInputs[n].Length > 2 ? nodeInputs[n][2] : -1;
        if (x < 0 || w < 0 || constants[w] is not { Rank: 4, DType: DType.Float32 } weight) return null;
        if (b >= 0 && constants[b] is not { Rank: 1, DType: DType.Float32 } bias || (b >= 0 && constants[b]!.Shape[0] != weight.Shape[0])) return null;
        if (nodeOutputs[n].Length != 1 || nodeOutputs[n][0] < 0) return null;
        var a = new Ops.ConvAttributes(node);
        long group = node.Int("group", 1);
        int o = weight.Shape[0], c = weight.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
        if (a.Kernel is { } kernel && (kernel.Length != 2 || kernel[0] != kh || kernel[1] != kw)) return null;
        if (a.Dilations is { } d && d.Any(v => v != 1)) return null;
        var strides = a.Strides ?? [1, 1];
        var pads = a.Pads(2, (0, 0), (kh, kw), (1, 1), (1, 1));
        int stride;
        if (kh == 1 && kw == 1 && group == 1 && a.AutoPad is "NOTSET" or "VALID" && strides.All(s => s == 1) && pads == (0, 0, 0, 0) && c >= 16 && o >= 16)
            stride = 0;
        else if (kh == 3 && kw == 3 && c == 1 && group == o && o >= 16 && a.AutoPad == "NOTSET" && BlockedDepthwise.Supports(3, 3, 1, pads)
                 && strides.Length == 2 && strides[0] == strides[1] && strides[0] is 1 or 2)
            stride = (int)strides[0];
        else if (group == 1 && c < 16 && o >= 16 && a.AutoPad == "NOTSET" && strides.Length == 2 && strides[0] == strides[1] && strides[0] >= 1
                 && pads.Top is >= 0 && pads.Left >= 0 && pads.Bottom >= 0 && pads.Right >= 0 && pads.Top < kh && pads.Bottom < kh && pads.Left < kw && pads.Right < kw)
            return WithFusions(model, new BlockedStep(n, x, nodeOutputs[n][0], w, b, -1, -1, (int)strides[0], pads, Direct: true, Kernel: (kh, kw)));
        else return null;
        return WithFusions(model, new BlockedStep(n, x, nodeOutputs[n][0], w, b, -1, -1, stride, pads));
    }

    /// <summary>The step with its Conv's fused Relu or Clip, or else (a pointwise step) the residual Add it sums; null
    /// when the activation writes no output.</summary>
    private BlockedStep? WithFusions(OnnxModel model, BlockedStep step)
    {
        int n = step.Node;
        if (fusions[n] is { } f && model.Nodes[f.Consumer].OpType is "Relu" or "Clip")
            return nodeOutputs[f.Consumer][0] < 0 ? null : step with { Activation = f.Consumer, Output = nodeOutputs[f.Consumer][0] };
        if (step.Stride == 0 && sumFor[n] is { } sum && nodeOutputs[sum.Add].Length == 1 && nodeOutputs[sum.Add][0] >= 0)
            return step with { Residual = nodeInputs[sum.Add][1 - sum.Operand], Output = nodeOutputs[sum.Add][0] };
        return step;
    }

    /// <summary>Runs <paramref name="chain"/> on <paramref name="values"/> (setting its outputs) and returns true; false,
    /// with nothing run, when this time it cannot (switched off, a shape or an argument that does not fit).</summary>
    private bool RunBlocked(BlockedChain chain, Tensor?[] values, StoragePool.Scope recycle, Func<int, int, bool> mayFuse, NodeTimings? timings)
    {
        int lanes = BlockedLayout.MachineLanes;        // 16 (AVX-512) or 8 (AVX2): the kernels of this machine
        if (!ConvolutionAlgorithms.Blocked || lanes == 0) return false;
        for (int n = chain.First; n <= chain.Last; n++) if (!mayFuse(n, n)) return false;
        if (ChainShapes(chain, values) is not { } planned) return false;
        var (shapes, activations) = planned;

        // image by image: each image's activations stay in cache from one step to the next (a batch's would not), and
        // the values are those of the image alone (the kernels' sums do not depend on the batch)
        int images = shapes[chain.Steps[0].Input].N;
        if (chain.Inputs.Concat(chain.Plain).Any(s => shapes[s].N != images)) return false;
        foreach (int s in chain.Outputs)
        {
            var (n, c, h, w) = shapes[s];
            values[s] = new Tensor(new Shape(n, c, h, w), StoragePool.NewFloats(n * c * h * w, overwrite: true));
        }
        var scratch = new Scratch(recycle.Pool);
        var lastRead = LastReads(chain);
        var packed = PackedSteps(chain, shapes, values, lanes);
        var blocked = new Dictionary<int, float[]>();
        for (int image = 0; image < images; image++)
        {
            long begin = timings is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();   // the reorders in count as the first step's
            foreach (int s in chain.Inputs)
            {
                var (_, c, h, w) = shapes[s];
                var target = scratch.Rent(BlockedLayout.Length(1, c, h * w, lanes));
                BlockedLayout.ToBlocked(values[s]!.Floats, 1, c, h * w, target, image * c * h * w, lanes);
                blocked[s] = target;
            }
            for (int k = 0; k < chain.Steps.Length; k++)
            {
                long start = k == 0 ? begin : timings is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
                var step = chain.Steps[k];
                var (_, c, h, w) = shapes[step.Input];
                var y = shapes[step.Output];
                var (weight, bias) = packed[k];
                var output = scratch.Rent(BlockedLayout.Length(1, y.C, y.H * y.W, lanes));
                if (step.Direct && lanes == 8)
                    BlockedDirect8.Forward(values[step.Input]!.Floats, image * c * h * w, c, h, w, step.Kernel, step.Stride, step.Pads, y.C,
                        weight, bias, activations[k], output);
                else if (step.Direct)
                    BlockedDirect.Forward(values[step.Input]!.Floats, image * c * h * w, c, h, w, step.Kernel, step.Stride, step.Pads, y.C,
                        weight, bias, activations[k], output);
                else if (step.Stride == 0)
                    Pointwise(blocked[step.Input], 1, c, h * w, y.C, weight, bias, step.Residual >= 0 ? blocked[step.Residual] : null,
                        activations[k], output, null, BlockedOperand.None, 0f, 0f, lanes);
                else
                    Depthwise(blocked[step.Input], 1, c, h, w, step, weight, bias, activations[k], output, null, BlockedOperand.None, 0f, 0f, lanes);
                blocked[step.Output] = output;
                if (chain.Outputs.Contains(step.Output))
                    BlockedLayout.FromBlocked(output, 1, y.C, y.H * y.W, values[step.Output]!.Floats, image * y.C * y.H * y.W, lanes);
                foreach (int read in (int[])[step.Input, step.Residual])
                    if (read >= 0 && lastRead[read] == k && blocked.Remove(read, out var dead)) scratch.Give(dead);
                timings?.Add(step.Node, System.Diagnostics.Stopwatch.GetTimestamp() - start, $"[{y.N}, {c}, {h}, {w}] blocked → [{y.N}, {y.C}, {y.H}, {y.W}]");
            }
            foreach (var dead in blocked.Values) scratch.Give(dead);
            blocked.Clear();
        }
        scratch.Drain();
        return true;
    }

    /// <summary>Every slot's [N, C, H, W] in <paramref name="chain"/> and each step's clamp, from the values of its inputs
    /// and weights, before anything runs; null when a shape, a weight or an activation does not fit the kernels.</summary>
    private (Dictionary<int, (int N, int C, int H, int W)> Shapes, ConvActivation[] Activations)? ChainShapes(BlockedChain chain, Tensor?[] values)
    {
        var shapes = new Dictionary<int, (int N, int C, int H, int W)>();
        foreach (int s in chain.Inputs.Concat(chain.Plain))
        {
            if (values[s] is not { Rank: 4, DType: DType.Float32 } t || t.Floats.Length < t.Size || t.Size == 0) return null;
            shapes[s] = (t.Shape[0], t.Shape[1], t.Shape[2], t.Shape[3]);
        }
        var activations = new ConvActivation[chain.Steps.Length];
        for (int k = 0; k < chain.Steps.Length; k++)
        {
            var step = chain.Steps[k];
            if (!shapes.TryGetValue(step.Input, out var x) || values[step.Weight] is not { Rank: 4 } w) return null;
            int o = w.Shape[0];
            if (step.Depthwise ? o != x.C : w.Shape[1] != x.C) return null;
            if (step.Bias >= 0 && values[step.Bias] is not { Rank: 1 } b) return null;
            if (step.Depthwise && !BlockedDepthwise.Supports(x.H, x.W, step.Stride, step.Pads)) return null;
            var y = step.Stride == 0 ? (x.N, o, x.H, x.W)
                : step.Direct ? (x.N, o, BlockedLayout.OutputSize(x.H, step.Kernel.H, step.Stride, step.Pads.Top, step.Pads.Bottom),
                    BlockedLayout.OutputSize(x.W, step.Kernel.W, step.Stride, step.Pads.Left, step.Pads.Right))
                : (x.N, o, BlockedDepthwise.OutputSize(x.H, step.Stride, step.Pads.Top, step.Pads.Bottom), BlockedDepthwise.OutputSize(x.W, step.Stride, step.Pads.Left, step.Pads.Right));
            if (y.Item3 <= 0 || y.Item4 <= 0) return null;
            if (step.Residual >= 0 && (!shapes.TryGetValue(step.Residual, out var r) || r != y)) return null;
            if (step.Activation >= 0)
            {
                if (inPlace[step.Activation]?.Activation(ArgumentsOf(step.Activation, values)) is not { Kind: ConvActivationKind.Clamp } act) return null;
                activations[k] = act;
            }
            shapes[step.Output] = y;
        }
        return (shapes, activations);
    }

    /// <summary>The last step of <paramref name="chain"/> that reads each slot (as its input or residual).</summary>
    private static Dictionary<int, int> LastReads(BlockedChain chain)
    {
        var lastRead = new Dictionary<int, int>();
        for (int k = 0; k < chain.Steps.Length; k++)
        {
            lastRead[chain.Steps[k].Input] = k;
            if (chain.Steps[k].Residual >= 0) lastRead[chain.Steps[k].Residual] = k;
        }
        return lastRead;
    }

    /// <summary>Each step's weights and bias as the kernels take them, once per pass (kept between passes for read-only
    /// weights).</summary>
    private static (float[] Weight, float[] Bias)[] PackedSteps(BlockedChain chain, Dictionary<int, (int N, int C, int H, int W)> shapes, Tensor?[] values, int lanes)
    {
        var packed = new (float[] Weight, float[] Bias)[chain.Steps.Length];
        for (int k = 0; k < chain.Steps.Length; k++)
        {
            var step = chain.Steps[k];
            int c = shapes[step.Input].C, o = shapes[step.Output].C;
            var weight = values[step.Weight]!.Floats;
            packed[k] = (step.Direct ? BlockedWeights.Pointwise(weight, o, c * step.Kernel.H * step.Kernel.W, lanes)
                    : step.Stride == 0 ? BlockedWeights.Pointwise(weight, o, c, lanes) : BlockedWeights.Depthwise(weight, c, lanes),
                BlockedWeights.Bias(step.Bias >= 0 ? values[step.Bias]!.Floats : null, o, lanes));
        }
        return packed;
    }

    /// <summary>A pointwise step on this machine's block width.</summary>
    private static void Pointwise(float[] x, int batch, int inChannels, int plane, int outChannels, float[] w, float[] bias, float[]? residual,
        ConvActivation activation, float[] y, float[]? bits, BlockedOperand use, float lo, float hi, int lanes)
    {
        if (lanes == 8) BlockedPointwise8.Forward(x, batch, inChannels, plane, outChannels, w, bias, residual, activation, y, bits, use, lo, hi);
        else BlockedPointwise.Forward(x, batch, inChannels, plane, outChannels, w, bias, residual, activation, y, bits, use, lo, hi);
    }

    /// <summary>A depthwise step on this machine's block width.</summary>
    private static void Depthwise(float[] x, int batch, int channels, int height, int width, BlockedStep step, float[] w, float[] bias,
        ConvActivation activation, float[] y, float[]? bits, BlockedOperand use, float lo, float hi, int lanes)
    {
        if (lanes == 8) BlockedDepthwise8.Forward(x, batch, channels, height, width, step.Stride, step.Pads, w, bias, activation, y, bits, use, lo, hi);
        else BlockedDepthwise.Forward(x, batch, channels, height, width, step.Stride, step.Pads, w, bias, activation, y, bits, use, lo, hi);
    }

    /// <summary>Arrays of a pass reused once dead, taken from and given back to a pool: a request gets the shortest dead
    /// array at least as long (the blocked kernels take arrays longer than their values), so that a chain holds about
    /// as many arrays as it has values live at once, not one of every length it meets. MobileNetV2's chain met 24
    /// lengths and left 18.9 MB in the pool after a forward pass; best fit leaves 10.1 MB, so that with its 14 MB of
    /// weights a pass touches less than the 32 MB L3 (shared with the machine's other tenants): batch 1, two threads,
    /// six alternated runs, fastest pass 3.88–4.03 → 3.60–3.74 ms (ARCHITECTURE entry 72).</summary>
    internal sealed class Scratch(StoragePool storage)
    {
        private readonly Dictionary<int, Stack<float[]>> free = [];

        public float[] Rent(int length) =>
            StoragePool.TakeShortest(free, length) ?? storage.TryTakeAtLeast(length) ?? GC.AllocateUninitializedArray<float>(length);

        public void Give(float[] array)
        {
            if (!free.TryGetValue(array.Length, out var stack)) free[array.Length] = stack = new Stack<float[]>();
            stack.Push(array);
        }

        /// <summary>Gives every free array back to the pool (all of them once the groups are done).</summary>
        public void Drain()
        {
            foreach (var stack in free.Values) while (stack.Count > 0) storage.Give(stack.Pop());
        }
    }
}
