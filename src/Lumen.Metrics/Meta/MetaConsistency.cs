using Lumen.Attribution;
using Lumen.Metrics.Common;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Metrics.Meta;

/// <summary>
/// MetaQuantus meta-evaluation of a metric: how far its scores can be trusted on this model, data and set of methods.
/// Two perturbation tests, each with a minor and a disruptive strength, K draws each:
/// <list type="bullet">
/// <item><b>Model</b>: every weight is multiplied by N(1, σ²); the methods re-explain with the perturbed model and the
/// metric scores the new maps on the perturbed model. Minor σ leaves the model (nearly) unchanged, so the metric
/// should be resilient; disruptive σ changes the model, so the metric should react.</item>
/// <item><b>Input</b>: U(−r s, r s) is added to the input (s = its standard deviation); the metric scores the maps of
/// the unperturbed input on the perturbed input.</item>
/// </list>
/// Resilience counts only samples whose prediction the minor perturbation keeps, reactivity only samples whose
/// prediction the disruptive one changes. Each test is scored by intra-consistency (do a method's scores keep their
/// distribution: Wilcoxon signed-rank p-values) and inter-consistency (do the methods keep their ranking; does every
/// method score better unperturbed), see <see cref="ConsistencyScores"/>. Seeded; the K input draws of a metric that
/// scores samples independently run as one stacked, batched evaluation.
/// </summary>
/// <remarks>MC = (IAC_NR + IAC_AR + IEC_NR + IEC_AR) / 4 per test. With N samples the smallest two-sided p-value is
/// 2 / 2ᴺ, so IAC_AR needs several samples to approach 1; IEC_NR needs two methods or more to mean anything.
/// Hedström et al., "The meta-evaluation problem in explainable AI: identifying reliable estimators with MetaQuantus"
/// (TMLR 2023), https://arxiv.org/abs/2302.07265</remarks>
/// <example><code>var mc = new MetaConsistency(new() { Perturbations = 5 }).Evaluate(new DeletionCurve(), input, [m => new Saliency(m), m => new IntegratedGradients(m)]);
/// // mc.Model.IntraResilience, mc.Input.InterReactivity, mc.MetaConsistency</code></example>
public sealed class MetaConsistency(MetaConsistencyOptions? options = null)
{
    private readonly MetaConsistencyOptions options = options ?? new();

    /// <summary>The scores of one strength of one test: [draw][method][sample], and which samples count [draw][sample].</summary>
    internal sealed record Draws(double[][][] Scores, bool[][] Counted);

    /// <summary>Meta-evaluates <paramref name="metric"/> on the model, inputs, target and mask of
    /// <paramref name="input"/> (its attribution and explainer are ignored) with every method of
    /// <paramref name="methods"/>.</summary>
    public MetaConsistencyScore Evaluate(IMetric metric, MetricInput input, IReadOnlyList<Func<Module, IAttributionMethod>> methods, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(methods);
        Validate(methods.Count);
        // One runner (one memory probe of the model) for every prediction pass: the draws perturb the weights in place
        // and the input by value, so the rows per pass stay the same.
        var runner = new ModelRunner(input.Model, input.Target, input.Input, options);
        var predictions = Predictions(runner, 1, (_, b, row) => Row(input.Input, b).CopyTo(row), cancellation)[0];
        var maps = methods.Select(e => Explain(e, input, input.Input)).ToArray();
        var original = methods.Select((e, m) => Scores(metric, input with { Attribution = maps[m], Explainer = e }, cancellation)).ToArray();
        ConsistencyScores? model = null, perturbedInput = null;
        if (options.ModelTest)
        {
            var rng = new Random(options.Seed);
            model = Score(original, ModelDraws(metric, input, methods, runner, predictions, options.ModelMinorNoise, rng, keep: true, cancellation),
                ModelDraws(metric, input, methods, runner, predictions, options.ModelDisruptiveNoise, rng, keep: false, cancellation), metric.Direction);
        }
        if (options.InputTest)
        {
            var rng = new Random(options.Seed + 1);
            perturbedInput = Score(original, InputDraws(metric, input, methods, maps, runner, predictions, options.InputMinorNoise, rng, keep: true, cancellation),
                InputDraws(metric, input, methods, maps, runner, predictions, options.InputDisruptiveNoise, rng, keep: false, cancellation), metric.Direction);
        }
        return new MetaConsistencyScore(metric.Name, methods.Count, input.Samples, model, perturbedInput);
    }

    private void Validate(int methods)
    {
        if (methods < 1) throw new ArgumentException("MetaConsistency: give at least one attribution method (two or more to compare rankings).");
        if (options.Perturbations < 1) throw new ArgumentOutOfRangeException(nameof(options), $"MetaConsistency: Perturbations must be at least 1, got {options.Perturbations}.");
        foreach (var (name, value) in new[] { ("ModelMinorNoise", options.ModelMinorNoise), ("ModelDisruptiveNoise", options.ModelDisruptiveNoise), ("InputMinorNoise", options.InputMinorNoise), ("InputDisruptiveNoise", options.InputDisruptiveNoise) })
            if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(nameof(options), $"MetaConsistency: {name} must be finite and ≥ 0, got {value}.");
    }

    /// <summary>K copies of the model with weights × N(1, σ²): each method re-explains and the metric scores the new
    /// maps on that model. The weights are restored afterwards, also on failure.</summary>
    private Draws ModelDraws(IMetric metric, MetricInput input, IReadOnlyList<Func<Module, IAttributionMethod>> methods, ModelRunner runner, int[] predictions,
        double sigma, Random rng, bool keep, CancellationToken cancellation)
    {
        var parameters = input.Model.Parameters().Distinct(ReferenceEqualityComparer.Instance).Cast<Parameter>().ToArray();
        var saved = parameters.Select(p => p.Value.AsReadOnlySpan().ToArray()).ToArray();
        var noise = Functions.Noise.Gaussian((float)sigma);
        var scores = new double[options.Perturbations][][];
        var counted = new bool[options.Perturbations][];
        using var writable = input.Model.WritableWeights();      // a loaded model's weights are read-only; read-only again after the restore
        try
        {
            for (int k = 0; k < options.Perturbations; k++)
            {
                cancellation.ThrowIfCancellationRequested();
                for (int i = 0; i < parameters.Length; i++)
                {
                    var factor = new float[saved[i].Length];
                    noise.Add(factor, rng);
                    var value = parameters[i].Value.AsSpan();
                    for (int j = 0; j < factor.Length; j++) value[j] = saved[i][j] * (1 + factor[j]);
                }
                var perturbed = Predictions(runner, 1, (_, b, row) => Row(input.Input, b).CopyTo(row), cancellation)[0];
                counted[k] = [.. perturbed.Select((p, b) => (p == predictions[b]) == keep)];
                scores[k] = [.. methods.Select(e => Scores(metric, input with { Attribution = Explain(e, input, input.Input), Explainer = e }, cancellation))];
            }
        }
        finally
        {
            for (int i = 0; i < parameters.Length; i++) saved[i].CopyTo(parameters[i].Value.AsSpan());
        }
        return new Draws(scores, counted);
    }

    /// <summary>K noisy copies of the input, scored with the maps of the unperturbed input. A metric that scores
    /// samples independently sees all K copies as one stacked batch of K·B samples.</summary>
    private Draws InputDraws(IMetric metric, MetricInput input, IReadOnlyList<Func<Module, IAttributionMethod>> methods, Tensor[] maps, ModelRunner runner, int[] predictions,
        double radius, Random rng, bool keep, CancellationToken cancellation)
    {
        int samples = input.Samples, copies = options.Perturbations;
        var x = input.Input.AsReadOnlySpan().ToArray();
        double mean = x.Average(v => (double)v), std = Math.Sqrt(x.Average(v => (v - mean) * (v - mean)));
        var noise = Functions.Noise.Uniform((float)(radius * std));
        int rowSize = x.Length / samples;
        var stacked = new float[copies * x.Length];
        for (int k = 0; k < copies; k++)
        {
            x.CopyTo(stacked.AsSpan(k * x.Length));
            for (int b = 0; b < samples; b++) noise.Add(stacked.AsSpan((k * samples + b) * rowSize, rowSize), rng);
        }
        var perturbed = Predictions(runner, copies, (k, b, row) => stacked.AsSpan((k * samples + b) * rowSize, rowSize).CopyTo(row), cancellation);
        var counted = perturbed.Select(p => p.Select((c, b) => (c == predictions[b]) == keep).ToArray()).ToArray();
        var scores = Enumerable.Range(0, copies).Select(_ => new double[methods.Count][]).ToArray();
        bool together = !metric.Applicability.Needs.HasFlag(MetricNeeds.SeveralSamples);
        for (int m = 0; m < methods.Count; m++)
        {
            cancellation.ThrowIfCancellationRequested();
            var withMethod = input with { Attribution = maps[m], Explainer = methods[m] };
            if (together)
            {
                var all = Scores(metric, Tiled(withMethod, stacked, copies), cancellation);
                for (int k = 0; k < copies; k++) scores[k][m] = all[(k * samples)..((k + 1) * samples)];
            }
            else
            {
                for (int k = 0; k < copies; k++)
                    scores[k][m] = Scores(metric, withMethod with { Input = Tensor.FromArray(stacked.AsSpan(k * x.Length, x.Length).ToArray(), input.Input.Shape.ToArray()) }, cancellation);
            }
        }
        return new Draws(scores, counted);
    }

    /// <summary>The input with <paramref name="copies"/> stacked copies of the batch: the given rows, and the maps,
    /// target and mask repeated.</summary>
    private static MetricInput Tiled(MetricInput input, float[] rows, int copies) => input with
    {
        Input = Tensor.FromArray(rows, [copies * input.Samples, .. input.Input.Shape.Dims[1..]]),
        Attribution = Repeat(MapShape.ToInput(input.Attribution, input.Input.Shape, "MetaConsistency"), copies),
        Target = input.Target.Tiled(input.Samples, copies),
        Mask = input.Mask is null ? null : Repeat(input.Mask, copies),
    };

    private static Tensor Repeat(Tensor batch, int copies)
    {
        var data = batch.AsReadOnlySpan();
        var result = new float[copies * data.Length];
        for (int k = 0; k < copies; k++) data.CopyTo(result.AsSpan(k * data.Length));
        return Tensor.FromArray(result, [copies * batch.Shape[0], .. batch.Shape.Dims[1..]]);
    }

    private static double[] Scores(IMetric metric, MetricInput input, CancellationToken cancellation) => metric.Evaluate(input, cancellation).PerSample;

    private static Tensor Explain(Func<Module, IAttributionMethod> explainer, MetricInput input, Tensor x) =>
        Tensor.FromArray(Reexplainer.Explain(explainer(input.Model), input, x.AsReadOnlySpan().ToArray()), input.Input.Shape.ToArray());

    private static int[][] Predictions(ModelRunner runner, int variants, RowWriter write, CancellationToken cancellation) =>
        runner.ScoresAndPredictions(variants, write, cancellation).Predictions;

    private static ReadOnlySpan<float> Row(Tensor batch, int sample)
    {
        int size = batch.Size / batch.Shape[0];
        return batch.AsReadOnlySpan().Slice(sample * size, size);
    }

    /// <summary>IAC and IEC of the minor (resilience) and disruptive (reactivity) draws against the unperturbed scores
    /// [method][sample].</summary>
    internal static ConsistencyScores Score(double[][] original, Draws minor, Draws disruptive, ScoreDirection direction) => new(
        IntraConsistency(original, minor, reactivity: false),
        IntraConsistency(original, disruptive, reactivity: true),
        Statistics.FiniteMean(minor.Scores.Select((q, k) => RankAgreement(original, q, minor.Counted[k]))),
        Statistics.FiniteMean(disruptive.Scores.Select((q, k) => BetterUnperturbed(original, q, disruptive.Counted[k], direction))));

    /// <summary>The mean over draws and methods of the Wilcoxon p-value (or 1 − p for reactivity) between the
    /// unperturbed and perturbed scores of the counted samples (pairs with a NaN are left out).</summary>
    private static double IntraConsistency(double[][] original, Draws draws, bool reactivity) =>
        Statistics.FiniteMean(draws.Scores.SelectMany((q, k) => original.Select((before, m) =>
        {
            var pairs = Enumerable.Range(0, before.Length).Where(n => draws.Counted[k][n] && double.IsFinite(before[n]) && double.IsFinite(q[m][n])).ToArray();
            double p = WilcoxonSignedRank.PValue([.. pairs.Select(n => before[n])], [.. pairs.Select(n => q[m][n])]);
            return reactivity ? 1 - p : p;
        })));

    /// <summary>The fraction of rank positions (methods sorted by score, ties by method order) that agree between the
    /// unperturbed and perturbed scores, over the counted samples; NaN when none counts.</summary>
    private static double RankAgreement(double[][] original, double[][] perturbed, bool[] counted)
    {
        int methods = original.Length, agree = 0, total = 0;
        for (int n = 0; n < counted.Length; n++)
        {
            if (!counted[n]) continue;
            var before = Enumerable.Range(0, methods).OrderBy(m => original[m][n]).ThenBy(m => m).ToArray();
            var after = Enumerable.Range(0, methods).OrderBy(m => perturbed[m][n]).ThenBy(m => m).ToArray();
            agree += before.Zip(after).Count(p => p.First == p.Second);
            total += methods;
        }
        return total == 0 ? double.NaN : (double)agree / total;
    }

    /// <summary>The fraction of (method, counted sample) pairs scored strictly better unperturbed than perturbed.</summary>
    private static double BetterUnperturbed(double[][] original, double[][] perturbed, bool[] counted, ScoreDirection direction)
    {
        int better = 0, total = 0;
        for (int m = 0; m < original.Length; m++)
            for (int n = 0; n < counted.Length; n++)
            {
                if (!counted[n] || !double.IsFinite(original[m][n]) || !double.IsFinite(perturbed[m][n])) continue;
                total++;
                if (direction == ScoreDirection.HigherIsBetter ? original[m][n] > perturbed[m][n] : original[m][n] < perturbed[m][n]) better++;
            }
        return total == 0 ? double.NaN : (double)better / total;
    }
}
