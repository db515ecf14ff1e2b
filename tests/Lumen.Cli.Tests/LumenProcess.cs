using System.Diagnostics;

namespace Lumen.Cli.Tests;

/// <summary>What one run of the <c>lumen</c> executable printed and returned.</summary>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
internal sealed record LumenRun(int ExitCode, string Output, string Error);

/// <summary>Runs the built <c>lumen</c> executable (lumen.dll beside the tests, with its models and samples) as a
/// child process, so that the tests see exactly what a user sees: exit code, stdout and stderr.</summary>
internal static class LumenProcess
{
    /// <summary>Runs <c>dotnet lumen.dll ARGS</c> in <paramref name="workingDirectory"/> with a time limit.</summary>
    public static LumenRun Run(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "lumen.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"lumen {string.Join(' ', args)} did not finish within 5 minutes");
        }
        return new LumenRun(process.ExitCode, output.Result, error.Result);
    }
}
