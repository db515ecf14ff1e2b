using System.Text.Json;
using Lumen.NN.Models.Llama;

namespace Lumen.NN.Tests.Models;

/// <summary>Paths and cached loads of the shared stories260K model.</summary>
internal static class Stories260K
{
    public const string Folder = "models/lm/stories260K";

    public static string File(string name) => SharedData.Path($"{Folder}/{name}");

    private static readonly Lazy<LlamaTokenizer> tokenizer = new(() => LlamaTokenizer.Load(File("tok512.bin")));

    /// <summary>A fresh load of the llama2.c checkpoint: test classes run in parallel, and hooks (RunWithCache
    /// included) on a shared instance would fire for each other's runs.</summary>
    public static Llama Model => LlamaCheckpoint.LoadLlama2c(File("stories260K.bin"));

    public static LlamaTokenizer Tokenizer => tokenizer.Value;

    public static int[] ExpectedGreedyIds()
    {
        using var json = JsonDocument.Parse(System.IO.File.ReadAllText(File("expected_greedy_200steps.ids.json")));
        return json.RootElement.GetProperty("token_ids_including_bos").EnumerateArray().Select(e => e.GetInt32()).ToArray();
    }
}
