using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lumen.Metrics;
using Lumen.Metrics.Retraining;
using Lumen.Reports.Html;

namespace Lumen.Reports.Retraining;

/// <summary>Writes a <see cref="RetrainingReport"/> to a folder: <c>report.html</c> (self-contained), one SVG chart
/// per mode (<c>roar.svg</c>, <c>kar.svg</c>: accuracy against k, one line per method and the random baseline) and
/// <c>retraining.json</c>.</summary>
public static class RetrainingReportWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes every file into <paramref name="folder"/> (created if needed) and returns the report's path.</summary>
    public static string Write(RetrainingReport report, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(folder);
        var page = new HtmlDocument("Lumen ROAR / KAR",
            string.Create(CultureInfo.InvariantCulture, $"{report.Data} · {report.TrainSamples} training / {report.TestSamples} test samples · {report.Epochs} epochs per model · {report.Seconds:F0} s"));
        var result = report.Retraining;
        page.Paragraph(string.Create(CultureInfo.InvariantCulture, $"Model trained on unmodified data: test accuracy {result.BaseAccuracy:P2}."));
        foreach (var mode in result.Curves.Select(c => c.Mode).Distinct())
        {
            var svg = Chart(result, mode);
            File.WriteAllText(Path.Combine(folder, FileName(mode)), svg);
            page.Heading(mode == RetrainingMode.Remove ? "ROAR: remove the top k % and retrain (lower is more faithful)" : "KAR: keep the top k % and retrain (higher is more faithful)");
            page.Svg(svg);
            page.Table(["method", .. result.Fractions.Select(f => f.ToString("P0", CultureInfo.InvariantCulture)), "mean"],
                result.Curves.Where(c => c.Mode == mode).Select(c => (IReadOnlyList<string>)[c.Method, .. c.Accuracy.Select(a => a.ToString("0.000", CultureInfo.InvariantCulture)), c.Score.ToString("0.000", CultureInfo.InvariantCulture)]));
        }
        if (report.DataRandomisation is { } data)
        {
            page.Heading("Data randomisation (retrain on shuffled labels)");
            page.Paragraph(string.Create(CultureInfo.InvariantCulture,
                $"Training accuracy: {data.TrainAccuracy:P1} on the true labels; {data.ShuffledTrainAccuracy:P1} on the shuffled labels the second model learnt. Similarity of each method's maps under the two models (|Spearman|, lower is better: the map depends on what was learnt)."));
            page.Table(["method", "similarity"], data.Results.Select(r => (IReadOnlyList<string>)[r.Method, r.Result.Value.ToString("0.000", CultureInfo.InvariantCulture)]));
        }
        page.Footer = "Made with Lumen · numbers in retraining.json beside this file.";
        File.WriteAllText(Path.Combine(folder, "retraining.json"), ToJson(report));
        var html = Path.Combine(folder, "report.html");
        page.Save(html);
        return html;
    }

    /// <summary>The chart of one mode's curves: accuracy against k, the base accuracy at k = 0 for ROAR.</summary>
    public static string Chart(RetrainingResult result, RetrainingMode mode)
    {
        ArgumentNullException.ThrowIfNull(result);
        var chart = new SvgLineChart(mode == RetrainingMode.Remove ? "fraction of pixels removed (k)" : "fraction of pixels kept (k)", "test accuracy after retraining", 520, 300);
        foreach (var curve in result.Curves.Where(c => c.Mode == mode))
        {
            var (x, y) = mode == RetrainingMode.Remove ? ([0, .. result.Fractions], [result.BaseAccuracy, .. curve.Accuracy]) : (result.Fractions, curve.Accuracy);
            chart.Add(curve.Method, x, y);
        }
        return chart.Render();
    }

    /// <summary>The results as JSON.</summary>
    public static string ToJson(RetrainingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return JsonSerializer.Serialize(new
        {
            data = report.Data,
            trainSamples = report.TrainSamples,
            testSamples = report.TestSamples,
            epochs = report.Epochs,
            seconds = Math.Round(report.Seconds, 1),
            fractions = report.Retraining.Fractions,
            baseAccuracy = report.Retraining.BaseAccuracy,
            curves = report.Retraining.Curves.Select(c => new { method = c.Method, mode = c.Mode.ToString(), direction = RetrainingResult.Direction(c.Mode).ToString(), accuracy = c.Accuracy, score = c.Score }),
            dataRandomisation = report.DataRandomisation is { } d ? new
            {
                trainAccuracy = d.TrainAccuracy,
                shuffledTrainAccuracy = d.ShuffledTrainAccuracy,
                direction = ScoreDirection.LowerIsBetter.ToString(),
                methods = d.Results.Select(r => new { method = r.Method, similarity = r.Result.Value, perSample = r.Result.PerSample }),
            } : null,
        }, Json);
    }

    private static string FileName(RetrainingMode mode) => mode == RetrainingMode.Remove ? "roar.svg" : "kar.svg";
}
