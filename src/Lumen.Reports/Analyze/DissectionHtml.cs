using System.Globalization;
using Lumen.Analysis.Dissection;
using Lumen.Analysis.Recording;
using Lumen.Imaging;
using Lumen.Reports.Html;
using Lumen.Tensors;

namespace Lumen.Reports.Analyze;

/// <summary>Renders a <see cref="DissectionReport"/>: per hook point the interpretable units per concept category,
/// the best units with example images (the unit's binarised mask over the image, the concept's outline), Net2Vec
/// against the best single unit, and the table of every unit's best concept.</summary>
public static class DissectionHtml
{
    /// <summary>The report page.</summary>
    public static HtmlDocument Render(DissectionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var result = report.Result;
        var page = new HtmlDocument("Lumen analyze dissect",
            $"{report.Model} · {result.Set.Description} · top {F(100 * result.Options.Quantile, "0.###")}% activations · IoU > {F(result.Options.IouThreshold, "0.###")} · {F(report.Seconds, "0.0")} s · {report.Created:yyyy-MM-dd HH:mm} UTC");
        foreach (var layer in result.Layers)
        {
            page.Heading(layer.HookPoint);
            page.Paragraph($"{layer.Interpretable} of {layer.Units.Count} units are interpretable (activation maps [{string.Join(", ", layer.ExampleShape)}] upsampled to {result.Set.Height}×{result.Set.Width}).");
            page.Table(["category", "interpretable units", "distinct concepts"], result.InterpretableByCategory(layer).Select(c =>
                (IReadOnlyList<string>)[c.Category, I(c.Units), I(c.Concepts)]));
            var shown = layer.Units.Where(u => u.Interpretable && u.Examples.Count > 0).OrderByDescending(u => u.Iou).Take(report.ShownUnits).ToList();
            foreach (var unit in shown)
            {
                page.Heading($"unit {unit.Unit}: {result.Concepts[unit.Concept].Name} (IoU {F(unit.Iou, "0.000")})", 3);
                page.Figures(unit.Examples.Select(e =>
                {
                    var sample = result.Set.Sample(e.Example);
                    return (Overlay(result.Set, sample, unit, e), sample.Name, (string?)$"max {F(e.Score, "0.##")}");
                }));
            }
            if (layer.Combinations.Count > 0)
            {
                page.Heading("Net2Vec: concepts as combinations of units", 3);
                page.Table(["concept", "category", "Net2Vec IoU", "best unit", "unit IoU", "gain", "largest weights"], layer.Combinations.OrderByDescending(c => c.Iou).Select(c =>
                    (IReadOnlyList<string>)[result.Concepts[c.Concept].Name, result.Concepts[c.Concept].Category, F(c.Iou, "0.000"), I(c.BestUnit), F(c.BestUnitIou, "0.000"), F(c.Gain, "+0.000;-0.000"),
                        string.Join(", ", c.Weights.Select((w, k) => (w, k)).Where(p => p.w > 0).OrderByDescending(p => p.w).Take(3).Select(p => $"{p.k}: {F(p.w, "0.##")}"))]));
                page.Paragraph("Net2Vec (Fong & Vedaldi 2018) fits each concept as σ(Σ w_k·a_k/T_k + b), w ≥ 0, on pixels sampled from the even images, and scores the set IoU of σ > ½ on the odd ones, against the unit that is best on the even images (binarised at its T_k).", "note");
            }
            page.Heading("Every unit", 3);
            page.Table(["unit", "best concept", "category", "IoU", "threshold T_k", "interpretable"], layer.Units.OrderByDescending(u => u.Iou).Select(u =>
                (IReadOnlyList<string>)[I(u.Unit), result.Concepts[u.Concept].Name, result.Concepts[u.Concept].Category, F(u.Iou, "0.000"), F(u.Threshold, "0.###") + (u.Saturated ? " (≥, saturated)" : ""), u.Interpretable ? "yes" : ""]));
        }
        page.Paragraph("Network dissection (Bau et al. 2017): a unit fires where its activation, upsampled bilinearly to the image, exceeds T_k, the top-quantile of its activations over the whole set; IoU = Σ|fires ∩ concept| / Σ|fires ∪ concept| over all images. Example images show where the unit fires (the rest dimmed) and the outline of its concept in cyan.", "note");
        page.Footer = "Made with Lumen · every unit's IoU per concept in summary.json beside this file.";
        return page;
    }

    /// <summary>The JSON summary: per hook point every unit's best concept, IoU and threshold, the IoU of every unit
    /// and concept, the counts per category and the Net2Vec results.</summary>
    public static object Summary(DissectionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var result = report.Result;
        return new
        {
            model = report.Model,
            concepts = result.Set.Description,
            images = result.Set.Count,
            quantile = result.Options.Quantile,
            iouThreshold = result.Options.IouThreshold,
            seconds = Math.Round(report.Seconds, 3),
            created = report.Created,
            conceptList = result.Concepts.Select(c => new { name = c.Name, category = c.Category }),
            layers = result.Layers.Select(l => new
            {
                hookPoint = l.HookPoint,
                shape = l.ExampleShape,
                interpretable = l.Interpretable,
                categories = result.InterpretableByCategory(l).Select(c => new { category = c.Category, units = c.Units, concepts = c.Concepts }),
                units = l.Units.Select(u => new
                {
                    unit = u.Unit,
                    concept = result.Concepts[u.Concept].Name,
                    category = result.Concepts[u.Concept].Category,
                    iou = u.Iou,
                    threshold = u.Threshold,
                    saturated = u.Saturated,
                    interpretable = u.Interpretable,
                    examples = u.Examples.Select(e => e.Example),
                }),
                iou = l.Iou,
                net2vec = l.Combinations.Select(c => new { concept = result.Concepts[c.Concept].Name, iou = c.Iou, bestUnit = c.BestUnit, bestUnitIou = c.BestUnitIou, gain = c.Gain, weights = c.Weights, bias = c.Bias }),
            }),
        };
    }

    /// <summary>Example <paramref name="example"/> of <paramref name="unit"/> (<paramref name="sample"/>, loaded once by
    /// the caller): pixels where the unit fires kept, the rest dimmed to 30 %, and the outline of the unit's concept in
    /// cyan; at least 96 pixels wide.</summary>
    internal static Image Overlay(ConceptSet set, ConceptSample sample, UnitDissection unit, TopExample example)
    {
        var image = DissectionJob.Display(sample.Image).ToRgb();
        int w = set.Width, h = set.Height;
        var map = example.Map is null ? null : Tensor.FromArray(example.Map, 1, 1, example.Height, example.Width).Resize(h, w).ToArray();
        var concept = sample.Masks.FirstOrDefault(m => m.Concept == unit.Concept)?.Pixels;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                bool edge = concept is not null && concept[p] && (x == 0 || y == 0 || x == w - 1 || y == h - 1 || !concept[p - 1] || !concept[p + 1] || !concept[p - w] || !concept[p + w]);
                for (int c = 0; c < 3; c++)
                {
                    ref byte v = ref image.Pixels[p * 3 + c];
                    if (edge) v = c == 0 ? (byte)0 : (byte)255;
                    else if (map is not null && !unit.Fires(map[p])) v = (byte)(v * 3 / 10);
                }
            }
        return image.Width < 96 ? image.Resize(image.Width * (96 / image.Width + 1), image.Height * (96 / image.Width + 1), ResampleFilter.Nearest) : image;
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
