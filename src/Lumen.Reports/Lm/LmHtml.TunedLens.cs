using Lumen.Imaging;
using Lumen.Mechanistic;
using Lumen.Reports.Html;

namespace Lumen.Reports.Lm;

public static partial class LmHtml
{
    /// <summary>The tuned-lens part of the lens page: held-out KL and cross-entropy per layer (chart and table), the
    /// next-token probabilities through the tuned lens, and its top predictions beside the logit lens's.</summary>
    private static void AppendTunedLens(HtmlDocument page, LogitLensResult lens, TunedLensSection tuned, IReadOnlyList<string> pieces, Func<int, string> decode)
    {
        var evaluation = tuned.Evaluation;
        var result = tuned.Result;
        if (result.Layers.Count != lens.Layers.Count || evaluation.Layers.Count != lens.Layers.Count)
            throw new ArgumentException($"LmHtml.Lens: the tuned lens has {result.Layers.Count} layers and its evaluation {evaluation.Layers.Count}, the logit lens {lens.Layers.Count}.", nameof(tuned));
        page.Heading("Tuned lens");
        page.Paragraph($"Each layer's residual stream h passes through a learned affine translator h + A·h + b (trained in Lumen to minimise KL(p_final ‖ p_layer), model frozen) before the final RMSNorm and unembedding; the last block needs none (Belrose et al. 2023, arXiv:2303.08112). {tuned.Description}", "note");
        var x = Enumerable.Range(0, evaluation.Layers.Count).Select(l => (double)l).ToList();
        page.Heading($"KL divergence to the final distribution, held out ({evaluation.Positions} positions)", 3);
        page.Svg(new SvgLineChart("layer (0 = embed, ℓ = after block ℓ−1)", "mean KL (nats)", 720, 260)
            .Add("logit lens", x, evaluation.LogitLensKl).Add("tuned lens", x, evaluation.TunedLensKl).Render());
        page.Table(["layer", "KL logit lens", "KL tuned lens", "CE logit lens", "CE tuned lens"], evaluation.Layers.Select((name, l) => (IReadOnlyList<string>)
            [name, F(evaluation.LogitLensKl[l], "0.0000"), F(evaluation.TunedLensKl[l], "0.0000"), F(evaluation.LogitLensCrossEntropy[l], "0.0000"), F(evaluation.TunedLensCrossEntropy[l], "0.0000")]));
        page.Paragraph("KL: mean over held-out positions of KL(p_final ‖ p_layer) in nats. CE: next-token cross-entropy in nats. Both lenses equal the model at the last layer.", "note");
        if (tuned.Losses is { Count: > 0 } losses)
        {
            page.Heading("Training loss (mean KL over the translated layers)", 3);
            page.Svg(new SvgLineChart("step", "KL (nats)", 720, 220).Add("loss", [.. Enumerable.Range(1, losses.Count).Select(i => (double)i)], losses).Render());
        }
        page.Heading("Probability of the actual next token through the tuned lens", 3);
        page.Svg(MatrixHeatmapSvg.Render(result.NextTokenProbabilities(), result.Layers.Count, pieces.Count, result.Layers, [.. pieces.Select(Visible)], Colormap.Viridis, 0, 1, annotate: pieces.Count <= 24));
        int last = pieces.Count - 1;
        page.Heading($"Top predictions after “{Visible(pieces[last])}”: logit lens beside tuned lens", 3);
        string Top(LogitLensResult r, int layer) => string.Join(", ", r.Top(layer, last, 3).Select(t => $"{Visible(decode(t.Token))} ({F(t.Probability, "0.000")})"));
        page.Table(["layer", "logit lens", "tuned lens"], lens.Layers.Select((name, l) => (IReadOnlyList<string>)[name, Top(lens, l), Top(result, l)]));
    }
}
