using Lumen.NN.Models.Llama;
using Lumen.Onnx;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.NN.Tests.Models;

/// <summary>The Llama model against the real stories260K checkpoint: llama2.c's greedy text, the ONNX export, the
/// safetensors copy, and the KV cache against full re-runs.</summary>
public class LlamaTests
{
    [SharedFact(Stories260K.Folder)]
    public void Greedy_generation_from_BOS_equals_the_expected_200_steps_exactly()
    {
        var expected = Stories260K.ExpectedGreedyIds();
        var generated = new LlamaGenerator(Stories260K.Model).Generate([LlamaTokenizer.Bos], new GenerationOptions { MaxNewTokens = 200 });
        Assert.Equal(expected.Skip(1), generated);
        var text = System.IO.File.ReadAllText(Stories260K.File("expected_greedy_200steps.txt"));
        Assert.Equal(text, Stories260K.Tokenizer.Decode([LlamaTokenizer.Bos, .. generated]));
    }

    [SharedFact(Stories260K.Folder)]
    public void Logits_equal_the_onnx_export_within_1e_4()
    {
        var onnx = OnnxModel.Load(Stories260K.File("stories260K.onnx"));
        var ids = Stories260K.ExpectedGreedyIds().Take(96).Select(i => (long)i).ToArray();
        var tokens = Tensor.FromArray(ids, 1, ids.Length);
        using var _ = GradMode.Off();
        var ours = Stories260K.Model.Call(tokens).AsReadOnlySpan().ToArray();
        var reference = onnx.Call(tokens).AsReadOnlySpan().ToArray();
        Assert.Equal(reference.Length, ours.Length);
        float worst = 0;
        for (int i = 0; i < ours.Length; i++) worst = Math.Max(worst, Math.Abs(ours[i] - reference[i]));
        Assert.True(worst <= 1e-4f, $"max |Δlogit| = {worst}");
    }

    [SharedFact(Stories260K.Folder)]
    public void Safetensors_copy_gives_the_same_logits_as_the_bin_checkpoint()
    {
        var fromSafetensors = LlamaCheckpoint.LoadSafetensors(Stories260K.File("stories260K.safetensors"));
        Assert.Equal(Stories260K.Model.Config, fromSafetensors.Config);
        var tokens = Tensor.FromArray([1L, 403, 407, 261, 378, 432], 1, 6);
        using var _ = GradMode.Off();
        Assert.Equal(Stories260K.Model.Call(tokens).ToArray(), fromSafetensors.Call(tokens).ToArray());
    }

    [SharedFact(Stories260K.Folder)]
    public void Tokenizer_round_trips_the_expected_text_and_encodes_it_as_the_model_generated_it()
    {
        var text = System.IO.File.ReadAllText(Stories260K.File("expected_greedy_200steps.txt"));
        var firstLine = text[..text.IndexOf('\n', StringComparison.Ordinal)];
        var ids = Stories260K.Tokenizer.Encode(firstLine, bos: true);
        Assert.Equal(firstLine, Stories260K.Tokenizer.Decode(ids));
        Assert.Equal(Stories260K.ExpectedGreedyIds().Take(ids.Count), ids);
        Assert.Equal(512, Stories260K.Tokenizer.VocabSize);
        Assert.Equal("é€", Stories260K.Tokenizer.Decode(Stories260K.Tokenizer.Encode("é€")).TrimStart()); // byte fallback
    }

    [SharedFact(Stories260K.Folder)]
    public void Kv_cache_generation_equals_full_rerun_generation_when_sampling()
    {
        var options = new GenerationOptions { MaxNewTokens = 40, Temperature = 0.9f, TopP = 0.95f, Seed = 11 };
        var prompt = Stories260K.Tokenizer.Encode("Once upon a time");
        var generator = new LlamaGenerator(Stories260K.Model);
        var cached = generator.Generate(prompt, options);
        var rerun = generator.Generate(prompt, options with { UseKvCache = false });
        Assert.Equal(rerun, cached);
        Assert.Equal(40, cached.Count);
        Assert.NotEqual(generator.Generate(prompt, options with { Seed = 12 }), cached);
    }
}
