namespace Lumen.TestSupport;

/// <summary>
/// Finds the shared data folder (<c>../shared</c> beside the repository, or <c>LUMEN_SHARED</c>) that holds the
/// test-only models, images, conformance cases and goldens. Tests that need it use <see cref="SharedFactAttribute"/>
/// or <see cref="SharedTheoryAttribute"/>, so they are reported as skipped, with the reason, when it is absent.
/// </summary>
public static class SharedData
{
    /// <summary>The repository root, found by walking up from the test binaries to <c>Lumen.sln</c>.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The shared folder, or null when absent.</summary>
    public static string? Root { get; } = FindShared();

    /// <summary>Full path of <paramref name="relative"/> under the shared folder; throws when it is absent (a test
    /// that calls this is marked <see cref="SharedFactAttribute"/>, so it never runs without the folder).</summary>
    public static string Path(string relative) =>
        Find(relative, out var reason) ?? throw new InvalidOperationException(reason);

    /// <summary>Full path of <paramref name="relative"/> under the shared folder, or null with a skip reason.</summary>
    public static string? Find(string relative, out string reason)
    {
        var path = Root is null ? null : System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, relative));
        bool exists = path is not null && (File.Exists(path) || Directory.Exists(path));
        reason = exists ? "" : $"{relative} is absent from the shared data folder (../shared beside the repository, or set LUMEN_SHARED).";
        return exists ? path : null;
    }

    /// <summary>Why a test needing <paramref name="relatives"/> must be skipped, or null when all are present.</summary>
    public static string? SkipReason(IEnumerable<string> relatives)
    {
        foreach (var relative in relatives)
            if (Find(relative, out var reason) is null) return "skipped: " + reason;
        return null;
    }

    /// <summary>Full path of <paramref name="relative"/> inside the repository.</summary>
    public static string InRepository(string relative) => System.IO.Path.GetFullPath(System.IO.Path.Combine(RepositoryRoot, relative));

    private static string? FindShared()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("LUMEN_SHARED");
        if (!string.IsNullOrEmpty(fromEnvironment) && Directory.Exists(fromEnvironment)) return fromEnvironment;
        var beside = System.IO.Path.GetFullPath(System.IO.Path.Combine(RepositoryRoot, "..", "shared"));
        return Directory.Exists(beside) ? beside : null;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Lumen.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Lumen.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A fact that needs files from the shared data folder; skipped, naming what is missing, without them.</summary>
/// <param name="relatives">Paths relative to the shared folder, e.g. <c>models/imagenet</c>.</param>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SharedFactAttribute(params string[] relatives) : FactAttribute
{
    /// <summary>Whether the test checks a kernel that only AVX-512 machines run (skipped elsewhere, saying so).</summary>
    public bool NeedsAvx512 { get; set; }

    /// <inheritdoc/>
    public override string? Skip
    {
        get => base.Skip ?? SharedData.SkipReason(relatives) ?? (NeedsAvx512 ? Avx512FactAttribute.SkipReason : null);
        set => base.Skip = value;
    }
}

/// <summary>A theory that needs files from the shared data folder; skipped, naming what is missing, without them.</summary>
/// <param name="relatives">Paths relative to the shared folder.</param>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SharedTheoryAttribute(params string[] relatives) : TheoryAttribute
{
    /// <inheritdoc/>
    public override string? Skip { get => base.Skip ?? SharedData.SkipReason(relatives); set => base.Skip = value; }
}
