using System.Diagnostics;
using Lumen.Analysis.Recording;
using Lumen.NN;
using Lumen.Reports.Explain;

namespace Lumen.Reports.Analyze;

/// <summary>The job behind <c>lumen analyze top-examples</c>: streams an <see cref="ExampleSet"/> through a model with
/// an <see cref="ActivationRecorder"/> and keeps, per channel of each hook point, the statistics and top examples;
/// with a checkpoint file it saves its state as it goes and can resume an interrupted run in another process.</summary>
/// <example><code>
/// var report = new TopExamplesJob("mnist", model, new() { HookPoints = ["ReLU32_Output_0"] }).Run(ExampleSet.FromIdx(path, Preprocess.Mnist, 2000));
/// AnalyzeReportWriter.Write(TopExamplesHtml.Render(report), TopExamplesHtml.Summary(report), "out");
/// </code></example>
public sealed class TopExamplesJob(string modelName, Module model, TopExamplesOptions options)
{
    /// <summary>Records every example; <paramref name="progress"/> hears one step per batch.</summary>
    public TopExamplesReport Run(ExampleSet examples, IProgress<ExplainStep>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var recorder = new ActivationRecorder(model, new ActivationRecorderOptions { HookPoints = options.HookPoints, TopK = options.TopK, Score = options.Score });
        int resumed = Resume(recorder, examples);
        int batches = (examples.Count - resumed + options.BatchSize - 1) / options.BatchSize, done = 0;
        var watch = Stopwatch.StartNew();
        foreach (var batch in examples.Batches(options.BatchSize, from: resumed))
        {
            cancellation.ThrowIfCancellationRequested();
            progress?.Report(new ExplainStep($"recording {recorder.Examples}/{examples.Count} examples", done, batches));
            recorder.Add(batch);
            if (++done % Math.Max(1, options.CheckpointEvery) == 0) Save(recorder, examples);
        }
        Save(recorder, examples);
        progress?.Report(new ExplainStep("done", done, batches));
        var record = recorder.Result();
        var channels = record.HookPoints.Select(h =>
        {
            if (options.Channels is null) return (IReadOnlyList<int>)[.. Enumerable.Range(0, Math.Min(options.ShownChannels, h.Channels))];
            foreach (var c in options.Channels.Where(c => c < 0 || c >= h.Channels))
                throw new ArgumentOutOfRangeException(nameof(options), $"Channel {c} is out of range: '{h.HookPoint}' has {h.Channels} channels.");
            return options.Channels;
        }).ToList();
        return new TopExamplesReport(modelName, examples, record, channels, watch.Elapsed.TotalSeconds, DateTime.UtcNow, resumed);
    }

    /// <summary>Loads the checkpoint when resuming and it exists; returns the examples it holds.</summary>
    /// <exception cref="InvalidOperationException">The checkpoint was recorded on other examples.</exception>
    private int Resume(ActivationRecorder recorder, ExampleSet examples)
    {
        if (!options.Resume || options.Checkpoint is not { } path || !File.Exists(path)) return 0;
        using (var file = File.OpenRead(path))
        {
            string source = recorder.Load(file);
            if (source != examples.Description || recorder.Examples > examples.Count)
                throw new InvalidOperationException($"TopExamplesJob: checkpoint {path} holds {recorder.Examples} examples of '{source}', not of '{examples.Description}'; delete it or drop --resume.");
        }
        return recorder.Examples;
    }

    /// <summary>Writes the checkpoint, when one is asked for, through a temporary file so an interruption never leaves a
    /// half-written checkpoint.</summary>
    private void Save(ActivationRecorder recorder, ExampleSet examples)
    {
        if (options.Checkpoint is not { } path || recorder.Examples == 0) return;
        var temporary = path + ".tmp";
        using (var file = File.Create(temporary)) recorder.Save(file, examples.Description);
        File.Move(temporary, path, overwrite: true);
    }
}
