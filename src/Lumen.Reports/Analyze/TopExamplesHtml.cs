using System.Globalization;
using Lumen.Analysis.Recording;
using Lumen.Imaging;
using Lumen.Reports.Html;
using Lumen.Tensors;

namespace Lumen.Reports.Analyze;

/// <summary>Renders a <see cref="TopExamplesReport"/>: per hook point a table of channel statistics and, per shown
/// channel, its top examples with the channel's activation map laid over each (the activating region).</summary>
public static class TopExamplesHtml
{
    /// <summary>The report page. Each example shown is read and decoded once, however many channels show it.</summary>
    public static HtmlDocument Render(TopExamplesReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var displayed = new Dictionary<int, Image>();
        Image Display(int example) => displayed.TryGetValue(example, out var image) ? image : displayed[example] = report.Examples.Display(example);
        var page = new HtmlDocument("Lumen analyze top-examples",
            $"{report.Model} · {report.Examples.Description} · {report.Record.HookPoints.Count} hook point(s) · {F(report.Seconds, "0.0")} s{(report.ResumedFrom > 0 ? $" (resumed after {report.ResumedFrom} examples)" : "")} · {report.Created:yyyy-MM-dd HH:mm} UTC");
        for (int h = 0; h < report.Record.HookPoints.Count; h++)
        {
            var hook = report.Record.HookPoints[h];
            page.Heading(hook.HookPoint);
            page.Paragraph($"{hook.Channels} channels, per-example shape [{string.Join(", ", hook.ExampleShape)}].", "note");
            page.Table(["channel", "mean", "std", "min", "max", "active", "mean score"], report.Channels[h].Select(c =>
            {
                var s = hook.Statistics[c];
                return (IReadOnlyList<string>)[c.ToString(CultureInfo.InvariantCulture), F(s.Mean, "0.###"), F(s.StandardDeviation, "0.###"), F(s.Min, "0.###"), F(s.Max, "0.###"), F(100 * s.PositiveFraction, "0.#") + "%", F(s.MeanScore, "0.###")];
            }));
            foreach (var c in report.Channels[h])
            {
                page.Heading($"channel {c}", 3);
                page.Figures(hook.TopExamples[c].Select(t => (Overlay(Display(t.Example), t), report.Examples.Name(t.Example), (string?)$"score {F(t.Score, "0.###")}")), FigureSize.Thumbnail);
            }
        }
        page.Paragraph("Each figure is one of the channel's top examples; the overlay is the channel's activation map stretched over the input (bright = strong). Statistics run over every example and position.", "note");
        page.Footer = "Made with Lumen · statistics and top examples in summary.json beside this file.";
        return page;
    }

    /// <summary>The JSON summary: per hook point and channel the statistics and the top examples (index, name, score, strongest position).</summary>
    public static object Summary(TopExamplesReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new
        {
            model = report.Model,
            examples = report.Examples.Description,
            count = report.Record.Examples,
            resumedFrom = report.ResumedFrom,
            seconds = Math.Round(report.Seconds, 3),
            created = report.Created,
            hookPoints = report.Record.HookPoints.Select(h => new
            {
                name = h.HookPoint,
                shape = h.ExampleShape,
                channels = Enumerable.Range(0, h.Channels).Select(c => new
                {
                    channel = c,
                    statistics = h.Statistics[c],
                    top = h.TopExamples[c].Select(t => new { example = t.Example, name = report.Examples.Name(t.Example), score = t.Score, y = t.Y, x = t.X }),
                }),
            }),
        };
    }

    /// <summary>The width of an example's thumbnail, in pixels: a page shows hundreds of examples (12 hook points × 8
    /// channels × 5 on the defaults: 48 MB at 224 pixels, 17 MB at this width).</summary>
    internal const int ThumbnailWidth = 128;

    /// <summary>The example as the model sees it (<paramref name="image"/>, <see cref="ExampleSet.Display"/>), with the
    /// channel's map over it: a thumbnail <see cref="ThumbnailWidth"/> wide (a small image is enlarged to at least 96
    /// pixels, in whole pixels, and kept).</summary>
    internal static Image Overlay(Image image, TopExample top)
    {
        if (image.Width < 96) image = image.Resize(image.Width * (96 / image.Width + 1), image.Height * (96 / image.Width + 1), ResampleFilter.Nearest);
        else if (image.Width > ThumbnailWidth) image = image.Resize(ThumbnailWidth, Math.Max(1, (int)Math.Round((double)image.Height * ThumbnailWidth / image.Width)));
        if (top.Map is null) return image;
        var map = Tensor.FromArray(top.Map, top.Height, top.Width);
        return Heatmap.Render(map, image, new HeatmapOptions { Colormap = Colormap.Inferno, ClipPercentile = 100, Alpha = 0.55 });
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
