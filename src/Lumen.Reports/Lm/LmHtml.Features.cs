using Lumen.Imaging;
using Lumen.Mechanistic;
using Lumen.Mechanistic.Sae;
using Lumen.Reports.Html;

namespace Lumen.Reports.Lm;

public static partial class LmHtml
{
    /// <summary>Steering: the same prompt continued with the steering vector added at several coefficients.</summary>
    public static HtmlDocument Steering(string model, string positive, string negative, int layer, double norm, IReadOnlyList<(float Coefficient, string Text)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var page = new HtmlDocument("Lumen lm steer", $"{model} · layer {layer} · {Now()}");
        page.Paragraph($"Steering vector: mean residual stream entering block {layer} on “{positive}” minus on “{negative}” (norm {F(norm)}), added at every position with the coefficient shown (activation addition).", "note");
        page.Table(["coefficient", "continuation"], runs.Select(r => (IReadOnlyList<string>)[F(r.Coefficient, "0.##"), r.Text]));
        return page;
    }

    /// <summary>A sparse autoencoder: training curve, evaluation metrics and the top-activating contexts of some features.</summary>
    public static HtmlDocument Sae(string model, string hook, SaeOptions options, SaeTraining training, SaeMetrics metrics, int trainTokens,
        IReadOnlyList<(int Feature, double Rate, IReadOnlyList<(IReadOnlyList<string> Pieces, int Focus, float Activation)> Contexts)> features)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(features);
        var page = new HtmlDocument("Lumen lm sae", $"{model} · {hook} · {Now()}");
        string sparsity = options.Activation == SaeActivation.TopK ? $"top-{options.K}" : $"ReLU + L1 (λ = {F(options.L1Coefficient)})";
        page.Paragraph($"{options.Features} features, {sparsity}, {training.Losses.Count} steps of {options.BatchSize} on {trainTokens} tokens, {F(training.Seconds, "0.0")} s ({F(training.StepsPerSecond, "0")} steps/s).", "note");
        page.Table(["metric", "value"],
        [
            ["explained variance", F(metrics.ExplainedVariance, "0.0000")],
            ["L0 (active features per token)", F(metrics.L0, "0.00")],
            ["dead features", F(metrics.DeadFraction * 100, "0.0") + " %"],
            ["cross-entropy, clean", F(metrics.CleanLoss, "0.0000")],
            ["cross-entropy, SAE spliced in", F(metrics.SplicedLoss, "0.0000")],
            ["cross-entropy increase", F(metrics.LossIncrease, "0.0000")],
            ["cross-entropy, activation zeroed", F(metrics.ZeroAblationLoss, "0.0000")],
            ["loss recovered", F(metrics.LossRecovered * 100, "0.0") + " %"],
        ]);
        page.Heading("Training loss");
        page.Svg(new SvgLineChart("step", "loss", 720, 240).Add("loss", [.. Enumerable.Range(1, training.Losses.Count).Select(i => (double)i)], training.Losses).Render());
        page.Heading("Top-activating contexts");
        foreach (var (feature, rate, contexts) in features)
        {
            page.Heading($"feature {feature} · fires on {F(rate * 100, "0.0")} % of tokens", 3);
            foreach (var (pieces, focus, activation) in contexts)
                page.Svg(TokenHeatmapSvg.Render(pieces, [.. pieces.Select((_, i) => i == focus ? (double)activation : 0.0)], Colormap.Viridis, 900));
        }
        page.Paragraph("Each row is a window of text ending one token after the activating token, which is highlighted.", "note");
        return page;
    }

    /// <summary>Token attribution: one token heatmap per method (red raises the target logit, blue lowers it).</summary>
    public static HtmlDocument Attribution(string model, IReadOnlyList<string> pieces, string target, IReadOnlyList<TokenAttributionResult> results)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        ArgumentNullException.ThrowIfNull(results);
        var page = new HtmlDocument("Lumen lm attribute", $"{model} · target “{target}” · {Now()}");
        page.Paragraph($"Which input tokens raise the logit of “{target}” as the next token after the prompt. Red raises it, blue lowers it.", "note");
        foreach (var r in results)
        {
            page.Heading(r.Method);
            page.Svg(TokenHeatmapSvg.Render(pieces, [.. r.Scores.Select(s => (double)s)], Colormap.RedBlue));
            if (r.Delta is double delta) page.Paragraph($"Completeness error Σ attributions − (f(x) − f(baseline)) = {F(delta, "0.0000")}.", "note");
            page.Table(["position", "token", "score"], pieces.Select((p, i) => (IReadOnlyList<string>)[i.ToString(System.Globalization.CultureInfo.InvariantCulture), Visible(p), F(r.Scores[i], "0.0000")]));
        }
        return page;
    }
}
