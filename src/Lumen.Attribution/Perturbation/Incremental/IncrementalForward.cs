using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Perturbation.Incremental;

/// <summary>An edit of a model input [1, C, H, W]: the rectangle at (<paramref name="Top"/>, <paramref name="Left"/>)
/// of the last two axes replaced by <paramref name="Data"/> [1, C, h, w].</summary>
internal readonly record struct InputEdit(int Top, int Left, Tensor Data);

/// <summary>
/// Target scores of many locally edited copies of one input, recomputing for each only what the edit can reach:
/// every spatially local step (<see cref="ISpatiallyLocal"/>) runs on a crop around the changed rectangle of its
/// input, pasted into the unperturbed activations recorded once; every other step whose input changed runs in
/// full. The result is exact, not approximate: each recomputed position reads exactly what the full pass reads.
/// </summary>
/// <remarks>
/// Rule for when it applies (otherwise <see cref="TryCreate"/> says why and callers run full passes): the input is
/// one image [1, C, H, W]; the target reads the model output (no hook point); the model has no hooks attached (they
/// would see crops); and every input of every leaf module is the model input, an output of an earlier leaf call, or
/// a parameter or buffer. A leaf call is cropped when its module reports a window for its input shapes and its
/// non-spatial inputs do not depend on the model input; after the first non-local step (global pooling, reshape,
/// dense layers) the changed values are whole tensors.
/// For a step with kernel extent k, stride s and top padding p, changed input rows [y₀, y₁) reach output rows
/// o ∈ [⌈(y₀ − k + 1 + p)/s⌉, ⌊(y₁ − 1 + p)/s⌋]. A batch of edits uses the largest such rectangle for every item (moved
/// inside the output), and crops the input from row (o₀ − ⌈p/s⌉)·s, a multiple of s, so that all crops have one size
/// and the module's own padding is never read; crop rows outside the input hold the window's pad value (0, or −∞
/// for max pooling). Recomputing a few clean positions is harmless: they read the same values as the full pass.
/// Between steps a batch's changed rectangles are stacked along the height, [1, C, P·h, w], so that a pointwise step
/// (a 1×1 convolution above all) runs once per batch as one large matrix product; its tensors come from a
/// <see cref="StoragePool"/>, so batch after batch reuses the same memory.
/// Idea: Nakandala, Kumar, Papakonstantinou, "Incremental and Approximate Inference for Faster Occlusion-based Deep
/// CNN Explanations" (SIGMOD 2019), here exact and generic over leaf modules.
/// </remarks>
internal sealed class IncrementalForward
{
    private sealed record Step(Module Module, int[] Inputs, int[] Outputs, SpatialWindow? Window);

    private readonly Tensor[] clean;
    private readonly bool[] derived;
    private readonly bool[] reads;
    private readonly Step[] steps;
    private readonly int inputValue;
    private readonly int outputValue;
    private readonly Target target;
    private readonly StoragePool storage = new();

    private IncrementalForward(Tensor[] clean, bool[] derived, Step[] steps, int inputValue, int outputValue, Target target, float cleanScore)
    {
        this.clean = clean;
        this.derived = derived;
        this.steps = steps;
        reads = new bool[clean.Length];
        foreach (var step in steps) foreach (var v in step.Inputs) reads[v] = true;
        reads[outputValue] = true;
        this.inputValue = inputValue;
        this.outputValue = outputValue;
        this.target = target;
        CleanScore = cleanScore;
    }

    /// <summary>The target score of the unedited input.</summary>
    public float CleanScore { get; }

    /// <summary>How many leaf calls the incremental pass can crop, of how many it replays.</summary>
    public (int Local, int Total) Coverage => (steps.Count(s => s.Window is not null), steps.Length);

    /// <summary>Records <paramref name="model"/> on <paramref name="sample"/> [1, C, H, W] and prepares incremental
    /// passes for <paramref name="target"/> (a target for a one-row batch); null with a reason when the rule in the
    /// remarks does not hold.</summary>
    public static IncrementalForward? TryCreate(Module model, Tensor sample, Target target, out string reason)
    {
        reason = "";
        if (sample.Rank != 4 || sample.Shape[0] != 1) { reason = $"the input is not one image [1, C, H, W] (shape {sample.Shape})"; return null; }
        if (target.Hook is { } hook) { reason = $"the target reads hook point '{hook}'"; return null; }
        if (model.Hooks.Count > 0) { reason = $"the model has {model.Hooks.Count} hook(s) attached"; return null; }
        var trace = ForwardTrace.Record(model, sample);
        var ids = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        var clean = new List<Tensor>();
        var derived = new List<bool>();
        int Add(Tensor t, bool d)
        {
            ids[t] = clean.Count;
            clean.Add(t);
            derived.Add(d);
            return clean.Count - 1;
        }
        int input = Add(trace.Input, true);
        var read = new HashSet<Tensor>(trace.Calls.SelectMany(c => c.Inputs), ReferenceEqualityComparer.Instance) { trace.Output };
        var steps = new List<Step>();
        foreach (var call in trace.Calls)
        {
            var inputs = new int[call.Inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
            {
                var t = call.Inputs[i];
                if (ids.TryGetValue(t, out var id)) inputs[i] = id;
                else if (trace.Constants.Contains(t)) inputs[i] = Add(t, false);
                else { reason = $"input {i} of '{call.Module.Name}' is computed outside any leaf module"; return null; }
            }
            bool d = inputs.Any(v => derived[v]);
            var outputs = call.Outputs.Select(o => Add(o, d)).ToArray();
            steps.Add(new Step(call.Module, inputs, outputs, WindowOf(call, inputs, derived, read)));
        }
        if (!ids.TryGetValue(trace.Output, out var output) || output == input) { reason = "the model output is not produced by a leaf module"; return null; }
        float score;
        using (GradMode.Off()) score = target.Select(trace.Output).AsReadOnlySpan()[0];
        return new IncrementalForward([.. clean], [.. derived], Prune(steps, output, clean.Count), input, output, target, score);
    }

    /// <summary>The window of a call when it can run on crops: the module is local for these shapes, its outputs
    /// that anything reads are float [N, C, H, W] of one size, and inputs it does not crop are constants or
    /// broadcast along both axes.</summary>
    private static SpatialWindow? WindowOf(ForwardTrace.Call call, int[] inputs, List<bool> derived, HashSet<Tensor> read)
    {
        if (call.Module is not ISpatiallyLocal local) return null;
        var window = local.WindowFor([.. call.Inputs.Select(t => t.Shape)]);
        if (window is null || call.Outputs.Length == 0 || !read.Contains(call.Outputs[0])) return null;
        var outShape = call.Outputs[0].Shape;
        if (call.Outputs.Where(read.Contains).Any(o => o.Rank != 4 || o.DType != DType.Float32 || o.Shape[2] != outShape[2] || o.Shape[3] != outShape[3])) return null;
        if (window.SpatialInputs.Any(i => i < 0 || i >= inputs.Length)) return null;
        if (!window.IsPointwise && (window.SpatialInputs.Count != 1 || window.SpatialInputs[0] != 0 || call.Inputs[0].Rank != 4)) return null;
        for (int i = 0; i < inputs.Length; i++)
        {
            bool spatial = window.SpatialInputs.Contains(i);
            var shape = call.Inputs[i].Shape;
            if (spatial && shape.Rank == 4 && (!window.IsPointwise || (shape[2] == outShape[2] && shape[3] == outShape[3]))) continue;
            bool broadcast = shape.Rank == 0 || (shape.Rank == 1 && shape[0] == 1) || (shape.Rank >= 2 && shape[-1] == 1 && shape[-2] == 1);
            if (derived[inputs[i]] || (spatial && !broadcast)) return null; // passed whole, so it must not change
        }
        return window;
    }

    /// <summary>Keeps the steps the output depends on.</summary>
    private static Step[] Prune(List<Step> steps, int output, int values)
    {
        var needed = new bool[values];
        needed[output] = true;
        var kept = new List<Step>();
        for (int s = steps.Count - 1; s >= 0; s--)
        {
            if (!steps[s].Outputs.Any(o => needed[o])) continue;
            kept.Add(steps[s]);
            foreach (var i in steps[s].Inputs) needed[i] = true;
        }
        kept.Reverse();
        return [.. kept];
    }

    /// <summary>The target score of each edited input, in the order of <paramref name="edits"/>; edits of the same
    /// size run together, <paramref name="chunk"/> at a time.</summary>
    public float[] Scores(IReadOnlyList<InputEdit> edits, int chunk, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(edits);
        var x = clean[inputValue];
        foreach (var edit in edits)
            if (edit.Data.Rank != 4 || edit.Data.Shape[0] != 1 || edit.Data.Shape[1] != x.Shape[1] || edit.Top < 0 || edit.Left < 0
                || edit.Top + edit.Data.Shape[2] > x.Shape[2] || edit.Left + edit.Data.Shape[3] > x.Shape[3])
                throw new ArgumentException($"Incremental evaluation: an edit of shape {edit.Data.Shape} at ({edit.Top}, {edit.Left}) does not fit the input {x.Shape}.");
        var scores = new float[edits.Count];
        int done = 0;
        try
        {
            foreach (var group in Enumerable.Range(0, edits.Count).GroupBy(i => (edits[i].Data.Shape[2], edits[i].Data.Shape[3])))
            {
                var members = group.ToArray();
                for (int start = 0; start < members.Length; start += chunk)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var items = members[start..Math.Min(members.Length, start + chunk)];
                    var result = Run([.. items.Select(i => edits[i])]);
                    for (int k = 0; k < items.Length; k++) scores[items[k]] = result[k];
                    done += items.Length;
                    progress?.Report((double)done / edits.Count);
                }
            }
        }
        finally
        {
            storage.Clear(); // the warm arrays serve this call's batches only
        }
        return scores;
    }

    /// <summary>The changed values of one batch of P edits: a stacked region [1, C, P·h, w], item p's rectangle (all
    /// of one size) in rows [p·h, (p + 1)·h); a whole tensor [P, …]; or nothing (clean). On a stack, a pointwise step
    /// such as a 1×1 convolution runs once for the batch: one matrix product of P·h·w columns instead of P small
    /// ones.</summary>
    private sealed class Changes(int values, int count, StoragePool.Scope scope)
    {
        public int Count { get; } = count;

        /// <summary>Where the batch's tensors come from and go back to.</summary>
        public StoragePool.Scope Scope { get; } = scope;

        public Tensor?[] Data { get; } = new Tensor?[values];

        public Rect[]?[] Rects { get; } = new Rect[]?[values];

        public bool IsFull(int value) => Data[value] is not null && Rects[value] is null;
    }

    /// <summary>Runs one batch of edits of one size through every step. The tensors it makes come from
    /// <see cref="storage"/> and go back to it at the end, so the next batch reuses warm memory.</summary>
    private float[] Run(InputEdit[] edits)
    {
        int count = edits.Length;
        using (GradMode.Off())
        using (var scope = storage.Enter())
        {
            var changes = new Changes(clean.Length, count, scope);
            var scores = Propagate(edits, changes);
            foreach (var value in changes.Data) if (value is not null) scope.Recycle(value); // nothing reads them any more
            return scores;
        }
    }

    /// <summary>The scores of one batch: its edits stacked as the changed input, then every step the changes reach.</summary>
    private float[] Propagate(InputEdit[] edits, Changes changes)
    {
        int count = edits.Length;
        var first = edits[0].Data;
        int h = first.Shape[2], w = first.Shape[3];
        var x = Filled(new Shape(1, first.Shape[1], count * h, w), 0f);
        for (int p = 0; p < count; p++) RegionCopy.Copy(edits[p].Data, 0, 0, 0, x, 0, p * h, 0, h, w);
        changes.Data[inputValue] = x;
        changes.Rects[inputValue] = [.. edits.Select(e => new Rect(e.Top, e.Left, h, w))];
        foreach (var step in steps)
        {
            if (step.Inputs.All(v => changes.Data[v] is null)) continue;
            if (Croppable(step, changes)) RunCropped(step, changes);
            else RunFull(step, changes);
        }
        if (changes.Data[outputValue] is null) return [.. Enumerable.Repeat(CleanScore, count)];
        var output = Materialize(outputValue, changes);
        return target.ForRows(new int[count]).Select(output).AsReadOnlySpan().ToArray();
    }

    /// <summary>Whether a step can run on crops: it has a window and every changed input is a spatial [N, C, H, W] one.</summary>
    private bool Croppable(Step step, Changes changes) => step.Window is { } window &&
        step.Inputs.Select((v, i) => (v, i)).All(p => changes.Data[p.v] is null || (window.SpatialInputs.Contains(p.i) && clean[p.v].Rank == 4));

    private Rect RectOf(int value, int item, Changes changes) => changes.Rects[value] is { } rects ? rects[item]
        : new Rect(0, 0, clean[value].Shape[2], clean[value].Shape[3]);

    /// <summary>Item <paramref name="item"/>'s changed values of <paramref name="value"/>: its block of a stacked
    /// region, or its row of a whole tensor.</summary>
    private static Patch ChangedPatch(int value, int item, Changes changes)
    {
        var data = changes.Data[value]!;
        if (changes.Rects[value] is not { } rects) return Patch.Whole(data, item);
        var r = rects[item];
        return new Patch(data, 0, item * r.Height, 0, r.Height, r.Width, r.Top, r.Left);
    }

    /// <summary>
    /// Runs a step on crops. Each item's changed output rectangle is what its changed inputs reach; the batch uses the
    /// largest size, each rectangle moved inside the output. A pointwise step runs once on the stacked rectangles. A
    /// windowed step runs on a batch [P, C, h', w'] of crops, each starting ⌈p/s⌉ strides before its rectangle's first
    /// window so that every crop has the same size and offset; crop positions outside the input hold the window's
    /// pad value, which is what the module's own padding means. Its outputs are stacked for the steps after it.
    /// </summary>
    private void RunCropped(Step step, Changes changes)
    {
        var window = step.Window!;
        int count = changes.Count;
        var outShape = clean[step.Outputs[0]].Shape;
        var needed = new Rect?[count];
        for (int p = 0; p < count; p++)
        {
            if (window.IsPointwise)
            {
                foreach (var i in window.SpatialInputs)
                    if (changes.Data[step.Inputs[i]] is not null)
                        needed[p] = needed[p] is { } b ? b.Union(RectOf(step.Inputs[i], p, changes)) : RectOf(step.Inputs[i], p, changes);
            }
            else
            {
                var changed = RectOf(step.Inputs[0], p, changes);
                var rows = Reach(changed.Top, changed.Bottom, window.Extent.H, window.Stride.H, window.Padding.Top, outShape[2]);
                var cols = Reach(changed.Left, changed.Right, window.Extent.W, window.Stride.W, window.Padding.Left, outShape[3]);
                if (rows.Count > 0 && cols.Count > 0) needed[p] = new Rect(rows.First, cols.First, rows.Count, cols.Count);
            }
        }
        if (needed.All(r => r is null)) return; // the stride skips every changed row or column: the outputs stay clean
        int height = needed.Max(r => r?.Height ?? 0), width = needed.Max(r => r?.Width ?? 0);
        var outRects = needed.Select(r => new Rect(Math.Clamp(r?.Top ?? 0, 0, outShape[2] - height), Math.Clamp(r?.Left ?? 0, 0, outShape[3] - width), height, width)).ToArray();
        // An axis the outputs cover whole is cropped to the whole input, with the module's own padding.
        var inShape = clean[step.Inputs[window.SpatialInputs[0]]].Shape;
        var (s, k, pad) = (window.Stride, window.Extent, window.Padding);
        bool wholeRows = !window.IsPointwise && height == outShape[2], wholeCols = !window.IsPointwise && width == outShape[3];
        int leadH = wholeRows ? 0 : CeilDiv(pad.Top, s.H), leadW = wholeCols ? 0 : CeilDiv(pad.Left, s.W);
        var crops = window.IsPointwise ? outRects : [.. outRects.Select(r => new Rect(
            wholeRows ? 0 : (r.Top - leadH) * s.H, wholeCols ? 0 : (r.Left - leadW) * s.W,
            wholeRows ? inShape[2] : (height - 1 + leadH) * s.H - pad.Top + k.H,
            wholeCols ? inShape[3] : (width - 1 + leadW) * s.W - pad.Left + k.W))];

        var args = new Tensor[step.Inputs.Length];
        for (int i = 0; i < args.Length; i++)
        {
            int v = step.Inputs[i];
            var value = clean[v];
            bool crop = window.SpatialInputs.Contains(i) && value.Rank == 4
                && (changes.Data[v] is not null || derived[v] || value.Shape[2] != 1 || value.Shape[3] != 1);
            if (!crop) args[i] = value;
            else if (changes.Rects[v] is { } rects && rects.AsSpan().SequenceEqual(crops)) // already these crops, stacked
                args[i] = window.IsPointwise ? changes.Data[v]! : Unstack(changes.Data[v]!, count);
            else args[i] = Crop(v, crops, stacked: window.IsPointwise, window.PadValue, changes);
        }
        var results = step.Module.Call(args);
        if (!window.IsPointwise) // a window's crops are read by nothing else
            for (int i = 0; i < args.Length; i++)
                if (!ReferenceEquals(args[i], clean[step.Inputs[i]]) && !results.Any(r => ReferenceEquals(r, args[i]))) changes.Scope.Recycle(args[i]);
        int rows0 = window.IsPointwise ? count * height : leadH + height, batch = window.IsPointwise ? 1 : count;
        for (int o = 0; o < step.Outputs.Length; o++)
        {
            if (!reads[step.Outputs[o]]) continue; // e.g. a dropout mask nothing reads
            var result = results[o];
            if (result.Rank != 4 || result.Shape[0] != batch || result.Shape[2] < rows0 || result.Shape[3] < leadW + width)
                throw new InvalidOperationException($"Incremental evaluation: '{step.Module.Name}' returned {result.Shape} on crops {crops[0]}; expected [{batch}, C, ≥ {rows0}, ≥ {leadW + width}]. Its spatial window does not match what it computes.");
            var region = result;
            if (!window.IsPointwise && leadH == 0 && leadW == 0 && result.Shape[2] == height && result.Shape[3] == width) region = Stack(result);
            else if (!window.IsPointwise)
            {
                region = Filled(new Shape(1, result.Shape[1], count * height, width), 0f);
                for (int p = 0; p < count; p++) RegionCopy.Copy(result, p, leadH, leadW, region, 0, p * height, 0, height, width);
            }
            else if (result.Shape[2] != rows0 || result.Shape[3] != width)
                throw new InvalidOperationException($"Incremental evaluation: pointwise '{step.Module.Name}' returned {result.Shape} on a stack {args[window.SpatialInputs[0]].Shape}.");
            changes.Data[step.Outputs[o]] = region;
            changes.Rects[step.Outputs[o]] = outRects;
        }
    }

    /// <summary>The crops <paramref name="crops"/> of value <paramref name="value"/>, the clean activation with each
    /// item's changes pasted in and <paramref name="padValue"/> outside the activation: stacked [1, C, P·h, w], or a
    /// batch [P, C, h, w].</summary>
    private Tensor Crop(int value, Rect[] crops, bool stacked, float padValue, Changes changes)
    {
        var source = clean[value];
        var size = crops[0];
        int count = changes.Count;
        var shape = stacked ? new Shape(1, source.Shape[1], count * size.Height, size.Width) : new Shape(count, source.Shape[1], size.Height, size.Width);
        var result = Filled(shape, padValue);
        var whole = Patch.Whole(source, 0);
        for (int p = 0; p < count; p++)
        {
            var c = crops[p];
            var target = stacked ? new Patch(result, 0, p * size.Height, 0, c.Height, c.Width, c.Top, c.Left) : new Patch(result, p, 0, 0, c.Height, c.Width, c.Top, c.Left);
            if (changes.Data[value] is null) { RegionCopy.Overlay(whole, target); continue; }
            RegionCopy.Overlay(ChangedPatch(value, p, changes), target);
            RegionCopy.OverlayAround(whole, target, RectOf(value, p, changes)); // the clean values only where nothing changed
        }
        return result;
    }

    /// <summary>Along one axis: the outputs that changed input positions [start, end) reach.</summary>
    private static (int First, int Count) Reach(int start, int end, int extent, int stride, int pad, int outSize)
    {
        int first = Math.Max(0, CeilDiv(start - extent + 1 + pad, stride));
        int last = Math.Min(outSize - 1, FloorDiv(end - 1 + pad, stride));
        return (first, last - first + 1);
    }

    /// <summary>A batch [P, C, h, w] stacked as [1, C, P·h, w] (one pass, no fill).</summary>
    private static Tensor Stack(Tensor batch) =>
        batch.Permute(1, 0, 2, 3).Reshape(1, batch.Shape[1], batch.Shape[0] * batch.Shape[2], batch.Shape[3]);

    /// <summary>The inverse of <see cref="Stack"/> for <paramref name="count"/> items.</summary>
    private static Tensor Unstack(Tensor stacked, int count) =>
        stacked.Reshape(stacked.Shape[1], count, stacked.Shape[2] / count, stacked.Shape[3]).Permute(1, 0, 2, 3);

    /// <summary>A new tensor of <paramref name="value"/>s, from the open storage scope.</summary>
    private static Tensor Filled(Shape shape, float value) => Tensor.Scalar(value).BroadcastTo(shape);

    /// <summary><paramref name="rows"/> copies of row 0 of <paramref name="value"/> [1, …], from the open storage scope.</summary>
    private static Tensor Rows(Tensor value, int rows) => value.BroadcastTo(new Shape([rows, .. value.Shape.Dims[1..]]));

    private static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);

    private static int CeilDiv(int a, int b) => (int)Math.Ceiling((double)a / b);


    private void RunFull(Step step, Changes changes)
    {
        var args = new Tensor[step.Inputs.Length];
        for (int i = 0; i < args.Length; i++)
        {
            int v = step.Inputs[i];
            var value = clean[v];
            if (changes.Data[v] is not null) args[i] = Materialize(v, changes);
            else if (derived[v] && value.DType == DType.Float32 && value.Rank >= 1 && value.Shape[0] == 1) args[i] = Rows(value, changes.Count);
            else args[i] = value;
        }
        var results = step.Module.Call(args);
        for (int k = 0; k < step.Outputs.Length; k++)
        {
            changes.Data[step.Outputs[k]] = results[k];
            changes.Rects[step.Outputs[k]] = null;
        }
    }

    /// <summary>A changed value as whole tensors [P, …]: the clean activation with each item's region pasted in.</summary>
    private Tensor Materialize(int value, Changes changes)
    {
        if (changes.IsFull(value)) return changes.Data[value]!;
        var source = clean[value];
        var rects = changes.Rects[value]!;
        bool covered = rects.All(r => r.Height == source.Shape[2] && r.Width == source.Shape[3]);
        if (covered) return Unstack(changes.Data[value]!, changes.Count);
        var full = Rows(source, changes.Count);
        for (int p = 0; p < changes.Count; p++) RegionCopy.Overlay(ChangedPatch(value, p, changes), Patch.Whole(full, p));
        return full;
    }
}
