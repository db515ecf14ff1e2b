using System.CommandLine;
using Lumen.Attribution;

namespace Lumen.Cli;

/// <summary><c>lumen methods [--options NAME]</c>: the attribution method catalog (names usable in
/// <c>lumen explain --methods</c>), or one method's options with their types and defaults (settable with
/// <c>--set NAME.OPTION=VALUE</c>).</summary>
internal static class MethodsCommand
{
    public static Command Create()
    {
        var options = new Option<string?>("--options") { Description = "List this method's options (type and default), settable with `lumen explain --set METHOD.OPTION=VALUE`." };
        var command = new Command("methods", "List the attribution methods (usable as `lumen explain --methods NAME,…`), or one method's options.") { options };
        command.SetAction(parse => parse.GetValue(options) is string name ? RunOptions(name) : Run());
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
        Console.WriteLine();
        Console.WriteLine("Options of a method: lumen methods --options NAME; set one with lumen explain --set NAME.OPTION=VALUE.");
        return 0;
    }

    private static int RunOptions(string name)
    {
        AttributionMethodInfo info;
        try { info = KnownAttributionMethods.Find(name); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        var list = info.Options.List();
        Console.WriteLine($"{info.Name} ({info.DisplayName}): {info.Summary}");
        if (list.Count == 0)
        {
            Console.WriteLine("  no settable options");
            return 0;
        }
        static string Names(MethodOption o) => o.Aliases.Count == 0 ? o.Name : $"{o.Name} ({string.Join(", ", o.Aliases)})";
        int width = list.Max(o => Names(o).Length);
        foreach (var o in list) Console.WriteLine($"  {Names(o).PadRight(width)}  default {o.Default,-24} {o.Type}");
        Console.WriteLine();
        Console.WriteLine($"e.g. lumen explain --methods {info.Name} --set {info.Name}.{list[0].Name}={list[0].Default}");
        return 0;
    }
}
