using System.Reflection;

namespace Lumen.Architecture.Tests;

/// <summary>Enforces the layering rule of docs/ARCHITECTURE.md (B2): which Lumen assemblies and which external
/// packages each assembly may reference.</summary>
public class LayeringTests
{
    /// <summary>Allowed Lumen references per assembly (an arrow "may reference").</summary>
    private static readonly Dictionary<string, string[]> AllowedLumen = new()
    {
        ["Lumen.Tensors"] = [],
        ["Lumen.NN"] = ["Lumen.Tensors"],
        ["Lumen.Onnx"] = ["Lumen.Tensors", "Lumen.NN"],
        ["Lumen.Imaging"] = ["Lumen.Tensors"],
        ["Lumen.Attribution"] = ["Lumen.Tensors", "Lumen.NN"],
        ["Lumen.Metrics"] = ["Lumen.Tensors", "Lumen.NN", "Lumen.Attribution"],
        ["Lumen.Analysis"] = ["Lumen.Tensors", "Lumen.NN"],
        ["Lumen.Zoo"] = ["Lumen.Tensors", "Lumen.NN", "Lumen.Onnx", "Lumen.Imaging"],
        ["Lumen.Mechanistic"] = ["Lumen.Tensors", "Lumen.NN"],
        ["Lumen.Reports"] = ["Lumen.Tensors", "Lumen.NN", "Lumen.Attribution", "Lumen.Metrics", "Lumen.Analysis", "Lumen.Mechanistic", "Lumen.Imaging"],
    };

    /// <summary>External (non-BCL) packages each assembly may use.</summary>
    private static readonly Dictionary<string, string[]> AllowedExternal = new()
    {
        ["Lumen.Tensors"] = ["System.Numerics.Tensors"],
        ["Lumen.Onnx"] = ["Google.Protobuf"],
    };

    public static IEnumerable<object[]> LumenAssemblies() =>
        Directory.GetFiles(AppContext.BaseDirectory, "Lumen.*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => n is not null && AllowedLumen.ContainsKey(n))
            .Select(n => new object[] { n! });

    [Theory]
    [MemberData(nameof(LumenAssemblies))]
    public void Each_assembly_references_only_what_the_layering_allows(string name)
    {
        var assembly = Assembly.Load(name);
        foreach (var reference in assembly.GetReferencedAssemblies().Select(r => r.Name!))
        {
            if (reference.StartsWith("Lumen.", StringComparison.Ordinal))
                Assert.True(AllowedLumen[name].Contains(reference), $"{name} must not reference {reference} (ARCHITECTURE B2).");
            else if (ExternalPackages.Contains(reference))
                Assert.True(AllowedExternal.GetValueOrDefault(name, []).Contains(reference), $"{name} must not depend on the external package {reference}.");
        }
    }

    [Fact]
    public void The_layered_assemblies_are_all_found()
    {
        Assert.Contains(LumenAssemblies(), a => (string)a[0] == "Lumen.Tensors");
        Assert.Contains(LumenAssemblies(), a => (string)a[0] == "Lumen.Attribution");
        Assert.Contains(LumenAssemblies(), a => (string)a[0] == "Lumen.Analysis");
    }

    /// <summary>Assemblies that come from NuGet packages rather than the shared framework.</summary>
    private static readonly string[] ExternalPackages = ["System.Numerics.Tensors", "Google.Protobuf", "System.CommandLine", "Spectre.Console"];
}
