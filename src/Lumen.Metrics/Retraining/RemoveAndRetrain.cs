using Lumen.Attribution;
using Lumen.Metrics.Common;
using Lumen.NN;
using Lumen.NN.Training;

namespace Lumen.Metrics.Retraining;

/// <summary>
/// ROAR and KAR (remove and retrain, keep and retrain): train a model, explain every training and test sample for its
/// label, replace the top-k % most relevant pixels (ROAR) or all others (KAR) by the training set's channel mean (or,
/// with <see cref="RemovalFill.NoisyLinear"/>, by ROAD's noisy linear imputation of their neighbourhood), train
/// a fresh model on the modified training set and score it on the modified test set. Retraining separates "the
/// features were informative" from "the model never saw such inputs". ROAR: the faster accuracy falls, the more
/// faithful the ranking; a random ranking is the baseline to beat. KAR: the reverse.
/// </summary>
/// <remarks>x̃ᵢ = μ_c for i ∈ top_k(|Φ(f, x)|) (ROAR) or i ∉ top_k (KAR); acc_k = accuracy(f̃_k, x̃_test), f̃_k trained on
/// x̃_train. Hooker, Erhan, Kindermans, Kim, "A benchmark for interpretability methods in deep neural networks"
/// (NeurIPS 2019), https://arxiv.org/abs/1806.10758</remarks>
/// <example><code>
/// var result = new RemoveAndRetrain().Evaluate(train, test, [("saliency", m => new Saliency(m))]);
/// var roar = result.Curve("saliency", RetrainingMode.Remove).Accuracy;
/// </code></example>
public sealed class RemoveAndRetrain(RemoveAndRetrainOptions? options = null)
{
    private readonly RemoveAndRetrainOptions options = options ?? new();

    /// <summary>The name of the random ranking's curves.</summary>
    public const string RandomRanking = "random";

    /// <summary>Runs the evaluation; <paramref name="progress"/> hears one line per model trained.</summary>
    public RetrainingResult Evaluate(LabelledData train, LabelledData test, IReadOnlyList<(string Name, Func<Module, IAttributionMethod> Create)> methods,
        IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(methods);
        Validate(train, test, methods);
        var retraining = options.Retraining;
        progress?.Report("training the model on unmodified data");
        var model = ModelTrainer.Train(train, retraining, cancellation);
        double baseAccuracy = ClassifierTraining.Accuracy(model, test);
        var means = ChannelMeans(train);
        var rankings = new List<(string Name, int[][] Train, int[][] Test)>();
        foreach (var (name, create) in methods)
        {
            progress?.Report($"explaining the data with {name}");
            var method = create(model);
            rankings.Add((name, Rank(ModelTrainer.ExplainAll(method, train, retraining.ExplainBatchSize, cancellation), train),
                Rank(ModelTrainer.ExplainAll(method, test, retraining.ExplainBatchSize, cancellation), test)));
        }
        if (options.IncludeRandom)
        {
            var rng = new Random(retraining.Seed);
            int features = Features(train);
            rankings.Add((RandomRanking, [.. Enumerable.Range(0, train.Count).Select(_ => Statistics.Shuffled(features, rng))],
                [.. Enumerable.Range(0, test.Count).Select(_ => Statistics.Shuffled(features, rng))]));
        }
        var curves = new List<RetrainingCurve>();
        foreach (var mode in options.Modes.Distinct())
            foreach (var (name, trainRanking, testRanking) in rankings)
            {
                var accuracy = new double[options.Fractions.Length];
                for (int k = 0; k < accuracy.Length; k++)
                {
                    progress?.Report($"{(mode == RetrainingMode.Remove ? "ROAR" : "KAR")} {name}: retraining at k = {options.Fractions[k]:P0}");
                    var modifiedTrain = Replace(train, trainRanking, options.Fractions[k], mode, means, options);
                    var retrained = ModelTrainer.Train(modifiedTrain, retraining, cancellation);
                    accuracy[k] = ClassifierTraining.Accuracy(retrained, Replace(test, testRanking, options.Fractions[k], mode, means, options));
                }
                curves.Add(new RetrainingCurve(name, mode, accuracy));
            }
        return new RetrainingResult([.. options.Fractions], baseAccuracy, curves);
    }

    /// <summary>The data with the features of each sample's ranking (most relevant first) beyond or within the top
    /// <paramref name="fraction"/> replaced by the channel means, or imputed (<see cref="RemovalFill.NoisyLinear"/>,
    /// seeded per call so train and test fills are reproducible).</summary>
    internal static LabelledData Replace(LabelledData data, int[][] rankings, double fraction, RetrainingMode mode, float[] channelMeans, RemoveAndRetrainOptions? options = null)
    {
        options ??= new RemoveAndRetrainOptions();
        var layout = Layout(data);
        int features = layout.Features, channels = layout.Channels;
        int top = (int)Math.Round(Math.Clamp(fraction, 0, 1) * features);
        var inputs = data.Inputs.ToArray();
        var rng = new Random(options.Retraining.Seed + 2);
        for (int s = 0; s < data.Count; s++)
        {
            var ranking = rankings[s];
            var replaced = mode == RetrainingMode.Remove ? ranking.AsSpan(0, top) : ranking.AsSpan(top);
            var row = inputs.AsSpan(s * data.SampleSize, data.SampleSize);
            if (options.Fill == RemovalFill.NoisyLinear)
                NoisyLinearImputation.Impute(layout, row, replaced, options.ImputationSweeps, options.ImputationNoise, rng).CopyTo(row);
            else
                foreach (int f in replaced)
                    for (int c = 0; c < channels; c++) row[c * features + f] = channelMeans[c];
        }
        return data.WithInputs(inputs);
    }

    /// <summary>Per sample, the features ordered by relevance, most relevant first; ties in a seeded random order (so
    /// flat regions of a map are not removed top-left first).</summary>
    private int[][] Rank(float[] maps, LabelledData data)
    {
        var layout = FeatureLayout.Of(new Tensors.Shape([data.Count, .. data.SampleShape]));
        var rng = new Random(options.Retraining.Seed + 1);
        return [.. Enumerable.Range(0, data.Count).Select(s =>
        {
            var relevance = layout.Relevance(maps.AsSpan(s * data.SampleSize, data.SampleSize));
            var tieBreak = Statistics.Shuffled(relevance.Length, rng);
            return Enumerable.Range(0, relevance.Length).OrderByDescending(i => options.Absolute ? Math.Abs(relevance[i]) : relevance[i]).ThenBy(i => tieBreak[i]).ToArray();
        })];
    }

    /// <summary>The feature layout of one sample of <paramref name="data"/>.</summary>
    private static FeatureLayout Layout(LabelledData data) => FeatureLayout.Of(new Tensors.Shape([1, .. data.SampleShape]));

    private static int Features(LabelledData data) => Layout(data).Features;

    private static float[] ChannelMeans(LabelledData data)
    {
        int features = Features(data), channels = data.SampleSize / features;
        var means = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int s = 0; s < data.Count; s++)
                foreach (var v in data.Inputs.AsSpan(s * data.SampleSize + c * features, features)) sum += v;
            means[c] = (float)(sum / ((double)data.Count * features));
        }
        return means;
    }

    private void Validate(LabelledData train, LabelledData test, IReadOnlyList<(string Name, Func<Module, IAttributionMethod> Create)> methods)
    {
        if (!train.SampleShape.SequenceEqual(test.SampleShape))
            throw new ArgumentException($"RemoveAndRetrain: training samples [{string.Join(", ", train.SampleShape)}] and test samples [{string.Join(", ", test.SampleShape)}] differ in shape.");
        if (train.Count == 0 || test.Count == 0) throw new ArgumentException("RemoveAndRetrain: needs training and test samples.");
        if (methods.Count == 0 && !options.IncludeRandom) throw new ArgumentException("RemoveAndRetrain: no method to evaluate and no random baseline.");
        if (options.Fractions.Length == 0 || options.Fractions.Any(f => f is < 0 or > 1 || double.IsNaN(f)))
            throw new ArgumentException($"RemoveAndRetrain: fractions must be in [0, 1], got [{string.Join(", ", options.Fractions)}].");
        if (options.Modes.Length == 0) throw new ArgumentException("RemoveAndRetrain: choose at least one mode (Remove, Keep).");
        var names = methods.Select(m => m.Name).Append(options.IncludeRandom ? RandomRanking : null).OfType<string>().ToList();
        if (names.Distinct().Count() != names.Count) throw new ArgumentException($"RemoveAndRetrain: method names must be unique (and not '{RandomRanking}'), got {string.Join(", ", names)}.");
    }
}
