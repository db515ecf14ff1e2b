namespace Lumen.NN.Tests;

/// <summary>Locates the repository root (the folder holding Lumen.sln) and the shared data beside it.</summary>
internal static class SharedData
{
    /// <summary>The repository root, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Path of <paramref name="relative"/> under <c>../shared</c>, or null (with a reason) when absent.</summary>
    public static string? Find(string relative, out string reason)
    {
        var path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", relative));
        reason = File.Exists(path) ? "" : $"skipped: {path} is absent (the shared data folder sits beside the repository).";
        return File.Exists(path) ? path : null;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Lumen.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Lumen.sln above {AppContext.BaseDirectory}.");
    }
}
