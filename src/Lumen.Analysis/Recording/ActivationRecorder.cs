using Lumen.NN;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Analysis.Recording;

/// <summary>
/// Streams batches through a model and records, at chosen hook points, per-channel statistics and each channel's
/// top-k activating examples with their activating region — in memory bounded by k, whatever the number of examples.
/// Add batches one at a time (a long run can stop and continue with the same recorder, or <see cref="Save"/> a
/// checkpoint and continue in another process after <see cref="Load"/>) and read <see cref="Result"/>.
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

    /// <summary>Writes a checkpoint of everything recorded so far (the example count, and per hook point and channel
    /// the statistics and kept examples, exactly) with the options it depends on and a free-form
    /// <paramref name="source"/> (what the examples are), so that <see cref="Load"/> in a fresh recorder continues the
    /// recording: recording A, saving, loading and recording B gives exactly the result of recording A then B.</summary>
    /// <remarks>Binary, little-endian: "LUMENREC", version 1, source, hook points, TopK, score, KeepMaps, example count,
    /// then per hook point its example shape and each channel's state.</remarks>
    public void Save(Stream checkpoint, string source = "")
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        using var writer = new BinaryWriter(checkpoint, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(CheckpointMagic);
        writer.Write(CheckpointVersion);
        writer.Write(source);
        WriteOptions(writer);
        writer.Write(Examples);
        for (int h = 0; h < channels.Length; h++)
        {
            var shape = shapes[h] ?? [];
            writer.Write(shape.Length);
            foreach (var d in shape) writer.Write(d);
            foreach (var channel in channels[h] ?? []) channel.Write(writer);
        }
    }

    /// <summary>Restores a checkpoint written by <see cref="Save"/> into this recorder, which must be fresh and have
    /// the same hook points, TopK, score and KeepMaps; returns the checkpoint's source. Continue with the example that
    /// follows the <see cref="Examples"/> already recorded.</summary>
    /// <exception cref="InvalidOperationException">This recorder has already recorded examples.</exception>
    /// <exception cref="InvalidDataException">Not a recorder checkpoint, another version, or other options (the message
    /// names the difference).</exception>
    public string Load(Stream checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (Examples != 0) throw new InvalidOperationException($"ActivationRecorder: load a checkpoint into a fresh recorder; this one has recorded {Examples} examples.");
        using var reader = new BinaryReader(checkpoint, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            if (reader.ReadString() != CheckpointMagic) throw new InvalidDataException("ActivationRecorder: not a recorder checkpoint.");
            int version = reader.ReadInt32();
            if (version != CheckpointVersion) throw new InvalidDataException($"ActivationRecorder: checkpoint version {version}; this build reads version {CheckpointVersion}.");
            string source = reader.ReadString();
            var saved = new MemoryStream();
            using (var expected = new BinaryWriter(saved, System.Text.Encoding.UTF8, leaveOpen: true)) WriteOptions(expected);
            var stored = reader.ReadBytes((int)saved.Length);
            if (!stored.AsSpan().SequenceEqual(saved.ToArray()))
                throw new InvalidDataException($"ActivationRecorder: the checkpoint was recorded with other options; this recorder has hook points [{string.Join(", ", options.HookPoints)}], TopK {options.TopK}, score {options.Score}, KeepMaps {options.KeepMaps}.");
            int examples = reader.ReadInt32();
            for (int h = 0; h < channels.Length && examples > 0; h++)
            {
                var shape = Enumerable.Range(0, reader.ReadInt32()).Select(_ => reader.ReadInt32()).ToArray();
                Initialise(h, shape);
                foreach (var channel in channels[h]!) channel.Read(reader);
            }
            Examples = examples;
            return source;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("ActivationRecorder: the checkpoint is truncated.", e);
        }
    }

    private const string CheckpointMagic = "LUMENREC";
    private const int CheckpointVersion = 1;

    private void WriteOptions(BinaryWriter writer)
    {
        writer.Write(options.HookPoints.Count);
        foreach (var hook in options.HookPoints) writer.Write(hook);
        writer.Write(options.TopK);
        writer.Write((int)options.Score);
        writer.Write(options.KeepMaps);
    }

    /// <summary>Sets up the accumulators of hook point <paramref name="hook"/> for per-example shape [C, …].</summary>
    private void Initialise(int hook, int[] shape)
    {
        if (shape.Length == 0) throw new InvalidDataException($"ActivationRecorder: hook point '{options.HookPoints[hook]}' has no shape.");
        int c = shape[0], positions = shape.Skip(1).Aggregate(1, (a, b) => a * b);
        int height = shape.Length == 3 ? shape[1] : 1, width = positions / height;
        if (options.KeepMaps && (long)options.TopK * c * positions * sizeof(float) > options.MapMemoryBudget)
            throw new InvalidOperationException($"ActivationRecorder: keeping {options.TopK} maps of {positions} positions for {c} channels of '{options.HookPoints[hook]}' needs {(long)options.TopK * c * positions * 4 >> 20} MiB, over the budget of {options.MapMemoryBudget >> 20} MiB; lower TopK, raise MapMemoryBudget or set KeepMaps = false.");
        shapes[hook] = shape;
        channels[hook] = [.. Enumerable.Range(0, c).Select(_ => new ChannelAccumulator(options.TopK, options.KeepMaps, height, width))];
    }

    private void Accumulate(int hook, Tensor activation, int batchSize)
    {
        string name = options.HookPoints[hook];
        if (activation.Rank < 2 || activation.Shape[0] != batchSize)
            throw new InvalidOperationException($"ActivationRecorder: '{name}' produced {activation.Shape}; expected [batch = {batchSize}, channels, …].");
        var shape = activation.Shape.ToArray()[1..];
        int c = shape[0], positions = shape.Length == 1 ? 1 : activation.Shape.Product(2, activation.Rank);
        if (channels[hook] is null) Initialise(hook, shape);
        else if (!shapes[hook]!.AsSpan().SequenceEqual(shape))
            throw new InvalidOperationException($"ActivationRecorder: '{name}' produced per-example shape [{string.Join(", ", shape)}] after [{string.Join(", ", shapes[hook]!)}]; all examples must give the same shape.");
        var values = activation.AsReadOnlySpan();
        var accumulators = channels[hook]!;
        for (int b = 0; b < batchSize; b++)
            for (int ch = 0; ch < c; ch++)
                accumulators[ch].Add(Examples + b, values.Slice((b * c + ch) * positions, positions), options.Score);
    }
}
