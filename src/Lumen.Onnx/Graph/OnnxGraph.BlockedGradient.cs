using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Onnx.Graph;

/// <summary>
/// A blocked chain (<see cref="RunBlocked"/>) in a recorded pass: the chain runs forward in the channel-blocked layout
/// and goes on the tape as one op whose backward pass is the chain's adjoint, also blocked — each pointwise convolution
/// by its transposed weights (<see cref="BlockedWeights.PointwiseTransposed"/>), each depthwise one by
/// <see cref="BlockedDepthwiseAdjoint"/>, each clamp by its gradient mask, each residual Add by handing the gradient to
/// both operands. Only the gradient of the chain's inputs comes out of it: the pass must want no weight gradient (an
/// attribution method's input gradient).
/// </summary>
/// <remarks>
/// It runs where the caller lends pass storage for a recorded pass (<see cref="StoragePool.InScope"/>: an attribution
/// method's chunk, whose first-order backward pass runs before the pass is dropped), with no hook on any of the
/// chain's nodes, for chains of one output, without a direct first step (a stem reading NCHW runs node by node before
/// the rest: <see cref="GradientPlan"/>), and whose depthwise steps have a blocked adjoint. Else the nodes run one by
/// one, recorded as ever. Each convolution with a clamp stores clamp(u), bitwise the inference chain's value, and keeps
/// the clamp's gradient mask as one bit a value (<see cref="BlockedOperand.Keep"/>), decided on u as the NCHW rules
/// decide (lo ≤ u ≤ hi for a Clip, u &gt; 0 for a Relu), so the masks are exact, ties included, at 1/32 of u's memory;
/// the backward kernels apply them as they store (<see cref="BlockedOperand.Mask"/>). Values differ from the
/// node-by-node pass by rounding (other summation orders) and do not depend on the batch or the thread count. Images
/// go through in groups of about four per thread (<see cref="GroupSize"/>), each group through all the steps.
/// </remarks>
internal sealed partial class OnnxGraph
{
    /// <summary>The arrays of the blocked backward passes, kept from one to the next (warm memory, no page faults).</summary>
    private readonly StoragePool adjointStorage = new(512L << 20);

    /// <summary>The chains a recorded pass may run blocked (<see cref="RunBlockedRecorded"/>), indexed by their first node:
    /// each planned chain of one output, less a direct first step (the run after it, when that still has two steps and
    /// a depthwise one).</summary>
    private BlockedChain?[] GradientPlan(int[] lastUse, int[] producer)
    {
        var plan = new BlockedChain?[chainAt.Length];
        foreach (var chain in chainAt)
        {
            if (chain is null) continue;
            var steps = chain.Steps[0].Direct ? chain.Steps[1..] : chain.Steps;
            if (steps.Length < 2 || !steps.Any(s => s.Depthwise)) continue;
            var run = chain.Steps[0].Direct ? Chain(steps[0].Node, chain.Last, steps, lastUse, producer) : chain;
            if (run is { Outputs.Length: 1, Plain.Length: 0 }) plan[run.First] = run;
        }
        return plan;
    }

    /// <summary>Runs <paramref name="chain"/> forward, blocked, recording it as one op (see the remarks), and sets its
    /// output; false, with nothing run, when this pass may not (see the remarks) or a shape does not fit.</summary>
    private bool RunBlockedRecorded(BlockedChain chain, Tensor?[] values, Func<int, int, bool> mayFuse)
    {
        int lanes = BlockedLayout.MachineLanes;
        if (!ConvolutionAlgorithms.Blocked || lanes == 0 || !StoragePool.InScope || !GradMode.IsEnabled) return false;
        for (int n = chain.First; n <= chain.Last; n++) if (!mayFuse(n, n)) return false;
        if (ChainShapes(chain, values) is not { } planned) return false;
        var (shapes, activations) = planned;
        if (!chain.Inputs.Any(s => values[s]!.RequiresGrad)) return false;
        foreach (var step in chain.Steps)
        {
            var x = shapes[step.Input];
            if (step.Depthwise && !BlockedDepthwiseAdjoint.Supports(x.H, x.W, step.Stride, step.Pads)) return false;
        }
        int images = shapes[chain.Steps[0].Input].N;
        if (chain.Inputs.Any(s => shapes[s].N != images)) return false;

        var steps = chain.Steps;
        int output = chain.Outputs[0];
        var (_, oc, oh, ow) = shapes[output];
        var result = new Tensor(new Shape(images, oc, oh, ow), StoragePool.NewFloats(images * oc * oh * ow, overwrite: true));
        int group = GroupSize(images), groups = (images + group - 1) / group;
        // the clamps' gradient masks: lo ≤ u ≤ hi for a Clip, u > 0 (ε ≤ u ≤ +∞) for a Relu, as GradientMasks decide,
        // kept as bits per step with a clamp and group of images
        var inside = steps.Select((s, k) => s.Activation < 0 ? default
            : Model.Nodes[s.Activation].OpType == "Relu" ? (float.Epsilon, float.PositiveInfinity) : (activations[k].Min, activations[k].Max)).ToArray();
        var kept = new float[steps.Length][][];
        long keptBytes = 0;
        for (int k = 0; k < steps.Length; k++)
        {
            if (steps[k].Activation < 0) continue;
            kept[k] = new float[groups][];
            var y = shapes[steps[k].Output];
            for (int g = 0; g < groups; g++)
            {
                int words = BlockedEpilogue.BitFloats(BlockedLayout.Length(Math.Min(group, images - g * group), y.C, y.H * y.W, lanes));
                kept[k][g] = StoragePool.NewFloats(words, overwrite: true);      // the pass's storage: no garbage per chunk
                keptBytes += (long)words * sizeof(float);
            }
        }
        var lastRead = LastReads(chain);
        var packed = PackedSteps(chain, shapes, values, lanes);
        void Forward(int g, Scratch scratch)
        {
            int first = g * group, count = Math.Min(group, images - first);
            var blocked = new Dictionary<int, float[]>();
            foreach (int s in chain.Inputs)
            {
                var (_, c, h, w) = shapes[s];
                blocked[s] = scratch.Rent(BlockedLayout.Length(count, c, h * w, lanes));
                BlockedLayout.ToBlocked(values[s]!.Floats, count, c, h * w, blocked[s], first * c * h * w, lanes);
            }
            for (int k = 0; k < steps.Length; k++)
            {
                var step = steps[k];
                var (_, c, h, w) = shapes[step.Input];
                var y = shapes[step.Output];
                var next = scratch.Rent(BlockedLayout.Length(count, y.C, y.H * y.W, lanes));
                var keep = step.Activation >= 0 ? kept[k][g] : null;                // the clamp's gradient mask
                var (lo, hi) = inside[k];
                var (weight, bias) = packed[k];
                if (step.Stride == 0)
                    Pointwise(blocked[step.Input], count, c, h * w, y.C, weight, bias, step.Residual >= 0 ? blocked[step.Residual] : null,
                        activations[k], next, keep, BlockedOperand.Keep, lo, hi, lanes);
                else
                    Depthwise(blocked[step.Input], count, c, h, w, step, weight, bias, activations[k], next, keep, BlockedOperand.Keep, lo, hi, lanes);
                blocked[step.Output] = next;
                if (step.Output == output) BlockedLayout.FromBlocked(next, count, y.C, y.H * y.W, result.Floats, first * y.C * y.H * y.W, lanes);
                foreach (int read in (int[])[step.Input, step.Residual])
                    if (read >= 0 && lastRead[read] == k && blocked.Remove(read, out var dead)) scratch.Give(dead);
            }
            foreach (var dead in blocked.Values) scratch.Give(dead);
        }
        ForEachGroup(groups, adjointStorage, Forward);

        // the tape: the chain's inputs, then its weights and biases (whose gradients it refuses)
        var inputs = new List<Tensor>(chain.Inputs.Select(s => values[s]!));
        int parameters = inputs.Count;
        foreach (var step in steps)
        {
            inputs.Add(values[step.Weight]!);
            if (step.Bias >= 0) inputs.Add(values[step.Bias]!);
        }
        var weights = steps.Select(s => values[s.Weight]!.Floats).ToArray();
        BackwardRule rule = (gradient, needs) =>
        {
            for (int i = parameters; i < needs.Length; i++)
                if (needs[i])
                    throw new InvalidOperationException($"{Model.File}: the blocked chain of nodes {Model.Nodes[chain.First].Name}…{Model.Nodes[chain.Last].Name} gives input gradients only, not weight or bias gradients; such a pass must not lend pass storage (StoragePool scope).");
            if (GradMode.IsEnabled)
                throw new InvalidOperationException($"{Model.File}: the blocked chain of nodes {Model.Nodes[chain.First].Name}…{Model.Nodes[chain.Last].Name} records no second-order graph; such a pass must not lend pass storage (StoragePool scope).");
            return Adjoint(chain, shapes, weights, kept, gradient, needs, group, lanes, adjointStorage);
        };
        Gradients.Record(result, "BlockedChain", rule, [.. inputs]);
        result.GradFn!.SavedBytes = keptBytes;
        values[output] = result;
        return true;
    }

    /// <summary>The backward pass of <see cref="RunBlockedRecorded"/>: the gradient of each chain input wanted by
    /// <paramref name="needs"/> for output gradient <paramref name="gradient"/>, group by group of images. Every
    /// gradient written for the output of a step with a clamp is masked as it is written (the adjoint kernels'
    /// <see cref="BlockedOperand.Mask"/>, or a pass when the kernel also sums another gradient): the mask is 0/1, so
    /// the sum of masked parts is the masked sum.</summary>
    private static Tensor?[] Adjoint(BlockedChain chain, Dictionary<int, (int N, int C, int H, int W)> shapes,
        float[][] weights, float[][][] kept, Tensor gradient, bool[] needs, int group, int lanes, StoragePool storage)
    {
        var steps = chain.Steps;
        int output = chain.Outputs[0], images = shapes[output].N, groups = (images + group - 1) / group;
        var clampOf = new Dictionary<int, int>();                                // slot → the step whose clamp wrote it
        for (int k = 0; k < steps.Length; k++) if (steps[k].Activation >= 0) clampOf[steps[k].Output] = k;
        var result = new Tensor?[needs.Length];
        for (int i = 0; i < chain.Inputs.Length; i++)
            if (needs[i])
            {
                var (n, c, h, w) = shapes[chain.Inputs[i]];
                result[i] = new Tensor(new Shape(n, c, h, w), GradientStorage.Rent(n * c * h * w, overwrite: true));
            }
        var transposed = new float[]?[steps.Length];
        for (int k = 0; k < steps.Length; k++)
            if (steps[k].Stride == 0) transposed[k] = BlockedWeights.PointwiseTransposed(weights[k], shapes[steps[k].Output].C, shapes[steps[k].Input].C, lanes);
        var dy = gradient.Floats;
        void Backward(int g, Scratch scratch)
        {
            int first = g * group, count = Math.Min(group, images - first);
            int Length(int slot) => BlockedLayout.Length(count, shapes[slot].C, shapes[slot].H * shapes[slot].W, lanes);
            // masks in place a gradient of a slot that a clamp wrote (idempotent, so a part masked already may be in it)
            void Mask(int slot, float[] values)
            {
                if (clampOf.TryGetValue(slot, out int j)) BlockedActivation.MaskGradient(values, kept[j][g], Length(slot));
            }
            var grads = new Dictionary<int, float[]>();
            var (_, oc, oh, ow) = shapes[output];
            grads[output] = scratch.Rent(Length(output));
            BlockedLayout.ToBlocked(dy, count, oc, oh * ow, grads[output], first * oc * oh * ow, lanes);
            Mask(output, grads[output]);
            for (int k = steps.Length - 1; k >= 0; k--)
            {
                var step = steps[k];
                if (!grads.Remove(step.Output, out var dOut)) continue;            // nothing reads this output's gradient
                var x = shapes[step.Input];
                bool handedOn = false;                                              // dOut is now also the residual's gradient
                if (step.Residual >= 0)
                {
                    var part = dOut;
                    if (clampOf.ContainsKey(step.Residual))
                    {
                        part = scratch.Rent(Length(step.Output));
                        Array.Copy(dOut, part, Length(step.Output));
                        Mask(step.Residual, part);
                    }
                    if (grads.TryGetValue(step.Residual, out var sum)) { BlockedActivation.Add(sum, part, Length(step.Residual)); if (part != dOut) scratch.Give(part); }
                    else { grads[step.Residual] = part; handedOn = part == dOut; }
                }
                var dIn = scratch.Rent(Length(step.Input));
                grads.TryGetValue(step.Input, out var partial);
                // the clamp that wrote x, masking dIn as it is stored where the kernel has no other operand to add
                int producer = clampOf.TryGetValue(step.Input, out int j) ? j : -1;
                float[]? mask = producer >= 0 && partial is null ? kept[producer][g] : null;
                if (step.Stride == 0)
                    // dx = Wᵀ · dy + what the input's other readers gave it (the residual operand), or masked
                    Pointwise(dOut, count, shapes[step.Output].C, shapes[step.Output].H * shapes[step.Output].W, x.C, transposed[k]!, BlockedWeights.Bias(null, x.C, lanes),
                        partial, default, dIn, mask, BlockedOperand.Mask, 0f, 0f, lanes);
                else
                {
                    BlockedDepthwiseAdjoint.InputGradient(dOut, count, x.C, x.H, x.W, step.Stride, step.Pads, weights[k], dIn, lanes, mask);
                    if (partial is not null) BlockedActivation.Add(dIn, partial, Length(step.Input));
                }
                if (producer >= 0 && mask is null) Mask(step.Input, dIn);
                grads[step.Input] = dIn;
                if (partial is not null) scratch.Give(partial);                     // summed into dIn, read by nothing else
                if (!handedOn) scratch.Give(dOut);
            }
            for (int i = 0; i < chain.Inputs.Length; i++)
            {
                if (result[i] is not { } dx) continue;
                var (_, c, h, w) = shapes[chain.Inputs[i]];
                if (grads.TryGetValue(chain.Inputs[i], out var blocked)) BlockedLayout.FromBlocked(blocked, count, c, h * w, dx.Floats, first * c * h * w, lanes);
                else dx.Floats.AsSpan(first * c * h * w, count * c * h * w).Clear();
            }
            foreach (var dead in grads.Values) scratch.Give(dead);
        }
        ForEachGroup(groups, storage, Backward);
        for (int i = 0; i < result.Length; i++) if (result[i] is { } r) result[i] = GradientStorage.Fresh(r);
        return result;
    }

    /// <summary>Images per group: about four per thread, in groups of one size (25 images at two threads: 7, 7, 7, 4). The
    /// kernels share a group's work among the threads, and a group's steps reuse each layer's weights while they are
    /// in cache. Measured on Integrated Gradients over MobileNetV2 (50 rows in chunks of 25, two threads, best four of
    /// eight calls, two rounds): groups of 1 0.50–0.56 s, 2 0.51–0.59, 4 0.49–0.53, 8 0.48–0.51, 16 0.50–0.53,
    /// 32 0.52–0.57.</summary>
    private static int GroupSize(int images)
    {
        int groups = (images + 4 * Parallelism.MaxDegree - 1) / (4 * Parallelism.MaxDegree);
        return Math.Max(1, (images + groups - 1) / groups);
    }

    /// <summary>Runs <paramref name="body"/>(g, scratch) for every group, one after another, with scratch arrays taken
    /// from and given back to <paramref name="storage"/>.</summary>
    private static void ForEachGroup(int groups, StoragePool storage, Action<int, Scratch> body)
    {
        var scratch = new Scratch(storage);
        for (int g = 0; g < groups; g++) body(g, scratch);
        scratch.Drain();
    }
}
