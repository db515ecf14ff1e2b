using Lumen.Tensors;
using Lumen.Tensors.Kernels;

namespace Lumen.Onnx.Graph;

/// <summary>
/// The execution plan of a model: one kernel per node in topological order, plus the last step at which each
/// value is read so that intermediates can be released early. The interpreter loop has no op-specific code.
/// </summary>
/// <remarks>When no hook can see the difference (the caller says when), a Relu/LeakyRelu/Clip that alone reads a Conv's
/// output is applied by the Conv as it writes (<see cref="Ops.ConvolutionOps"/>), or else in place on its output — at
/// inference; when gradients are recorded, a Relu or LeakyRelu (α &gt; 0) is fused into the Conv as one recorded op
/// whose backward reads its mask off the fused output (<see cref="Tensor.Conv2dRectified"/>), and so is a Clip, whose
/// backward also needs the pre-activation where it lay exactly on a bound (<see cref="Tensor.Conv2dClamped"/>). At
/// inference released values go back to a <see cref="StoragePool"/> scope. An inference Dropout whose mask nothing reads
/// is skipped (its input is its output), and at pure inference a channel Concat of one image writes its later inputs
/// after the first, in the array its convolution wrote (OnnxGraph.Concatenation.cs), and a residual Add is summed by the
/// convolution that produces one of its operands (OnnxGraph.Residual.cs). All of it is invisible: values and
/// gradients are bitwise those of the plain node-by-node run.</remarks>
internal sealed partial class OnnxGraph
{
    private readonly int[] inputSlots;
    private readonly int[] outputSlots;
    private readonly int[][] nodeInputs;
    private readonly int[][] nodeOutputs;
    private readonly int[][] releaseAfter;
    private readonly Tensor?[] constants;
    private readonly int slotCount;
    private readonly InPlaceActivation?[] inPlace;
    private readonly Fusion?[] fusions;
    private readonly bool[] passThrough;
    private readonly FirstInPlace?[] firstOfConcat;   // indexed by the convolution of a Concat's first input
    private readonly FirstInPlace?[] joinedAfter;  // indexed by the Concat
    private readonly TailInPlace?[] placedFor;     // indexed by the convolution of a later Concat input
    private readonly PooledConvolution?[] pooledAfter;   // indexed by the convolution
    private readonly ResidualSum?[] sumFor;        // indexed by the convolution
    private readonly ResidualSum?[] sumAt;         // indexed by the Add
    private readonly BlockedChain?[] chainAt;      // indexed by the chain's first node
    private readonly BlockedChain?[] gradientChainAt;   // the chains a recorded pass may run blocked, likewise

    /// <summary>An activation node that may run on its producer's fresh output in place; <see cref="Activation"/> maps
    /// the node's arguments to the activation, or null when they need the ordinary kernel.</summary>
    private sealed record InPlaceActivation(int Producer, Func<Tensor?[], ConvActivation?> Activation);

    /// <summary>A convolution that may apply its only reader, an activation, as it writes its output: at inference
    /// through <see cref="Ops.ConvolutionOps.FusedConv.Activated"/>; when gradients are recorded as a rectifier of the
    /// given <see cref="Slope"/>, when the activation has that form, else as a clamp when it is one (a Clip: Relu
    /// always has a slope).</summary>
    private sealed record Fusion(int Consumer, Ops.ConvolutionOps.FusedConv Conv, float? Slope);

    private OnnxGraph(OnnxModel model, OnnxKernel[] kernels)
    {
        // Initializers are bound by reference: the module turns float ones into parameters in place.
        Model = model;
        Kernels = kernels;
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        int Slot(string name)
        {
            if (!slots.TryGetValue(name, out var s)) slots[name] = s = slots.Count;
            return s;
        }
        foreach (var name in model.Initializers.Keys) Slot(name);
        inputSlots = [.. model.Inputs.Select(i => Slot(i.Name))];
        nodeInputs = new int[model.Nodes.Count][];
        nodeOutputs = new int[model.Nodes.Count][];
        for (int n = 0; n < model.Nodes.Count; n++)
        {
            var node = model.Nodes[n];
            nodeInputs[n] = [.. node.AllInputs.Select(x => x.Length == 0 ? -1 : Slot(x))];
            nodeOutputs[n] = [.. node.Outputs.Select(x => x.Length == 0 ? -1 : Slot(x))];
        }
        outputSlots = [.. model.Outputs.Select(o => slots.TryGetValue(o.Name, out var s) ? s
            : throw new OnnxException($"{model.File}: graph output '{o.Name}' is not produced by any node, input or initializer."))];
        slotCount = slots.Count;
        constants = new Tensor?[slotCount];
        foreach (var (name, t) in model.Initializers) constants[slots[name]] = t;

        // A value is released after the last node that reads it, unless it is a graph output or a constant.
        var lastUse = new int[slotCount];
        Array.Fill(lastUse, -1);
        for (int n = 0; n < nodeInputs.Length; n++)
            foreach (var s in nodeInputs[n]) if (s >= 0) lastUse[s] = n;
        foreach (var s in outputSlots) lastUse[s] = int.MaxValue;
        var release = new List<int>[nodeInputs.Length];
        for (int n = 0; n < release.Length; n++) release[n] = [];
        for (int s = 0; s < slotCount; s++)
            if (lastUse[s] >= 0 && lastUse[s] != int.MaxValue && constants[s] is null) release[lastUse[s]].Add(s);
        releaseAfter = [.. release.Select(r => r.ToArray())];
        var producer = new int[slotCount];
        Array.Fill(producer, -1);
        for (int n = 0; n < nodeOutputs.Length; n++)
            foreach (var s in nodeOutputs[n]) if (s >= 0) producer[s] = n;
        var reads = new int[slotCount];
        foreach (var inputs in nodeInputs) foreach (var s in inputs) if (s >= 0) reads[s]++;
        inPlace = InPlacePlan(model, lastUse, producer, reads);
        fusions = new Fusion?[nodeInputs.Length];
        for (int m = 0; m < inPlace.Length; m++)
            if (inPlace[m] is { } plan)
                fusions[plan.Producer] = new Fusion(m, Ops.ConvolutionOps.FusedForm(model.Nodes[plan.Producer]), Ops.ActivationOps.RectifierSlope(model.Nodes[m]));
        passThrough = PassThroughPlan(model, lastUse);
        (firstOfConcat, joinedAfter, placedFor) = ConcatPlan(model, lastUse, producer, reads);
        pooledAfter = PoolingPlan(model, lastUse, producer, reads);
        (sumFor, sumAt) = ResidualPlan(model, lastUse, producer, reads);
        chainAt = BlockedPlan(model, lastUse, producer);
        gradientChainAt = GradientPlan(lastUse, producer);
    }

    /// <summary>For each node, whether it returns its input 0 as its output 0 (an inference Dropout:
    /// <see cref="Ops.ConstantOps.PassesThrough"/>) and nothing reads its other outputs (no node, no graph output):
    /// when its hooks allow, the graph then passes the input through without running the node.</summary>
    private bool[] PassThroughPlan(OnnxModel model, int[] lastUse)
    {
        var plan = new bool[nodeInputs.Length];
        for (int n = 0; n < plan.Length; n++)
            plan[n] = nodeInputs[n].Length > 0 && nodeInputs[n][0] >= 0 && nodeOutputs[n].Length > 0 && nodeOutputs[n][0] >= 0
                && nodeOutputs[n].Skip(1).All(s => s < 0 || lastUse[s] < 0) && Ops.ConstantOps.PassesThrough(model.Nodes[n]);
        return plan;
    }

    /// <summary>For each node, the producer of its input 0 when the node is an activation that may run on that value
    /// in place or fused into it: a convolution's fresh output that this node alone reads, once, and that is no graph
    /// output.</summary>
    private InPlaceActivation?[] InPlacePlan(OnnxModel model, int[] lastUse, int[] producer, int[] reads)
    {
        var plan = new InPlaceActivation?[nodeInputs.Length];
        for (int m = 0; m < plan.Length; m++)
        {
            if (nodeInputs[m].Length == 0 || nodeInputs[m][0] is not (>= 0 and var s)) continue;
            if (reads[s] != 1 || lastUse[s] != m || producer[s] < 0 || constants[s] is not null) continue;
            var source = model.Nodes[producer[s]];
            if (source.Domain is not ("" or "ai.onnx") || source.OpType != "Conv") continue;
            if (Ops.ActivationOps.FusedForm(model.Nodes[m]) is { } activation) plan[m] = new InPlaceActivation(producer[s], activation);
        }
        return plan;
    }

    public OnnxModel Model { get; }

    public OnnxKernel[] Kernels { get; }

    /// <summary>Converts every node; throws one error listing all nodes that cannot be converted.</summary>
    public static OnnxGraph Build(OnnxModel model)
    {
        var kernels = new OnnxKernel[model.Nodes.Count];
        var problems = new List<string>();
        for (int i = 0; i < kernels.Length; i++)
        {
            try { kernels[i] = Convert(model.Nodes[i]); }
            catch (OnnxException e) { problems.Add(e.Message); }
        }
        if (problems.Count > 0)
            throw new OnnxException($"{model.File}: {problems.Count} node(s) cannot be run by Lumen:{Environment.NewLine}  " +
                string.Join(Environment.NewLine + "  ", problems));
        return new OnnxGraph(model, kernels);
    }

    /// <summary>Finds and runs the converter for one node (validating its attributes).</summary>
    public static OnnxKernel Convert(OnnxNode node)
    {
        var converter = OnnxOps.Find(node.Domain, node.OpType, node.Opset, out var reason)
            ?? throw node.Error($"{reason}");
        try
        {
            return converter(node);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException)
        {
            throw node.Error($"cannot be converted: {e.Message}");
        }
    }

    /// <summary>Runs the graph; <paramref name="invoke"/> runs node n on its positional arguments (null for an
    /// omitted optional input) — the module layer routes it through the node's hooks.
    /// <paramref name="mayFuse"/>(producer, node) says whether, this time, an activation planned to be fused into its
    /// producer or run in place on its output may be (no hook would see the difference), and (node, node) whether a
    /// node planned to pass its input through (an inference Dropout whose mask nothing reads) may skip its kernel;
    /// null: never. In-place runs
    /// happen only with gradients off; with gradients on, rectifier and clamp fusions record their gradient.
    /// When <paramref name="recycle"/> is given, the caller guarantees the same for every value (no gradients, no
    /// hooks), and each released value whose storage no live value shares goes back to that pool scope.
    /// <paramref name="timings"/>, when given, gets the wall time of each node.</summary>
    public Tensor[] Run(IReadOnlyList<Tensor> inputs, Func<int, Tensor?[], IReadOnlyList<Tensor>> invoke, Func<int, int, bool>? mayFuse = null,
        StoragePool.Scope? recycle = null, NodeTimings? timings = null)
    {
        if (inputs.Count != inputSlots.Length)
            throw new OnnxException($"{Model.File}: the model takes {inputSlots.Length} input(s) ({string.Join(", ", Model.Inputs.Select(i => i.Name))}) but {inputs.Count} were given.");
        var values = (Tensor?[])constants.Clone();
        for (int i = 0; i < inputs.Count; i++)
        {
            CheckInput(Model.Inputs[i], inputs[i]);
            values[inputSlots[i]] = inputs[i];
        }
        var activated = new bool[Kernels.Length];    // activations already applied by their convolution
        var firstWritten = new bool[Kernels.Length]; // first-input convolutions that wrote into their Concat's result array
        var placed = new bool[Kernels.Length];       // later-input convolutions that wrote into their Concat's result array
        var pooledBy = new Tensor?[Kernels.Length];  // MaxPools whose values their convolution already computed
        var summed = new bool[Kernels.Length];       // Adds already summed by their convolution
        for (int n = 0; n < Kernels.Length; n++)
        {
            if (recycle is not null && mayFuse is not null && chainAt[n] is { } chain && RunBlocked(chain, values, recycle, mayFuse, timings))
            {
                for (int k = chain.First; k <= chain.Last; k++) Release(k, values, recycle);
                n = chain.Last;
                continue;
            }
            if (recycle is null && timings is null && mayFuse is not null && gradientChainAt[n] is { } recorded && RunBlockedRecorded(recorded, values, mayFuse))
            {
                for (int k = recorded.First; k <= recorded.Last; k++) Release(k, values, null);
                n = recorded.Last;
                continue;
            }
            long start = timings is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
            var node = Model.Nodes[n];
            var args = ArgumentsOf(n, values);
            IReadOnlyList<Tensor> results;
            try
            {
                bool recording = Tensors.Autograd.GradMode.IsEnabled;
                if (summed[n]) results = [args[sumAt[n]!.Operand]!];
                else if (recycle is not null && sumFor[n] is { } sum && mayFuse is not null && mayFuse(n, sum.Add) && Summed(sum, args, values) is { } total)
                {
                    results = [total];
                    summed[sum.Add] = true;
                }
                else if (activated[n] || (passThrough[n] && mayFuse is not null && args[0] is not null && mayFuse(n, n))) results = [args[0]!];
                else if (pooledBy[n] is { } pooledValues) results = [pooledValues];
                else if (recycle is not null && pooledAfter[n] is { } pooling && fusions[n] is { } pf && mayFuse is not null && mayFuse(n, pf.Consumer)
                         && mayFuse(n, pooling.Pool) && Pooled(pooling, pf, args, values) is { } pooled)
                {
                    results = [pooled];
                    activated[pf.Consumer] = true;
                    pooledBy[pooling.Pool] = pooled;
                }
                else if (recycle is not null && firstOfConcat[n] is { } concat && fusions[n] is { } hf && mayFuse is not null && mayFuse(n, hf.Consumer)
                         && FirstInResult(concat, hf, args, values) is { } first)
                {
                    results = [first];
                    activated[hf.Consumer] = true;
                    firstWritten[n] = true;
                }
                else if (recycle is not null && placedFor[n] is { } tail && firstWritten[tail.Plan.Convolution] && fusions[n] is { } tf
                         && mayFuse is not null && mayFuse(n, tf.Consumer) && WrittenInPlace(tail, tf, args, values) is { } written)
                {
                    results = [written];
                    activated[tf.Consumer] = true;
                    placed[n] = true;
                }
                else if (fusions[n] is { } f && mayFuse is not null && mayFuse(n, f.Consumer)
                         && Fused(f, args, values, recording) is { } fused)
                {
                    results = [fused];
                    activated[f.Consumer] = true;
                }
                else if (recycle is not null && joinedAfter[n] is { } join && firstWritten[join.Convolution]) results = [JoinInResult(args, join, placed)];
                else if (!recording && inPlace[n] is { } planned && mayFuse is not null && mayFuse(planned.Producer, n)
                         && args[0] is { DType: DType.Float32 } target && planned.Activation(args) is { } late)
                {
                    target.ActivateInPlace(late);    // the activation's arguments were not known when its producer ran
                    results = [target];
                }
                else results = invoke(n, args);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or DivideByZeroException or OverflowException)
            {
                string shapes = string.Join(", ", args.Select(a => a is null ? "none" : $"{a.Shape} {a.DType}"));
                throw node.Error($"failed on inputs ({shapes}): {e.Message}");
            }
            var outs = nodeOutputs[n];
            for (int k = 0; k < outs.Length; k++)
            {
                if (outs[k] < 0) continue;
                if (k >= results.Count && passThrough[n]) continue;   // an output that nothing reads
                if (k >= results.Count) throw node.Error($"produced {results.Count} output(s) but output {k} ('{node.Outputs[k]}') was requested.");
                values[outs[k]] = results[k];
            }
            Release(n, values, recycle);
            timings?.Add(n, System.Diagnostics.Stopwatch.GetTimestamp() - start, args, results);
        }
        timings?.EndPass();
        return [.. outputSlots.Select(s => values[s]!)];
    }

    /// <summary>Drops the values whose last reader is node <paramref name="n"/>, giving their storage back to
    /// <paramref name="recycle"/> when no live value shares it.</summary>
    private void Release(int n, Tensor?[] values, StoragePool.Scope? recycle)
    {
        foreach (var s in releaseAfter[n])
        {
            var released = values[s];
            values[s] = null;
            if (recycle is not null && released is not null && !SharesStorage(values, released)) recycle.Recycle(released);
        }
    }

    /// <summary>The output of convolution <paramref name="f"/> with its activation applied as it writes: recorded for a
    /// rectifier or a clamp when <paramref name="recording"/>, else unrecorded; null when this fusion cannot run this time.</summary>
    private Tensor? Fused(Fusion f, Tensor?[] args, Tensor?[] values, bool recording)
    {
        if (recording && f.Slope is { } slope) return f.Conv.Rectified(args, slope);
        if (ActivationOf(f, values) is not { } activation) return null;
        if (!recording) return f.Conv.Activated(args, activation);
        if (activation.Kind != ConvActivationKind.Clamp) return null;                // a leaky ReLU of slope α ≤ 0
        return f.Conv.Clamped(args, float.IsNegativeInfinity(activation.Min) ? null : activation.Min, float.IsPositiveInfinity(activation.Max) ? null : activation.Max);
    }

    /// <summary>The activation that fusion <paramref name="f"/>'s convolution applies as it writes, from its consumer's
    /// current arguments; null when they need the activation's own kernel.</summary>
    private ConvActivation? ActivationOf(Fusion f, Tensor?[] values) => inPlace[f.Consumer]!.Activation(ArgumentsOf(f.Consumer, values));

    /// <summary>Node n's positional arguments from the current values (null for an omitted or not yet computed input).</summary>
    private Tensor?[] ArgumentsOf(int n, Tensor?[] values)
    {
        var args = new Tensor?[nodeInputs[n].Length];
        for (int k = 0; k < args.Length; k++)
            args[k] = nodeInputs[n][k] < 0 ? null : values[nodeInputs[n][k]];
        return args;
    }

    /// <summary>Whether a live value (a view, an alias, the same tensor in another slot) still uses the storage of
    /// <paramref name="released"/>.</summary>
    private static bool SharesStorage(Tensor?[] values, Tensor released)
    {
        var storage = released.Storage;
        foreach (var v in values)
            if (v is not null && ReferenceEquals(v.Storage, storage)) return true;
        return false;
    }

    private void CheckInput(OnnxValueInfo info, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (info.ElementType != 0 && info.Storage != value.DType)
            throw new OnnxException($"{Model.File}: input '{info.Name}' expects {IO.OnnxTensors.TypeName(info.ElementType)} ({info.Storage}) but got a {value.DType} tensor of shape {value.Shape}.");
        if (info.Dims is null) return;
        if (info.Dims.Count != value.Rank)
            throw new OnnxException($"{Model.File}: input '{info.Name}' expects rank {info.Dims.Count} [{string.Join(", ", info.Dims)}] but got shape {value.Shape}.");
        for (int d = 0; d < value.Rank; d++)
        {
            if (info.FixedDim(d) is not { } fixedSize || fixedSize == value.Shape[d]) continue;
            if (d == 0 && fixedSize == 1 && Model.BatchFlexible) continue;
            throw new OnnxException($"{Model.File}: input '{info.Name}' expects shape [{string.Join(", ", info.Dims)}] but got {value.Shape} (dimension {d}).");
        }
    }
}
