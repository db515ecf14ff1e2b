using Lumen.Tensors;

namespace Lumen.Analysis.Probing;

/// <summary>
/// Control tasks (Hewitt &amp; Liang 2019, https://arxiv.org/abs/1909.03368): every example of the same type gets the
/// same random label, drawn from the real labels' distribution. A probe that does well on the control task is
/// memorising types rather than reading the property from the representation; selectivity = task accuracy − control
/// accuracy.
/// </summary>
/// <remarks>For words the type is the word. For images, where no two inputs repeat, <see cref="TypesByPrototype"/>
/// makes types from the inputs themselves: each example's type is its nearest of k prototype inputs (Euclidean, in
/// input space), so a type is a small neighbourhood of similar inputs that recurs across train and test sets.</remarks>
/// <example><code>
/// var types = ControlTask.TypesByPrototype(inputs, types: 100);
/// var control = ControlTask.Labels(types, labels, classes: 10);
/// </code></example>
public static class ControlTask
{
    /// <summary>Control labels: one random label per type, drawn from the empirical distribution of
    /// <paramref name="labels"/>; example i gets its type's label.</summary>
    /// <exception cref="ArgumentException">Counts differ or there is no example.</exception>
    public static int[] Labels(IReadOnlyList<int> types, IReadOnlyList<int> labels, int classes, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(labels);
        if (types.Count != labels.Count || types.Count == 0) throw new ArgumentException($"ControlTask: {types.Count} types and {labels.Count} labels; both must be equal and non-empty.");
        var rng = new Random(seed);
        var byType = new Dictionary<int, int>();
        foreach (var type in types.Distinct().Order())
            byType[type] = labels[rng.Next(labels.Count)]; // a uniform draw of an example's label = the empirical distribution
        return [.. types.Select(t => byType[t])];
    }

    /// <summary>Each example's type: the index of its nearest among <paramref name="types"/> prototypes, chosen at random
    /// among <paramref name="inputs"/> [N, …] with <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">types &lt; 1 or more than N.</exception>
    public static int[] TypesByPrototype(Tensor inputs, int types, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        int n = inputs.Shape[0];
        if (types < 1 || types > n) throw new ArgumentException($"ControlTask: types must be in [1, {n}], got {types}.");
        var x = inputs.Reshape(n, -1);
        var picks = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(picks);
        var prototypes = x.IndexSelect(0, Tensor.FromArray([.. picks.Take(types).Select(p => (long)p)], types)); // [k, D]
        // ‖x − p‖² = ‖x‖² − 2x·p + ‖p‖²; the ‖x‖² term does not change the argmin
        var distances = (prototypes * prototypes).Sum(1).Reshape(1, types) - 2f * x.MatMul(prototypes.Transpose(0, 1));
        return [.. distances.ArgMin(1).ToInt64Array().Select(v => (int)v)];
    }
}
