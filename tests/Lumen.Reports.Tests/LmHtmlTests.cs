using Lumen.Mechanistic;
using Lumen.Reports.Lm;
using Lumen.Tensors;

namespace Lumen.Reports.Tests;

public class LmHtmlTests
{
    [Fact]
    public void Lens_page_shows_the_grid_and_the_top_predictions_escaped()
    {
        // 2 layers × 2 positions × vocabulary 3; position 1 predicts token 2 at the last layer
        var logp = Tensor.FromArray([.. new[] { 0.2f, 0.3f, 0.5f, 0.6f, 0.3f, 0.1f, 0.1f, 0.1f, 0.8f, 0.1f, 0.1f, 0.8f }.Select(v => MathF.Log(v))], 2, 2, 3);
        var lens = new LogitLensResult(["embed", "block 0"], [0, 2], logp);
        var page = LmHtml.Lens("toy", lens, ["<a>", " b"], id => id == 2 ? "<two>" : $"t{id}").ToString();
        Assert.Contains("<svg", page, StringComparison.Ordinal);
        Assert.Contains("&lt;two&gt; (0.800)", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<two>", page, StringComparison.Ordinal);
        Assert.Equal(0.8, lens.NextTokenProbabilities()[2], 5); // block 0, position 0 → token 2
    }

    [Fact]
    public void Patching_page_puts_the_estimate_and_its_correlation_beside_the_truth()
    {
        var truth = new PatchingGrid("resid", ["layer 0"], ["0", "1"], [0.1f, 0.9f], 2.0, -1.0);
        var estimate = truth with { Values = [0.2f, 0.8f] };
        var page = LmHtml.Patching("toy", "clean <p>", "corrupted", "logit diff", ["a", "b"], [(truth, estimate)], null, null).ToString();
        Assert.Contains("Pearson r between the estimate and true patching: 1", page, StringComparison.Ordinal);
        Assert.Contains("clean &lt;p&gt;", page, StringComparison.Ordinal);
        Assert.Equal(2, page.Split("<svg", StringSplitOptions.None).Length - 1);
    }
}
