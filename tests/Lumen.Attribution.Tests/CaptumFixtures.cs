using System.Collections.Concurrent;
using System.Text.Json;
using Lumen.Tensors.IO;
using Lumen.Tensors;
using Lumen.Zoo;

namespace Lumen.Attribution.Tests;

/// <summary>
/// The Captum 0.8.0 goldens in shared/fixtures/&lt;model&gt;.&lt;image&gt;/ (see its README.md): the exact input, the
/// target class, and one input-shaped attribution per method; VALID.json lists the files that are true references.
/// Models come from the repository's zoo (<c>models/</c>, the same files as shared/models/imagenet by sha256).
/// </summary>
internal static class CaptumFixtures
{
    /// <summary>Every fixture pair: folder name and the zoo model it was made with.</summary>
    public static readonly (string Pair, string Model)[] Pairs =
    [
        ("mobilenetv2-1.0-224.coffee", "mobilenetv2"),
        ("squeezenet1.0-fp32.coffee", "squeezenet"),
        ("tiny-darknet.chelsea", "tiny-darknet"),
    ];

    private static readonly ModelZoo Zoo = new(SharedData.InRepository("models"));
    private static readonly ConcurrentDictionary<string, ZooModel> Models = new();

    /// <summary>The zoo model, loaded once per test run.</summary>
    public static ZooModel Model(string name) => Models.GetOrAdd(name, Zoo.Load);

    /// <summary>A new instance of the zoo model, for tests that attach hooks or record forward passes while other
    /// test classes run the shared instance in parallel.</summary>
    public static ZooModel FreshModel(string name) => Zoo.Load(name);

    /// <summary>Full path of a file of a fixture pair.</summary>
    public static string File(string pair, string file) => SharedData.Path($"fixtures/{pair}/{file}");

    /// <summary>Reads <c>&lt;name&gt;.npy</c> of a fixture pair.</summary>
    public static Tensor Npy(string pair, string name) => Lumen.Tensors.IO.Npy.Read(File(pair, name + ".npy"));

    /// <summary>The target class Captum explained (the model's top-1 class).</summary>
    public static int TargetClass(string pair) => Results(pair).GetProperty("target").GetInt32();

    /// <summary>The parameters Captum used for <paramref name="method"/> (results.json: methods.&lt;method&gt;.params).</summary>
    public static JsonElement Params(string pair, string method) =>
        Results(pair).GetProperty("methods").GetProperty(method).GetProperty("params").Clone();

    /// <summary>The files VALID.json lists as true references for <paramref name="pair"/>.</summary>
    public static IReadOnlyList<string> ValidFiles(string pair)
    {
        using var valid = JsonDocument.Parse(System.IO.File.ReadAllText(SharedData.Path("fixtures/VALID.json")));
        return [.. valid.RootElement.GetProperty(pair).EnumerateArray().Select(e => e.GetString()!)];
    }

    private static JsonElement Results(string pair)
    {
        using var results = JsonDocument.Parse(System.IO.File.ReadAllText(File(pair, "results.json")));
        return results.RootElement.Clone();
    }

    /// <summary>‖a − b‖₂ / ‖b‖₂, accumulated in double.</summary>
    public static double RelativeL2(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double difference = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = (double)actual[i] - expected[i];
            difference += d * d;
            norm += (double)expected[i] * expected[i];
        }
        return Math.Sqrt(difference / norm);
    }
}
