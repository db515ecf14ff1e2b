using Lumen.NN.Tests.Models;
using Lumen.Tensors;

namespace Lumen.Mechanistic.Tests;

public class TokenSequenceTests
{
    [Fact]
    public void Log_probabilities_are_the_log_softmax_at_each_next_token()
    {
        var logits = Tensor.FromArray([0f, 0f, 0f, 1f, 2f, 3f, 5f, 5f, 5f], 1, 3, 3);
        var logp = TokenSequence.NextTokenLogProbabilities(logits, [0, 2, 1]);
        Assert.Equal(2, logp.Length);
        Assert.Equal(-Math.Log(3), logp[0], 5);                                      // uniform row, token 2
        Assert.Equal(2 - Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)), logp[1], 5); // row [1,2,3], token 1 (logit 2)
        Assert.Throws<ArgumentException>(() => TokenSequence.NextTokenLogProbabilities(logits, [0, 1]));
        Assert.Throws<ArgumentException>(() => TokenSequence.ToTensor([]));
    }

    [Fact]
    public void Model_overload_runs_the_model_once_without_gradients()
    {
        var model = ToyLlama.Random(ToyLlama.Config, seed: 4);
        int[] tokens = [1, 5, 3, 3];
        var direct = TokenSequence.NextTokenLogProbabilities(model.Call(TokenSequence.ToTensor(tokens)), tokens);
        Assert.Equal(direct, TokenSequence.NextTokenLogProbabilities(model, tokens));
        Assert.All(direct, l => Assert.True(l < 0));
    }
}
