using Lumen.Metrics.Common;
using Lumen.Metrics.Functions;

namespace Lumen.Metrics.Faithfulness;

/// <summary>How <see cref="Infidelity"/> perturbs the input.</summary>
public enum InfidelityPerturbation
{
    /// <summary>x̃ = x − I with I drawn from <see cref="InfidelityOptions.Noise"/> (the paper's Gaussian case).</summary>
    Noise,
    /// <summary>x̃ = the replacement everywhere (I = x − x̄): infidelity is the squared completeness error.</summary>
    Baseline,
    /// <summary>x̃ = x with a random square patch replaced (the paper's "square removal").</summary>
    SquareRemoval,
}

/// <summary>Options of <see cref="Infidelity"/>.</summary>
public sealed record InfidelityOptions : MetricOptions
{
    /// <summary>The perturbation family.</summary>
    public InfidelityPerturbation Perturbation { get; init; } = InfidelityPerturbation.Noise;

    /// <summary>The noise of <see cref="InfidelityPerturbation.Noise"/>.</summary>
    public INoise Noise { get; init; } = Functions.Noise.Gaussian(0.1f);

    /// <summary>Replacement of <see cref="InfidelityPerturbation.Baseline"/> and <see cref="InfidelityPerturbation.SquareRemoval"/>.</summary>
    public IReplacement Replacement { get; init; } = Functions.Replacement.Zero;

    /// <summary>Side of the removed square (pixels) for <see cref="InfidelityPerturbation.SquareRemoval"/>.</summary>
    public int PatchSize { get; init; } = 4;

    /// <summary>The attribution is already multiplied by the input (Input × Gradient, Integrated Gradients): the
    /// perturbation is then taken relative to the input, Iᵢ/xᵢ (Captum's <c>multiply_by_inputs</c>; a zero input
    /// contributes nothing).</summary>
    public bool MultipliedByInputs { get; init; }

    /// <summary>Perturbations drawn per sample (the baseline perturbation needs one).</summary>
    public int Runs { get; init; } = 50;
}

/// <summary>Infidelity: the expected squared difference between the attribution's prediction of a perturbation's
/// effect, Iᵀa, and the actual effect f(x) − f(x − I); 0 is perfect.</summary>
/// <remarks>INFD = E_I[(Iᵀ Φ(x) − (f(x) − f(x − I)))²]. Yeh et al., "On the (in)fidelity and sensitivity of
/// explanations" (NeurIPS 2019), https://arxiv.org/abs/1901.09392. With noise, the plain gradient of a linear model
/// scores 0; with the baseline perturbation and <see cref="InfidelityOptions.MultipliedByInputs"/>, Integrated Gradients
/// scores its completeness error squared.</remarks>
/// <example><code>var infd = new Infidelity(new() { Runs = 100 }).Evaluate(input).Value;</code></example>
public sealed class Infidelity(InfidelityOptions? options = null) : ScalarMetric
{
    private readonly InfidelityOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "infidelity";

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Faithfulness;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.LowerIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.Any;

    /// <inheritdoc/>
    protected override IReadOnlyList<double> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        var layout = FeatureLayout.Of(input.Input.Shape);
        int samples = input.Samples, rowSize = layout.RowSize;
        int runs = options.Perturbation == InfidelityPerturbation.Baseline ? 1 : Math.Max(1, options.Runs);
        var x = input.Input.AsReadOnlySpan().ToArray();
        var a = input.Attribution.AsReadOnlySpan().ToArray();
        var rng = new Random(options.Seed);
        var perturbed = new float[runs][][];
        var patches = Grouping.Patches(layout, Math.Max(1, options.PatchSize));
        for (int v = 0; v < runs; v++)
        {
            perturbed[v] = new float[samples][];
            for (int b = 0; b < samples; b++)
            {
                var row = x.AsSpan(b * rowSize, rowSize);
                var result = row.ToArray();
                switch (options.Perturbation)
                {
                    case InfidelityPerturbation.Noise:
                        var noise = new float[rowSize];
                        options.Noise.Add(noise, rng);
                        for (int i = 0; i < rowSize; i++) result[i] -= noise[i];
                        break;
                    case InfidelityPerturbation.Baseline:
                        result = options.Replacement.Fill(row, layout.Channels, rng);
                        break;
                    default:
                        var fill = options.Replacement.Fill(row, layout.Channels, rng);
                        foreach (int f in patches[rng.Next(patches.Length)]) layout.Replace(result, fill, f);
                        break;
                }
                perturbed[v][b] = result;
            }
        }
        var scores = new ModelRunner(input.Model, input.Target, input.Input, options).Scores(runs + 1, (v, b, row) =>
            (v == 0 ? x.AsSpan(b * rowSize, rowSize) : perturbed[v - 1][b]).CopyTo(row), cancellation);
        return [.. Enumerable.Range(0, samples).Select(b =>
        {
            double sum = 0;
            for (int v = 0; v < runs; v++)
            {
                double predicted = 0;
                for (int i = 0; i < rowSize; i++)
                {
                    double xi = x[b * rowSize + i], change = xi - perturbed[v][b][i];
                    if (options.MultipliedByInputs) change = xi == 0 ? 0 : change / xi;
                    predicted += a[b * rowSize + i] * change;
                }
                double actual = scores[0][b] - scores[v + 1][b];
                sum += (predicted - actual) * (predicted - actual);
            }
            return sum / runs;
        })];
    }
}
