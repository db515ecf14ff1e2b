namespace Lumen.Onnx.Tests;

/// <summary>Locates the shared data folder: <c>../shared</c> beside the repository root (the folder holding
/// Lumen.sln), or the folder named by the <c>LUMEN_SHARED</c> environment variable (for git worktrees that do not
/// sit beside it).</summary>
internal static class SharedData
{
    /// <summary>The repository root, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The shared folder, or null when absent.</summary>
    public static string? Root { get; } = FindShared();

    /// <summary>Path of <paramref name="relative"/> under the shared folder, or null (with a skip reason) when absent.</summary>
    public static string? Find(string relative, out string reason)
    {
        var path = Root is null ? null : Path.GetFullPath(Path.Combine(Root, relative));
        bool exists = path is not null && (File.Exists(path) || Directory.Exists(path));
        reason = exists ? "" : $"skipped: {relative} is absent (the shared data folder sits beside the repository as ../shared, or set LUMEN_SHARED).";
        return exists ? path : null;
    }

    private static string? FindShared()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("LUMEN_SHARED");
        if (!string.IsNullOrEmpty(fromEnvironment) && Directory.Exists(fromEnvironment)) return fromEnvironment;
        var beside = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
        return Directory.Exists(beside) ? beside : null;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Lumen.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Lumen.sln above {AppContext.BaseDirectory}.");
    }
}
