namespace Lumen.Benchmarks;

/// <summary>Parses <c>--name v1,v2,…</c> list options shared by the benchmark commands.</summary>
internal static class BenchmarkArguments
{
    /// <summary>The comma-separated integers after <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    public static int[] IntList(string[] args, string name, int[] fallback)
    {
        int at = Array.IndexOf(args, name);
        if (at < 0) return fallback;
        if (at + 1 >= args.Length) throw new ArgumentException($"{name} needs a comma-separated list of integers.");
        return args[at + 1].Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>The comma-separated words after <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    public static string[] StringList(string[] args, string name, string[] fallback)
    {
        int at = Array.IndexOf(args, name);
        if (at < 0) return fallback;
        if (at + 1 >= args.Length) throw new ArgumentException($"{name} needs a comma-separated list.");
        return args[at + 1].Split(',', StringSplitOptions.RemoveEmptyEntries);
    }
}
