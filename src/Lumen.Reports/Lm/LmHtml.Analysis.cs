using Lumen.Imaging;
using Lumen.Mechanistic;
using Lumen.Reports.Html;

namespace Lumen.Reports.Lm;

public static partial class LmHtml
{
    /// <summary>The logit lens: per layer and position the probability of the actual next token, and per layer the
    /// top predictions at the last position.</summary>
    /// <param name="model">Model name.</param>
    /// <param name="lens">The lens result.</param>
    /// <param name="pieces">Decoded input tokens.</param>
    /// <param name="decode">Decodes a predicted token id for display.</param>
    /// <param name="tuned">A tuned lens on the same tokens, shown beside the logit lens with its per-layer comparison (null: logit lens only).</param>
    public static HtmlDocument Lens(string model, LogitLensResult lens, IReadOnlyList<string> pieces, Func<int, string> decode, TunedLensSection? tuned = null)
    {
        ArgumentNullException.ThrowIfNull(lens);
        ArgumentNullException.ThrowIfNull(pieces);
        ArgumentNullException.ThrowIfNull(decode);
        var page = new HtmlDocument("Lumen lm lens", $"{model} · {pieces.Count} tokens · {Now()}");
        page.Paragraph(string.Concat(pieces));
        page.Heading("Probability of the actual next token, by layer");
        page.Paragraph("Rows: the residual stream after the embedding and after each block, read through the final RMSNorm and the unembedding (logit lens). Columns: input positions; each cell is the probability given to the token that comes next in the prompt.", "note");
        page.Svg(MatrixHeatmapSvg.Render(lens.NextTokenProbabilities(), lens.Layers.Count, pieces.Count, lens.Layers, [.. pieces.Select(Visible)], Colormap.Viridis, 0, 1, annotate: pieces.Count <= 24));
        int last = pieces.Count - 1;
        page.Heading($"Top predictions after “{Visible(pieces[last])}”, by layer");
        page.Table(["layer", "1st", "2nd", "3rd", "4th", "5th"], lens.Layers.Select((name, l) =>
            (IReadOnlyList<string>)[name, .. lens.Top(l, last, 5).Select(t => $"{Visible(decode(t.Token))} ({F(t.Probability, "0.000")})")]));
        if (tuned is not null) AppendTunedLens(page, lens, tuned, pieces, decode);
        return page;
    }

    /// <summary>Head detectors: previous-token and duplicate-token scores on a text, the induction search on repeated
    /// random tokens with its loss by position, and the attention patterns of the best heads.</summary>
    public static HtmlDocument Heads(string model, HeadScores previous, HeadScores duplicate, InductionSearch induction,
        IReadOnlyList<string> pieces, IReadOnlyList<(string Head, float[] Pattern)> patterns)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(duplicate);
        ArgumentNullException.ThrowIfNull(induction);
        ArgumentNullException.ThrowIfNull(pieces);
        ArgumentNullException.ThrowIfNull(patterns);
        var page = new HtmlDocument("Lumen lm heads", $"{model} · {previous.Layers} layers × {previous.Heads} heads · {Now()}");
        foreach (var scores in new[] { previous, duplicate, induction.Induction })
        {
            page.Heading($"{scores.Kind} score");
            page.Svg(ScoreGrid(scores));
            page.Table(["rank", "head", "score"], scores.Best(5).Select((b, i) => (IReadOnlyList<string>)[(i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), ResidualDecomposition.HeadName(b.Layer, b.Head), F(b.Score, "0.000")]));
        }
        int length = (induction.Sequences[0].Count - 1) / 2;
        page.Heading("Induction search: loss on repeated random tokens");
        page.Paragraph($"{induction.Sequences.Count} sequences of BOS + {length} random tokens + the same {length} again. Mean next-token loss on the first copy {F(induction.LossFirstRepeat)} nats, on the second {F(induction.LossSecondRepeat)} nats: a drop of {F(induction.LossDrop)} nats. The induction score above is measured on the same sequences; the duplicate-token score on the text below.", "note");
        page.Svg(new SvgLineChart("predicted position", "loss (nats)", 720, 240)
            .Add("mean loss", [.. Enumerable.Range(1, induction.LossByPosition.Count).Select(i => (double)i)], induction.LossByPosition).Render());
        page.Heading("Attention patterns of the best heads on the text");
        page.Paragraph(string.Concat(pieces));
        foreach (var (head, pattern) in patterns)
        {
            page.Heading(head, 3);
            page.Svg(MatrixHeatmapSvg.Render(pattern, pieces.Count, pieces.Count, [.. pieces.Select(Visible)], [.. pieces.Select(Visible)], Colormap.Viridis, 0, 1));
        }
        page.Paragraph("Rows are queries (the attending position), columns keys; causal masking leaves the upper triangle empty.", "note");
        return page;
    }

    /// <summary>Activation patching grids (with attribution-patching estimates beside them), path patching and direct
    /// logit attribution per head.</summary>
    public static HtmlDocument Patching(string model, string clean, string corrupted, string metric, IReadOnlyList<string> pieces,
        IReadOnlyList<(PatchingGrid Truth, PatchingGrid? Estimate)> grids, PatchingGrid? path, HeadScores? directLogit,
        IReadOnlyList<(string Sender, string Receiver, double Score)>? edges = null, IReadOnlyList<(int Edges, double Faithfulness)>? faithfulness = null)
    {
        ArgumentNullException.ThrowIfNull(grids);
        ArgumentNullException.ThrowIfNull(pieces);
        var first = grids[0].Truth;
        var page = new HtmlDocument("Lumen lm patch", $"{model} · {Now()}");
        page.Table(["", "prompt", "metric"], [["clean", clean, F(first.Clean)], ["corrupted", corrupted, F(first.Corrupted)]]);
        page.Paragraph($"Metric: {metric}. Each cell: the corrupted prompt runs with one activation taken from the clean run; 0 = no effect, 1 = the clean metric fully restored. Red is positive, blue negative.", "note");
        foreach (var (truth, estimate) in grids)
        {
            page.Heading(truth.Title);
            var columns = truth.Columns.Count == pieces.Count ? [.. pieces.Select((p, i) => $"{i} {Visible(p)}")] : truth.Columns;
            page.Svg(MatrixHeatmapSvg.Render(truth.Values, truth.Rows.Count, truth.Columns.Count, truth.Rows, columns, Colormap.RedBlue, annotate: truth.Values.Length <= 400));
            if (estimate is null) continue;
            page.Heading("attribution patching estimate (one forward + one backward pass)", 3);
            page.Svg(MatrixHeatmapSvg.Render(estimate.Values, estimate.Rows.Count, estimate.Columns.Count, estimate.Rows, columns, Colormap.RedBlue, annotate: estimate.Values.Length <= 400));
            page.Paragraph($"Pearson r between the estimate and true patching: {F(AttributionPatching.Correlation(estimate, truth))}.", "note");
        }
        if (path is not null)
        {
            page.Heading(path.Title);
            page.Svg(MatrixHeatmapSvg.Render(path.Values, path.Rows.Count, path.Columns.Count, path.Rows, path.Columns, Colormap.RedBlue, annotate: true));
            page.Paragraph("Sender head → final residual stream, with every other head and MLP frozen at its corrupted value (the head's direct effect).", "note");
        }
        if (directLogit is not null)
        {
            page.Heading("Direct logit attribution per head (clean prompt)");
            page.Svg(MatrixHeatmapSvg.Render(directLogit.Scores, directLogit.Layers, directLogit.Heads, [.. Enumerable.Range(0, directLogit.Layers).Select(l => $"layer {l}")], [.. Enumerable.Range(0, directLogit.Heads).Select(h => $"H{h}")], Colormap.RedBlue, annotate: true));
            page.Paragraph("Each head's output at the last position projected on the metric's logit-difference direction, with the final RMSNorm scale frozen.", "note");
        }
        if (edges is not null && faithfulness is not null)
        {
            page.Heading("Circuit discovery (edge attribution patching)");
            page.Svg(new SvgLineChart("edges kept", "faithfulness", 560, 240).Add("circuit", [.. faithfulness.Select(f => (double)f.Edges)], [.. faithfulness.Select(f => f.Faithfulness)]).Render());
            page.Paragraph($"Edges ranked by |(u_clean − u_corrupted) · ∂m/∂in_v|; the circuit of the top k edges runs on the clean prompt with every other edge patched to its corrupted value. {edges.Count} edges in all.", "note");
            page.Table(["rank", "sender", "receiver", "score"], edges.Take(15).Select((e, i) => (IReadOnlyList<string>)[(i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Sender, e.Receiver, F(e.Score, "0.000")]));
        }
        return page;
    }

    private static string ScoreGrid(HeadScores scores) =>
        MatrixHeatmapSvg.Render(scores.Scores, scores.Layers, scores.Heads, [.. Enumerable.Range(0, scores.Layers).Select(l => $"layer {l}")],
            [.. Enumerable.Range(0, scores.Heads).Select(h => $"H{h}")], Colormap.Viridis, 0, Math.Max(1e-6, scores.Scores.Max()), annotate: true);

    /// <summary>A token made visible in labels: spaces as ·, newlines as ⏎.</summary>
    private static string Visible(string piece) => piece.Replace(' ', '·').Replace("\n", "⏎", StringComparison.Ordinal);
}
