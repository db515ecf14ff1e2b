using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// Permutation feature importance: each feature is shuffled across the samples of the batch in turn (a seeded
/// random permutation), and every element of it is attributed the change of each sample's target score.
/// </summary>
/// <remarks>
/// A_{b,i} = f(x_b) − f(x_b with feature k(i) taken from sample π_k(b)), π_k a random permutation of the batch.
/// Needs at least two samples. Breiman, "Random Forests" (Machine Learning, 2001); Fisher, Rudin, Dominici, "All
/// Models are Wrong, but Many are Useful" (JMLR 2019), https://arxiv.org/abs/1801.01489; Captum's FeaturePermutation.
/// </remarks>
/// <example><code>var importance = new FeaturePermutation(model, new() { Seed = 3 }).Explain(batch, Target.Class(1));</code></example>
public sealed class FeaturePermutation : PerturbationMethod
{
    private readonly FeaturePermutationOptions options;

    /// <summary>Binds permutation importance to <paramref name="model"/>.</summary>
    public FeaturePermutation(Module model, FeaturePermutationOptions? options = null) : base(model) => this.options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "feature-permutation";

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        int samples = Samples(input);
        ArgumentNullException.ThrowIfNull(target);
        if (samples < 2) throw new ArgumentException($"FeaturePermutation: permuting a feature across the batch needs at least two samples, got shape {input.Shape}.", nameof(input));
        if (options.Mask.DependsOnInput)
            throw new ArgumentException($"FeaturePermutation: permuting a feature across the batch needs the same features in every sample; {options.Mask} gives each sample its own.", nameof(options));
        var rowShape = new Shape(input.Shape.Dims[1..].ToArray());
        var (ids, count) = options.Mask.For(rowShape);
        int rowSize = rowShape.Size;
        var rng = new Random(options.Seed);
        var permutations = new int[count][];
        for (int k = 0; k < count; k++)
        {
            permutations[k] = [.. Enumerable.Range(0, samples)];
            rng.Shuffle(permutations[k]);
        }
        var x = input.AsReadOnlySpan().ToArray();
        var clean = ScoresOf(input, target);
        // Row r: feature k = r / samples permuted, explained for sample b = r % samples.
        var scores = ScoreRows(rowShape, count * samples, (r, row) =>
        {
            int k = r / samples, b = r % samples, source = permutations[k][b];
            x.AsSpan(b * rowSize, rowSize).CopyTo(row);
            for (int i = 0; i < rowSize; i++) if (ids[i] == k) row[i] = x[source * rowSize + i];
        }, r => r % samples, target, ChunkSize(input, options.BatchSize, options.MemoryBudgetBytes), cancellation, progress);
        var map = new float[input.Size];
        for (int b = 0; b < samples; b++)
            for (int i = 0; i < rowSize; i++) map[b * rowSize + i] = clean[b] - scores[ids[i] * samples + b];
        return new Attribution(Tensor.FromArray(map, input.Shape.ToArray()), target, Name);
    }
}
