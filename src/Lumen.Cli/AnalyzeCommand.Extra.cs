using System.CommandLine;

namespace Lumen.Cli;

internal static partial class AnalyzeCommand
{
    /// <summary>The subcommands defined in the other parts of this class.</summary>
    private static IEnumerable<Command> Extra() => [];
}
