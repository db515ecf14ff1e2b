using System.Globalization;
using Lumen.Reports.Html;

namespace Lumen.Reports.Analyze;

/// <summary>Renders a <see cref="SimilarityReport"/>: the layer × layer CKA heatmap with its legend, and each layer's
/// best match under CKA, SVCCA, PWCCA and RSA.</summary>
public static class SimilarityHtml
{
    /// <summary>The heatmap image of the CKA matrix (rows: first model's layers, columns: the second's).</summary>
    public static Lumen.Imaging.Image Heatmap(SimilarityReport report) => MatrixImage.Render(report.Cka);

    /// <summary>The report page.</summary>
    public static HtmlDocument Render(SimilarityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var page = new HtmlDocument("Lumen analyze cka",
            $"{report.ModelA} vs {report.ModelB} · {report.Examples} · CKA {report.Kernel} · {F(report.Seconds, "0.0")} s · {report.Created:yyyy-MM-dd HH:mm} UTC");
        page.Heading("CKA, layer × layer");
        page.Figures([(Heatmap(report), "CKA", $"rows: {report.ModelA} layers 0–{report.LayersA.Count - 1}; columns: {report.ModelB} layers 0–{report.LayersB.Count - 1}")]);
        page.Table(["#", report.ModelA, report.ModelB], Enumerable.Range(0, Math.Max(report.LayersA.Count, report.LayersB.Count)).Select(i =>
            (IReadOnlyList<string>)[i.ToString(CultureInfo.InvariantCulture), i < report.LayersA.Count ? report.LayersA[i] : "", i < report.LayersB.Count ? report.LayersB[i] : ""]));
        page.Heading("Best match per layer");
        page.Table(["layer", "best match", "CKA", "SVCCA", "PWCCA", "RSA"], report.Pairs.Select(p =>
            (IReadOnlyList<string>)[p.LayerA, p.LayerB, F(p.Cka, "0.000"), F(p.Svcca, "0.000"), F(p.Pwcca, "0.000"), F(p.Rsa, "0.000")]));
        page.Paragraph("CKA (Kornblith et al. 2019) is 1 for representations equal up to rotation and scale. SVCCA keeps 99 % of each layer's variance before CCA; PWCCA weights canonical correlations by how much of the first layer they carry; RSA is the Spearman correlation of the correlation-distance RDMs. When one model is compared with itself the best match skips the layer itself.", "note");
        page.Footer = "Made with Lumen · the matrix in summary.json and cka.png beside this file.";
        return page;
    }

    /// <summary>The JSON summary: layer names, the CKA matrix, the best pairs.</summary>
    public static object Summary(SimilarityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new
        {
            modelA = report.ModelA,
            modelB = report.ModelB,
            examples = report.Examples,
            kernel = report.Kernel,
            seconds = Math.Round(report.Seconds, 3),
            created = report.Created,
            layersA = report.LayersA,
            layersB = report.LayersB,
            cka = Enumerable.Range(0, report.Cka.GetLength(0)).Select(i => Enumerable.Range(0, report.Cka.GetLength(1)).Select(j => Math.Round(report.Cka[i, j], 6))),
            pairs = report.Pairs,
        };
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
