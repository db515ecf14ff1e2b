namespace Lumen.Zoo;

/// <summary>Finds the optional <c>shared/</c> folder of models and data that sits beside a checkout (the CLI's
/// bundled-model fallbacks and the benchmarks read from it; nothing requires it).</summary>
public static class SharedFolder
{
    /// <summary>The first <c>shared/&lt;relative&gt;</c> (file or folder) found walking up from the current folder and
    /// from the program's folder — so <c>../shared/&lt;relative&gt;</c> of a checkout is found from inside it; null
    /// when there is none.</summary>
    public static string? Find(string relative)
    {
        ArgumentNullException.ThrowIfNull(relative);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", relative);
                if (File.Exists(candidate) || Directory.Exists(candidate)) return candidate;
            }
        return null;
    }
}
