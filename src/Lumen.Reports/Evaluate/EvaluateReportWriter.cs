using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lumen.Reports.Evaluate;

/// <summary>Writes an <see cref="EvaluateReport"/> to a folder: <c>report.html</c> (self-contained) and
/// <c>results.json</c> (every cell with its per-image scores, curves, timings and errors; ranks per metric).</summary>
public static class EvaluateReportWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // NaN scores are reported, not a crash
    };

    /// <summary>Writes both files into <paramref name="folder"/> (created if needed) and returns the report's path.</summary>
    public static string Write(EvaluateReport report, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "results.json"), ToJson(report));
        var html = Path.Combine(folder, "report.html");
        EvaluateHtml.Render(report).Save(html);
        return html;
    }

    /// <summary>The results as JSON.</summary>
    public static string ToJson(EvaluateReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var summary = new
        {
            model = report.Model,
            created = report.Created,
            images = report.Images.Select((name, i) => new { name, targetClass = report.Targets[i].Index, targetLabel = report.Targets[i].Label }),
            methods = report.Methods.Select(m => new { name = m.Name, displayName = m.DisplayName, settings = report.Settings.Where(s => s.Method == m.Name).ToDictionary(s => s.Option, s => s.Value), explainSeconds = Math.Round(report.ExplainSeconds.GetValueOrDefault(m.Name), 4) }),
            metrics = report.Metrics.Select(m => new
            {
                name = m.Info.Name,
                displayName = m.Info.DisplayName,
                category = m.Info.Category.ToString(),
                direction = m.Direction.ToString(),
                ranks = report.Ranks(m),
                cells = report.Methods.Select(method => report.Cell(method.Name, m.Info.Name)).Select(c => new
                {
                    method = c.Method,
                    value = c.Result?.Value,
                    perImage = c.Result?.PerSample,
                    curves = c.Result?.Curves?.Select(k => new { x = k.X, y = k.Y, score = k.Score, labels = k.Labels }),
                    seconds = Math.Round(c.Seconds, 4),
                    error = c.Error,
                }),
            }),
            meta = report.Meta.Select(m => new { metric = m.Metric, noiseResilience = m.NoiseResilience, reactivity = m.Reactivity, trusted = m.Trusted }),
            metaConsistency = report.MetaConsistency.Select(m => new
            {
                metric = m.Metric,
                methods = m.Methods,
                samples = m.Samples,
                model = Consistency(m.Model),
                input = Consistency(m.Input),
                mc = m.MetaConsistency,
                error = m.Error,
            }),
            overall = report.Overall().Select(o => new { method = o.Method, meanRank = o.MeanRank, metrics = o.Metrics }),
        };
        return JsonSerializer.Serialize(summary, Json);
    }

    private static object? Consistency(Lumen.Metrics.Meta.ConsistencyScores? s) => s is null ? null : new
    {
        intraResilience = s.IntraResilience,
        intraReactivity = s.IntraReactivity,
        interResilience = s.InterResilience,
        interReactivity = s.InterReactivity,
        mc = s.MetaConsistency,
    };
}
