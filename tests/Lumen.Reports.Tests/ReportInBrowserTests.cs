using Lumen.Reports.Explain;
using Microsoft.Playwright;

namespace Lumen.Reports.Tests;

/// <summary>A fact that needs Debian's Chromium (<c>apt-get install chromium</c>, which .ci/install-deps does);
/// skipped, saying so, without it. <c>LUMEN_CHROMIUM</c> overrides the path.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public static string Executable => Environment.GetEnvironmentVariable("LUMEN_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public override string? Skip
    {
        get => base.Skip ?? (File.Exists(Executable) ? null : $"skipped: Chromium is not installed at {Executable} (apt-get install chromium, or set LUMEN_CHROMIUM).");
        set => base.Skip = value;
    }
}

public class ReportInBrowserTests
{
    [ChromiumFact]
    public async Task The_report_opens_in_headless_chromium_with_every_image_loaded_and_no_console_error()
    {
        var report = new ExplainJob(ToyClassifier.Create(), new ExplainOptions { Methods = ["saliency", "ixg", "ig"] })
            .Run([("first", ToyClassifier.Picture(1)), ("second", ToyClassifier.Picture(2))]);
        var folder = Directory.CreateTempSubdirectory("lumen-browser-").FullName;
        try
        {
            var html = ExplainReportWriter.Write(report, folder);
            var (images, loaded, errors, screenshot) = await OpenAsync(html, Path.Combine(folder, "page.png"));
            Assert.Empty(errors);
            Assert.Equal(2 * (1 + 3 + 3), images);                                     // per image: input, overlays, heatmaps
            Assert.Equal(images, loaded);
            Assert.True(new FileInfo(screenshot).Length > 10_000);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Opens <paramref name="html"/> and returns the image count, how many decoded, the console errors
    /// and page errors, and a full-page screenshot's path.</summary>
    internal static async Task<(int Images, int Loaded, List<string> Errors, string Screenshot)> OpenAsync(string html, string screenshot)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumFactAttribute.Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(new Uri(html).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load });
        int images = await page.EvaluateAsync<int>("document.images.length");
        int loaded = await page.EvaluateAsync<int>("Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        return (images, loaded, errors, screenshot);
    }
}
