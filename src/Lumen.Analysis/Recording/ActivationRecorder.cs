using Lumen.NN;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Analysis.Recording;

/// <summary>
/// Streams batches through a model and records, at chosen hook points, per-channel statistics and each channel's
/// top-k activating examples with their activating region — in memory bounded by k, whatever the number of examples.
/// Add batches one at a time (a long run can stop and continue with the same recorder) and read <see cref="Result"/>.
/// </summary>
/// <remarks>An activation of shape [B, C, …] has C channels (axis 1); the remaining axes are the positions
/// ([B, C, H, W] → H×W maps, [B, D] → one position). Each example's map of a channel gives a score
/// (<see cref="ChannelScore"/>) that ranks the examples (Zeiler &amp; Fergus 2014, https://arxiv.org/abs/1311.2901;
/// Bau et al. 2017 for per-unit statistics).</remarks>
/// <example><code>
/// var recorder = new ActivationRecorder(model, new() { HookPoints = ["layer3.0.relu"], TopK = 9 });
/// foreach (var batch in batches) recorder.Add(batch);              // [B, 3, 224, 224] each
/// var top = recorder.Result()["layer3.0.relu"].TopExamples[12];    // channel 12's best examples
/// </code></example>
public sealed class ActivationRecorder
{
    private readonly Module model;
    private readonly ActivationRecorderOptions options;
    private readonly ChannelAccumulator[]?[] channels;
    private readonly int[]?[] shapes;

    /// <summary>Creates a recorder; the hook points are checked against the model now.</summary>
    /// <exception cref="ArgumentException">No hook point, an unknown or repeated one, or TopK &lt; 1.</exception>
    public ActivationRecorder(Module model, ActivationRecorderOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (options.HookPoints.Count == 0) throw new ArgumentException("ActivationRecorder: name at least one hook point.", nameof(options));
        if (options.TopK < 1) throw new ArgumentException($"ActivationRecorder: TopK must be ≥ 1, got {options.TopK}.", nameof(options));
        var repeated = options.HookPoints.GroupBy(h => h).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new ArgumentException($"ActivationRecorder: hook point '{repeated.Key}' is named twice.", nameof(options));
        foreach (var hook in options.HookPoints) model.Hooks.Resolve(hook);
        this.model = model;
        this.options = options;
        channels = new ChannelAccumulator[]?[options.HookPoints.Count];
        shapes = new int[]?[options.HookPoints.Count];
    }

    /// <summary>Number of examples recorded so far.</summary>
    public int Examples { get; private set; }

    /// <summary>Runs the model on <paramref name="batch"/> ([B, …], without gradients, stopping after the last hook
    /// point) and records its activations.</summary>
    /// <exception cref="InvalidOperationException">A hook point did not fire, or fired with a different per-example
    /// shape than before, or its kept maps would exceed <see cref="ActivationRecorderOptions.MapMemoryBudget"/>.</exception>
    public void Add(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Rank == 0) throw new ArgumentException("ActivationRecorder: a batch needs a leading batch axis.", nameof(batch));
        Tensor[] activations;
        using (GradMode.Off()) activations = ActivationCapture.Run(model, options.HookPoints, batch, needOutput: false, "ActivationRecorder").Activations;
        for (int h = 0; h < activations.Length; h++) Accumulate(h, activations[h], batch.Shape[0]);
        Examples += batch.Shape[0];
    }

    /// <summary>Records every batch of <paramref name="batches"/>; <paramref name="progress"/> hears the running
    /// example count after each batch.</summary>
    public ActivationRecord Record(IEnumerable<Tensor> batches, IProgress<int>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        foreach (var batch in batches)
        {
            cancellation.ThrowIfCancellationRequested();
            Add(batch);
            progress?.Report(Examples);
        }
        return Result();
    }

    /// <summary>The statistics and top examples of every hook point so far.</summary>
    /// <exception cref="InvalidOperationException">Nothing was recorded yet.</exception>
    public ActivationRecord Result()
    {
        if (Examples == 0) throw new InvalidOperationException("ActivationRecorder: no example was recorded yet.");
        var records = new List<HookPointRecord>();
        for (int h = 0; h < channels.Length; h++)
            records.Add(new HookPointRecord(options.HookPoints[h], shapes[h]!, [.. channels[h]!.Select(c => c.Statistics())], [.. channels[h]!.Select(c => c.TopExamples())]));
        return new ActivationRecord(Examples, records);
    }

    private void Accumulate(int hook, Tensor activation, int batchSize)
    {
        string name = options.HookPoints[hook];
        if (activation.Rank < 2 || activation.Shape[0] != batchSize)
            throw new InvalidOperationException($"ActivationRecorder: '{name}' produced {activation.Shape}; expected [batch = {batchSize}, channels, …].");
        var shape = activation.Shape.ToArray()[1..];
        int c = shape[0], positions = shape.Length == 1 ? 1 : activation.Shape.Product(2, activation.Rank);
        int height = shape.Length == 3 ? shape[1] : 1, width = positions / height;
        if (channels[hook] is null)
        {
            if (options.KeepMaps && (long)options.TopK * c * positions * sizeof(float) > options.MapMemoryBudget)
                throw new InvalidOperationException($"ActivationRecorder: keeping {options.TopK} maps of {positions} positions for {c} channels of '{name}' needs {(long)options.TopK * c * positions * 4 >> 20} MiB, over the budget of {options.MapMemoryBudget >> 20} MiB; lower TopK, raise MapMemoryBudget or set KeepMaps = false.");
            shapes[hook] = shape;
            channels[hook] = [.. Enumerable.Range(0, c).Select(_ => new ChannelAccumulator(options.TopK, options.KeepMaps, height, width))];
        }
        else if (!shapes[hook]!.AsSpan().SequenceEqual(shape))
            throw new InvalidOperationException($"ActivationRecorder: '{name}' produced per-example shape [{string.Join(", ", shape)}] after [{string.Join(", ", shapes[hook]!)}]; all examples must give the same shape.");
        var values = activation.AsSpan();
        var accumulators = channels[hook]!;
        for (int b = 0; b < batchSize; b++)
            for (int ch = 0; ch < c; ch++)
                accumulators[ch].Add(Examples + b, values.Slice((b * c + ch) * positions, positions), options.Score);
    }
}
