namespace Lumen.Tensors.Autograd;

/// <summary>
/// Reverse-mode differentiation over the tape that forward ops record, and the table of backward rules
/// (this class's other partial files, one per op family). <see cref="Of(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, IReadOnlyList{Tensor}?, bool)"/>
/// is a pure function: it returns gradients and mutates nothing.
/// </summary>
/// <remarks>For outputs y_j with seeds s_j it returns, for each requested x, Σ_j s_jᵀ ∂y_j/∂x. Only the part of the
/// graph between the outputs and the requested tensors is visited, so asking for input gradients never computes
/// weight gradients.</remarks>
public static partial class Gradients
{
    /// <summary>d(output)/d(wrt) seeded with <paramref name="seed"/> (ones when null).</summary>
    public static Tensor Of(Tensor output, Tensor wrt, Tensor? seed = null) =>
        Of([output], [wrt], seed is null ? null : [seed])[0];

    /// <summary>Gradients of the sum of <paramref name="output"/> with respect to each of <paramref name="wrt"/>.</summary>
    public static Tensor[] Of(Tensor output, params Tensor[] wrt) => Of([output], wrt);

    /// <summary>
    /// Gradients of Σ_j ⟨seeds[j], outputs[j]⟩ with respect to each tensor in <paramref name="wrt"/>.
    /// A requested tensor that the outputs do not depend on gets a zero gradient.
    /// </summary>
    /// <param name="outputs">Tensors to differentiate.</param>
    /// <param name="wrt">Leaves or intermediate tensors to differentiate with respect to.</param>
    /// <param name="seeds">One seed per output, output-shaped; ones when null.</param>
    /// <param name="createGraph">Record the backward computation itself, for higher-order gradients.</param>
    public static Tensor[] Of(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> wrt, IReadOnlyList<Tensor>? seeds = null, bool createGraph = false)
        => Of(outputs, wrt, seeds, createGraph, []);

    /// <summary>
    /// As <see cref="Of(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, IReadOnlyList{Tensor}?, bool)"/>, with the storage of
    /// <paramref name="spent"/> — results of earlier passes that the caller has finished reading and will never read
    /// again, nor anything sharing their storage — available to this pass for its gradients, so that a caller that
    /// runs one pass per chunk does not get a fresh array (and fresh pages) for every chunk's results. Values are
    /// those of the plain call.
    /// </summary>
    /// <example><code>var g = Gradients.Of([f], [x], null, false, previous is null ? [] : [previous])[0];</code></example>
    public static Tensor[] Of(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> wrt, IReadOnlyList<Tensor>? seeds, bool createGraph, IReadOnlyList<Tensor> spent)
    {
        ArgumentNullException.ThrowIfNull(spent);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(wrt);
        if (seeds is not null && seeds.Count != outputs.Count)
            throw new ArgumentException($"Gradients.Of: {seeds.Count} seeds given for {outputs.Count} outputs.");
        foreach (var w in wrt)
            if (!w.RequiresGrad)
                throw new ArgumentException($"Gradients.Of: a tensor of shape {w.Shape} to differentiate with respect to does not require gradients; call RequireGrad() on it before the forward pass.");
        using var unpooled = StoragePool.Suspend();     // gradients never take storage from a forward pass's pool scope
        var targets = new HashSet<Tensor>(wrt, ReferenceEqualityComparer.Instance);
        var grads = Propagate(outputs, seeds, targets, createGraph, unpooled.Pool, spent);
        var result = new Tensor[wrt.Count];
        for (int i = 0; i < wrt.Count; i++)
            result[i] = grads.TryGetValue(wrt[i], out var g) ? g : Tensor.Zeros(wrt[i].Shape);
        return result;
    }

    /// <summary>Backs <see cref="Tensor.Backward"/>: adds d(output)/d(leaf) into every reachable leaf's Grad. A leaf's
    /// first Grad is a tensor of its own: a gradient that a rule handed on whole to several leaves (x + w), or the
    /// caller's seed passed straight through, is copied, so that a later Backward adding into one leaf's Grad changes
    /// neither another leaf's nor the seed.</summary>
    internal static void Accumulate(Tensor output, Tensor? seed)
    {
        if (!output.RequiresGrad) throw new InvalidOperationException($"Backward: the tensor of shape {output.Shape} does not require gradients (no parameter or input requiring gradients reached it).");
        using var unpooled = StoragePool.Suspend();
        var order = TopologicalOrder([output]);
        var leaves = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var t in order) if (t.IsLeaf && t.RequiresGrad) leaves.Add(t);
        var grads = Propagate([output], seed is null ? null : [seed], leaves, createGraph: false, unpooled.Pool);
        var given = new HashSet<float[]>(ReferenceEqualityComparer.Instance);     // storage already owned by someone
        if (seed is { DType: DType.Float32 }) given.Add(seed.Floats);
        foreach (var leaf in leaves)
            if (grads.TryGetValue(leaf, out var g))
                leaf.Grad = leaf.Grad is not null ? leaf.Grad.AddInPlace(g) : given.Add(g.Floats) ? g : g.Clone();
    }

    private static Dictionary<Tensor, Tensor> Propagate(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor>? seeds, HashSet<Tensor> targets, bool createGraph, StoragePool? pool,
        IReadOnlyList<Tensor>? spent = null)
    {
        var order = TopologicalOrder(outputs);
        // relevant: tensors from which some target can be reached going towards the inputs.
        var relevant = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var t in order)
        {
            if (targets.Contains(t)) { relevant.Add(t); continue; }
            if (t.GradFn is { } fn)
                foreach (var input in fn.Inputs)
                    if (relevant.Contains(input)) { relevant.Add(t); break; }
        }

        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        // Gradients that only this pass holds: sums it allocated itself and what rules returned as Fresh. Only these
        // may be written in place (accumulated into, or handed to a rule as free) and their storage reused: a
        // gradient handed on by a rule can be the very tensor stored for another node (Add passes its gradient to
        // both inputs).
        var owned = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        // Gradients this pass allocated that a built-in rule handed on unchanged to more than one input (Add's g): held
        // by several entries of grads, so free for none of them; the pass recycles or frees one once no entry holds it.
        var shared = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        List<Tensor>? summedAway = null;
        for (int j = 0; j < outputs.Count; j++)
        {
            var o = outputs[j];
            if (!relevant.Contains(o)) continue;
            var s = seeds?[j] ?? Tensor.Ones(o.Shape);
            if (s.Shape != o.Shape) throw new ArgumentException($"Gradients.Of: seed of shape {s.Shape} does not match output {j} of shape {o.Shape}.");
            AddGrad(grads, owned, o, s);
        }

        using var mode = createGraph ? GradMode.On() : GradMode.Off();
        var storage = GradientStorage.Begin(pool);
        if (!createGraph && spent is not null)
        {
            var arrays = new HashSet<object>(ReferenceEqualityComparer.Instance);
            foreach (var dead in spent)                                      // leaves without gradients, each array once
                if (dead.IsLeaf && !dead.RequiresGrad && dead.DType == DType.Float32 && arrays.Add(dead.Floats)) storage.Recycle(dead);
        }
        try
        {
            for (int i = order.Count - 1; i >= 0; i--)
            {
                var t = order[i];
                if (t.GradFn is not { } fn || !relevant.Contains(t) || !grads.TryGetValue(t, out var g)) continue;
                bool target = targets.Contains(t);
                if (!target) grads.Remove(t);
                if (shared.Contains(g))
                {
                    if (target || fn.MayKeepGradient) shared.Remove(g);             // a result, or kept by a custom rule: never reused
                    else if (HeldByNone(grads, g)) { shared.Remove(g); owned.Add(g); } // its last holder: the pass alone holds it
                }
                var needs = new bool[fn.Inputs.Length];
                bool any = false;
                for (int k = 0; k < needs.Length; k++)
                    any |= needs[k] = fn.Inputs[k].RequiresGrad && relevant.Contains(fn.Inputs[k]);
                if (!any) continue;
                // once handed to a rule it may come back as (or inside) any input's gradient; the rule may overwrite
                // it only when this pass alone holds it and it is not a result
                bool free = owned.Remove(g) && !target && !createGraph;
                storage.BeforeRule(free ? g : null);
                var inputGrads = fn.Backward(g, needs);
                storage.AfterRule(g, inputGrads, fn.MayKeepGradient);
                // a shared gradient that comes back in another form (a view of it) can no longer be counted
                if (shared.Contains(g) && SharesStorage(g, inputGrads) && !HandedOnWhole(g, inputGrads, needs)) shared.Remove(g);
                for (int k = 0; k < needs.Length; k++)
                {
                    if (!needs[k] || inputGrads[k] is not { } ig) continue;
                    if (ig.Shape != fn.Inputs[k].Shape)
                        throw new InvalidOperationException($"Gradients: backward rule of {fn.Op} returned a gradient of shape {ig.Shape} for input {k} of shape {fn.Inputs[k].Shape}.");
                    if (AddGrad(grads, owned, fn.Inputs[k], ig, !createGraph && storage.IsFreshResult(inputGrads, k)) is { } replaced && shared.Contains(replaced))
                        (summedAway ??= []).Add(replaced);
                }
                // a shared gradient summed into another one and held nowhere else any more is dead
                if (summedAway is not null)
                {
                    foreach (var dead in summedAway)
                        if (shared.Contains(dead) && HeldByNone(grads, dead) && !SharesStorage(dead, inputGrads))
                        {
                            shared.Remove(dead);
                            storage.Recycle(dead);
                        }
                    summedAway.Clear();
                }
                // a free gradient that the rule handed on unchanged (and in no other form: no view of it, no custom rule)
                // is still the pass's alone, now held by the entries it went to
                if (free && !fn.MayKeepGradient && !owned.Contains(g) && HandedOnWhole(g, inputGrads, needs))
                {
                    if (HeldByNone(grads, g)) storage.Recycle(g);
                    else shared.Add(g);
                }
            }
        }
        finally
        {
            storage.End();
        }
        return grads;
    }

    /// <summary>Whether the running backward rule may overwrite <paramref name="g"/>, the gradient it was handed
    /// (<see cref="GradientStorage"/>).</summary>
    internal static bool IsFree(Tensor g) => GradientStorage.IsFree(g);

    /// <summary>Declares a result of the running backward rule as held by nothing but the pass, so that later rules
    /// and sums may write into it (<see cref="GradientStorage"/>). Returns it.</summary>
    internal static Tensor Fresh(Tensor g) => GradientStorage.Fresh(g);

    // Stores or sums g as t's gradient; returns the gradient t held before when g took its place (else null).
    private static Tensor? AddGrad(Dictionary<Tensor, Tensor> grads, HashSet<Tensor> owned, Tensor t, Tensor g, bool gOwned = false)
    {
        if (!grads.TryGetValue(t, out var existing))
        {
            grads[t] = g;
            if (gOwned) owned.Add(g);
            return null;
        }
        if (!GradMode.IsEnabled && owned.Contains(existing))
        {
            existing.AddInPlace(g);
            return null;
        }
        if (!GradMode.IsEnabled && gOwned)
        {
            g.AddInPlace(existing);                                  // the same sum: float addition commutes
            grads[t] = g;
            owned.Add(g);
            return existing;
        }
        var sum = existing + g;
        grads[t] = sum;
        if (!GradMode.IsEnabled) owned.Add(sum);
        return existing;
    }

    // Whether no pending gradient is g.
    private static bool HeldByNone(Dictionary<Tensor, Tensor> grads, Tensor g)
    {
        foreach (var held in grads.Values)
            if (ReferenceEquals(held, g)) return false;
        return true;
    }

    // Whether some result of a rule shares g's storage.
    private static bool SharesStorage(Tensor g, Tensor?[] results)
    {
        foreach (var r in results)
            if (r is not null && ReferenceEquals(r.Storage, g.Storage)) return true;
        return false;
    }

    // Whether the rule returned g itself as some input's gradient and nothing else that shares its storage.
    private static bool HandedOnWhole(Tensor g, Tensor?[] results, bool[] needs)
    {
        bool whole = false;
        for (int k = 0; k < results.Length; k++)
        {
            if (results[k] is not { } r || !ReferenceEquals(r.Storage, g.Storage)) continue;
            if (!ReferenceEquals(r, g) || !needs[k]) return false;
            whole = true;
        }
        return whole;
    }

    /// <summary>Bytes held by the recorded (non-leaf) tensors that <paramref name="output"/> depends on: an
    /// estimate of the activation memory a forward pass keeps alive for its backward pass.</summary>
    public static long TapeBytes(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        long bytes = 0;
        foreach (var t in TopologicalOrder([output]))
            if (!t.IsLeaf) bytes += (long)t.Size * (t.DType == DType.Float32 ? 4 : t.DType == DType.Int64 ? 8 : 1) + t.GradFn!.SavedBytes;
        return bytes;
    }

    /// <summary>Iterative post-order DFS from the outputs: every tensor after all of its inputs; deterministic.</summary>
    private static List<Tensor> TopologicalOrder(IReadOnlyList<Tensor> outputs)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor Tensor, int Next)>();
        foreach (var root in outputs)
        {
            if (!visited.Add(root)) continue;
            stack.Push((root, 0));
            while (stack.Count > 0)
            {
                var (t, next) = stack.Pop();
                var inputs = t.GradFn?.Inputs;
                if (inputs is not null && next < inputs.Length)
                {
                    stack.Push((t, next + 1));
                    var child = inputs[next];
                    if (visited.Add(child)) stack.Push((child, 0));
                }
                else
                {
                    order.Add(t);
                }
            }
        }
        return order;
    }

    /// <summary>Attaches a backward rule to <paramref name="result"/> when recording is on and any input requires
    /// gradients. Every differentiable op calls this right after computing its forward value.</summary>
    internal static Tensor Record(Tensor result, string op, BackwardRule rule, params Tensor[] inputs)
    {
        if (!GradMode.IsEnabled) return result;
        foreach (var input in inputs)
        {
            if (input.RequiresGrad)
            {
                result.GradFn = new Node(op, inputs, rule);
                return result;
            }
        }
        return result;
    }

    /// <summary>
    /// A custom differentiable function: returns a copy of <paramref name="output"/>'s value whose gradient
    /// with respect to <paramref name="inputs"/> is given by <paramref name="rule"/> instead of by the ops that
    /// computed it. This is how modified-gradient methods (LRP rules, guided backprop, backward hooks) plug in.
    /// </summary>
    public static Tensor Custom(string op, Tensor output, Tensor[] inputs, BackwardRule rule)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(inputs);
        var result = Record(output.Detach(), op, rule, inputs);
        if (result.GradFn is { } node) node.MayKeepGradient = true;          // e.g. a hook that stores the gradient it sees
        return result;
    }
}
