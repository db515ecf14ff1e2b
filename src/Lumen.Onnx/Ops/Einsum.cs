using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>
/// Einstein summation as a composite: each operand is diagonal-free, permuted to a common label order and
/// broadcast against the others, multiplied, and summed over the labels missing from the output.
/// </summary>
/// <remarks>Supports explicit ("ij,jk->ik") and implicit ("ij,jk") forms and an ellipsis for leading batch dims.
/// Repeated labels within one operand (traces/diagonals) are handled by a mask multiply and sum.</remarks>
internal sealed class Einsum
{
    private readonly string[] operands;
    private readonly string? output;

    private Einsum(string[] operands, string? output)
    {
        this.operands = operands;
        this.output = output;
    }

    public static Einsum Parse(string equation, int inputCount)
    {
        var eq = equation.Replace(" ", "", StringComparison.Ordinal);
        var arrow = eq.Split("->");
        var terms = arrow[0].Split(',');
        if (terms.Length != inputCount) throw new ArgumentException($"Einsum: equation '{equation}' has {terms.Length} operands but the node has {inputCount} inputs.");
        return new Einsum(terms, arrow.Length > 1 ? arrow[1] : null);
    }

    public Tensor Evaluate(Tensor[] inputs)
    {
        // Replace an ellipsis with explicit upper-case labels for the broadcast dims.
        int ellipsisRank = 0;
        for (int i = 0; i < inputs.Length; i++)
            if (operands[i].Contains("...", StringComparison.Ordinal)) ellipsisRank = Math.Max(ellipsisRank, inputs[i].Rank - (operands[i].Length - 3));
        string batchLabels = new([.. Enumerable.Range(0, ellipsisRank).Select(i => (char)('Z' - i)).Reverse()]);
        var terms = new string[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            var t = operands[i];
            if (t.Contains("...", StringComparison.Ordinal))
            {
                int own = inputs[i].Rank - (t.Length - 3);
                t = t.Replace("...", batchLabels[(ellipsisRank - own)..], StringComparison.Ordinal);
            }
            if (t.Length != inputs[i].Rank) throw new ArgumentException($"Einsum: term '{operands[i]}' does not match operand shape {inputs[i].Shape}.");
            terms[i] = t;
        }
        string outLabels = output is not null
            ? output.Replace("...", batchLabels, StringComparison.Ordinal)
            : batchLabels + new string([.. string.Concat(terms).Where(c => !batchLabels.Contains(c, StringComparison.Ordinal)).GroupBy(c => c).Where(g => g.Count() == 1).Select(g => g.Key).Order()]);
        var all = new List<char>(outLabels);
        foreach (var t in terms) foreach (var c in t) if (!all.Contains(c)) all.Add(c);

        var sizes = new Dictionary<char, int>();
        Tensor? product = null;
        for (int i = 0; i < inputs.Length; i++)
        {
            var (x, labels) = TakeDiagonals(inputs[i], terms[i]);
            foreach (var (c, d) in labels.Zip(x.Shape.ToArray()))
                if (!sizes.TryGetValue(c, out var s) || s == 1) sizes[c] = d;
            // Permute to the global order of the labels it has, then insert size-1 dims for the others.
            var present = all.Where(labels.Contains).ToList();
            if (present.Count > 1) x = x.Permute([.. present.Select(c => labels.IndexOf(c))]);
            x = x.Reshape([.. all.Select(c => present.Contains(c) ? x.Shape[present.IndexOf(c)] : 1)]);
            product = product is null ? x : product * x;
        }
        var reduce = Enumerable.Range(0, all.Count).Where(k => !outLabels.Contains(all[k])).ToArray();
        var result = reduce.Length > 0 ? product!.Sum(reduce) : product!;
        var target = outLabels.Select(c => sizes.GetValueOrDefault(c, 1)).ToArray();
        if (!result.Shape.Equals(target)) result = result.BroadcastTo(new Shape(target));
        return result;
    }

    // A label repeated within one term takes the diagonal: multiply by an identity mask and sum one copy away.
    private static (Tensor Tensor, string Labels) TakeDiagonals(Tensor x, string labels)
    {
        while (true)
        {
            int first = -1, second = -1;
            for (int a = 0; a < labels.Length && first < 0; a++)
                for (int b = a + 1; b < labels.Length; b++)
                    if (labels[a] == labels[b]) { first = a; second = b; break; }
            if (first < 0) return (x, labels);
            int n = x.Shape[first];
            var eye = new float[n * n];
            for (int i = 0; i < n; i++) eye[i * n + i] = 1f;
            var maskShape = Enumerable.Repeat(1, x.Rank).ToArray();
            maskShape[first] = n; maskShape[second] = n;
            x = (x * OpHelpers.FloatTensor(eye, new Shape(n, n)).Reshape(maskShape)).Sum(second);
            labels = labels.Remove(second, 1);
        }
    }
}
