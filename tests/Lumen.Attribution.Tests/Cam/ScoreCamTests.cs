using Lumen.Attribution.Cam;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests.Cam;

public class ScoreCamTests
{
    // x = [[1, 2], [3, 5]]; the layer's channels are A₀ = x, A₁ = −x and A₂ = 0; the score is ΣA₀ = Σx.
    private static readonly Tensor X = Tensor.FromArray([1f, 2f, 3f, 5f], 1, 1, 2, 2);

    [Fact]
    public void Weights_are_the_softmax_of_the_masked_scores()
    {
        // H₀ = (x − 1)/4 = [0, ¼, ½, 1] → f(x ⊙ H₀) = 0 + ½ + 3/2 + 5 = 7; H₁ = (5 − x)/4 = [1, ¾, ½, 0] → f = 1 + 3/2 + 3/2 = 4;
        // A₂ is constant, so H₂ = 0 and f = f(0) = 0. α = softmax(7, 4, 0); map = α₀x − α₁x.
        double z = Math.Exp(7) + Math.Exp(4) + 1, scale = (Math.Exp(7) - Math.Exp(4)) / z;
        var map = new ScoreCam(new ChannelModel()).Explain(X, Target.Class(0)).Map;
        Assert.Equal(new Shape(1, 1, 2, 2), map.Shape);
        GradAssert.Close([.. X.ToArray().Select(v => (float)(scale * v))], map.ToArray(), 1e-5f);
    }

    [Fact]
    public void The_baseline_is_what_the_masks_fade_to()
    {
        // With x′ = 1: x̃ = 1 + H·(x − 1); f(x̃₀) = 4 + (0 + ¼ + 1 + 4) = 9.25, f(x̃₁) = 4 + (0 + ¾ + 1 + 0) = 5.75, f(x̃₂) = f(x′) = 4.
        double z = Math.Exp(9.25) + Math.Exp(5.75) + Math.Exp(4), scale = (Math.Exp(9.25) - Math.Exp(5.75)) / z;
        var options = new ScoreCamOptions { Baseline = Common.Baseline.Constant(1f) };
        var map = new ScoreCam(new ChannelModel(), options).Explain(X, Target.Class(0)).Map;
        GradAssert.Close([.. X.ToArray().Select(v => (float)(scale * v))], map.ToArray(), 1e-5f);
    }

    [Fact]
    public void Batched_equals_unbatched_and_reports_progress()
    {
        var model = new ChannelModel();
        var batch = Tensor.Concat([X, X * -0.5f + 4f, X * 2f]);
        var whole = new ScoreCam(model).Explain(batch, Target.Class(0)).Map.ToArray();
        var reports = new List<double>();
        var single = new ScoreCam(model, new() { BatchSize = 1 }).Explain(batch, Target.Class(0), progress: new Progress(reports)).Map.ToArray();
        Assert.Equal(whole, single);
        Assert.True(reports.Count > 1, $"{reports.Count} progress reports");
        Assert.Equal(1.0, reports[^1], 9);
        // each sample on its own gives its row of the batch
        var second = new ScoreCam(model).Explain(batch.Slice(0, 1, 2), Target.Class(0)).Map.ToArray();
        Assert.Equal(whole[4..8], second);
    }

    [Fact]
    public void Upsamples_the_masks_and_the_map_from_a_coarse_layer()
    {
        // conv1 of Captum's OneConvModel: A [1, 2, 2, 2] for a 4 × 4 input; the map comes back at 4 × 4, non-negative.
        var map = new ScoreCam(new OneConvModel(), new() { Cam = new() { Layer = "conv1" } }).Explain(Tensor.Arange(16).Reshape(1, 1, 4, 4), Target.Class(0)).Map;
        Assert.Equal(new Shape(1, 1, 4, 4), map.Shape);
        Assert.All(map.ToArray(), v => Assert.True(v >= 0 && float.IsFinite(v)));
    }

    [Fact]
    public void Cancellation_stops_it_and_bad_layers_are_named()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new ScoreCam(new ChannelModel()).Explain(X, Target.Class(0), cancelled.Token));
        var error = Assert.ThrowsAny<Exception>(() => new ScoreCam(new ChannelModel(), new() { Cam = new() { Layer = "nope" } }));
        Assert.Contains("nope", error.Message);
    }

    private sealed class Progress(List<double> reports) : IProgress<double>
    {
        public void Report(double value) => reports.Add(value);
    }

    /// <summary>conv (1×1, 1 → 3 channels, weights 1, −1, 0, no bias) → flatten → fc summing channel 0.</summary>
    private sealed class ChannelModel : Module
    {
        private readonly Conv2d conv;
        private readonly Linear fc;

        public ChannelModel()
        {
            conv = Register("conv", new Conv2d(1, 3, 1, bias: false));
            conv.Weight.CopyFrom(Tensor.FromArray([1f, -1f, 0f], 3, 1, 1, 1));
            fc = Register("fc", new Linear(12, 1));
            fc.Weight.CopyFrom(Tensor.FromArray([1f, 1f, 1f, 1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f], 1, 12));
            fc.Bias!.CopyFrom(Tensor.Zeros(1));
        }

        protected override Tensor Forward(Tensor x) => fc.Call(conv.Call(x).Reshape(x.Shape[0], 12)); // [B, 1]
    }
}
