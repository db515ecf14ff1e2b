using System.CommandLine;
using Lumen.Attribution;

namespace Lumen.Cli;

/// <summary><c>lumen methods</c>: the attribution method catalog (names usable in <c>lumen explain --methods</c>).</summary>
internal static class MethodsCommand
{
    public static Command Create()
    {
        var command = new Command("methods", "List the attribution methods (usable as `lumen explain --methods NAME,…`).");
        command.SetAction(_ => Run());
        return command;
    }

    private static int Run()
    {
        foreach (var family in KnownAttributionMethods.All.GroupBy(m => m.Family))
        {
            Console.WriteLine(family.Key);
            foreach (var m in family)
                Console.WriteLine($"  {m.Name,-26} {(m.Aliases.Length > 0 ? "(" + string.Join(", ", m.Aliases) + ")" : ""),-22} {m.Summary}");
        }
        return 0;
    }
}
