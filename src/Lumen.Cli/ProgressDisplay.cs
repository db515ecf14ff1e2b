using Lumen.Reports.Explain;
using Spectre.Console;

namespace Lumen.Cli;

/// <summary>Shows a long job's steps: a live progress bar (Spectre.Console) on an interactive terminal, plain
/// "[done/total] step" lines on stderr when the output is redirected (logs, CI, pipes).</summary>
internal static class ProgressDisplay
{
    public static T Run<T>(Func<IProgress<ExplainStep>, T> job)
    {
        if (Console.IsOutputRedirected || Console.IsErrorRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return job(new PlainLines());
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("starting");
                result = job(new Callback(step =>
                {
                    task.MaxValue = Math.Max(1, step.Total);
                    task.Value = step.Done;
                    task.Description = Markup.Escape(step.Description);
                }));
            });
        return result;
    }

    /// <summary>Reports synchronously on the calling thread (System.Progress would post to the thread pool).</summary>
    private sealed class Callback(Action<ExplainStep> report) : IProgress<ExplainStep>
    {
        public void Report(ExplainStep value) => report(value);
    }

    private sealed class PlainLines : IProgress<ExplainStep>
    {
        public void Report(ExplainStep value) => Console.Error.WriteLine($"[{value.Done}/{value.Total}] {value.Description}");
    }
}
