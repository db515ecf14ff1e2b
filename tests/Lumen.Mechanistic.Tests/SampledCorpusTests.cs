using Lumen.NN.Models.Llama;
using Lumen.NN.Tests.Models;

namespace Lumen.Mechanistic.Tests;

/// <summary>Corpora sampled from the model: prompts, lengths, greedy copies and seeds.</summary>
public class SampledCorpusTests
{
    [Fact]
    public void Each_sequence_continues_its_prompt_by_the_requested_number_of_tokens()
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed: 26);
        IReadOnlyList<IReadOnlyList<int>> prompts = [[1], [1, 5, 7]];
        var greedy = SampledCorpus.Generate(model, count: 5, length: 6, seed: 0, temperature: 0f, prompts: prompts);
        Assert.Equal(5, greedy.Count);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(prompts[i % 2], greedy[i].Take(prompts[i % 2].Count));
            Assert.Equal(prompts[i % 2].Count + 6, greedy[i].Count);
        }
        Assert.Equal(greedy[0], greedy[2]);                     // greedy copies of one prompt are identical
        Assert.Equal(greedy[1], greedy[3]);
        var sampled = SampledCorpus.Generate(model, count: 4, length: 6, seed: 3);
        Assert.All(sampled, s => Assert.Equal(LlamaTokenizer.Bos, s[0]));
        Assert.Equal(sampled, SampledCorpus.Generate(model, count: 4, length: 6, seed: 3));
        Assert.NotEqual(sampled, SampledCorpus.Generate(model, count: 4, length: 6, seed: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => SampledCorpus.Generate(model, 0, 6, 0));
        Assert.Throws<ArgumentException>(() => SampledCorpus.Generate(model, 2, 6, 0, prompts: [[]]));
    }
}
