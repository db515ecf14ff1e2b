using Lumen.Tensors;

namespace Lumen.Metrics.Common;

/// <summary>
/// Runs copies ("variants": perturbation draws, noisy or masked versions) of a batch of B samples stacked along the
/// batch axis, a given number of copies per call. Stacks are variant-major: row c·B + b of a stack is copy first + c of
/// sample b, so every group of B rows is a batch in sample order. Each stack's rows are written only when it runs.
/// </summary>
internal static class VariantStacks
{
    /// <summary>Calls <paramref name="run"/>(first copy, copies, stacked batch [copies·B, …row shape]) for consecutive
    /// stacks of at most <paramref name="copiesPerStack"/> of the <paramref name="variants"/> copies, copy v of sample b
    /// written by <paramref name="write"/>; cancellation is honoured between stacks.</summary>
    public static void ForEach(int variants, int copiesPerStack, int samples, int[] rowShape, RowWriter write,
        Action<int, int, Tensor> run, CancellationToken cancellation)
    {
        if (copiesPerStack < 1) throw new ArgumentOutOfRangeException(nameof(copiesPerStack), $"VariantStacks: at least one copy per stack, got {copiesPerStack}.");
        int rowSize = rowShape.Aggregate(1, (a, d) => a * d);
        for (int first = 0; first < variants; first += copiesPerStack)
        {
            cancellation.ThrowIfCancellationRequested();
            int copies = Math.Min(copiesPerStack, variants - first);
            var rows = new float[copies * samples * rowSize];
            for (int c = 0; c < copies; c++)
                for (int b = 0; b < samples; b++)
                    write(first + c, b, rows.AsSpan((c * samples + b) * rowSize, rowSize));
            run(first, copies, Tensor.FromArray(rows, [copies * samples, .. rowShape]));
        }
    }

    /// <summary>As <see cref="ForEach"/>, where <paramref name="run"/> maps a stack to a result with one equal-sized
    /// part per stacked row (a map, an activation); returns each copy's part, flattened: [variant][B · part].</summary>
    public static float[][] Map(int variants, int copiesPerStack, int samples, int[] rowShape, RowWriter write,
        Func<Tensor, int, Tensor> run, CancellationToken cancellation)
    {
        var result = new float[variants][];
        ForEach(variants, copiesPerStack, samples, rowShape, write, (first, copies, stacked) =>
        {
            var flat = run(stacked, copies).AsReadOnlySpan();
            int perCopy = flat.Length / copies;
            for (int c = 0; c < copies; c++) result[first + c] = flat.Slice(c * perCopy, perCopy).ToArray();
        }, cancellation);
        return result;
    }
}
