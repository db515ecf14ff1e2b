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
    public void Lens_page_puts_the_tuned_lens_beside_the_logit_lens_with_the_kl_chart_and_table()
    {
        var logit = Tensor.FromArray([.. new[] { 0.2f, 0.3f, 0.5f, 0.6f, 0.3f, 0.1f, 0.1f, 0.1f, 0.8f, 0.1f, 0.1f, 0.8f }.Select(v => MathF.Log(v))], 2, 2, 3);
        var tunedLogp = Tensor.FromArray([.. new[] { 0.2f, 0.3f, 0.5f, 0.1f, 0.2f, 0.7f, 0.1f, 0.1f, 0.8f, 0.1f, 0.1f, 0.8f }.Select(v => MathF.Log(v))], 2, 2, 3);
        var lens = new LogitLensResult(["embed", "block 0"], [0, 2], logit);
        var tuned = new LogitLensResult(["embed", "block 0"], [0, 2], tunedLogp);
        var evaluation = new LensEvaluation(["embed", "block 0"], [1.25, 0], [0.5, 0], [2.5, 1.5], [1.75, 1.5], 12);
        var section = new TunedLensSection(tuned, evaluation, "Trained <here>.", [3.0, 2.0, 1.0]);
        var page = LmHtml.Lens("toy", lens, ["a", " b"], id => $"t{id}", section).ToString();
        Assert.Equal(1 + 3, page.Split("<svg", StringSplitOptions.None).Length - 1); // logit grid; KL chart, loss curve, tuned grid
        Assert.Contains("Trained &lt;here&gt;.", page, StringComparison.Ordinal);
        Assert.Contains("<td>embed</td><td class=\"num\">1.2500</td><td class=\"num\">0.5000</td><td class=\"num\">2.5000</td><td class=\"num\">1.7500</td>", page, StringComparison.Ordinal);
        Assert.Contains("<td>embed</td><td>t0 (0.600), t1 (0.300), t2 (0.100)</td><td>t2 (0.700), t1 (0.200), t0 (0.100)</td>", page, StringComparison.Ordinal);
        var mismatched = section with { Evaluation = evaluation with { Layers = ["embed"] } };
        Assert.Throws<ArgumentException>(() => LmHtml.Lens("toy", lens, ["a", " b"], id => $"t{id}", mismatched));
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
