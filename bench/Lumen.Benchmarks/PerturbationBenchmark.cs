using Lumen.Attribution;
using Lumen.Attribution.Gradient;
using Lumen.Attribution.Perturbation;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>perturbation</c>: seconds per explanation of Occlusion (window 16, stride 8: 729 windows) incrementally and
/// with full forward passes, FeatureAblation (16×16 cells: 196 features) and KernelShap (200 samples) on MobileNetV2
/// at 224×224, after Saliency as the in-run reference; one JSON line each with the ratios to Saliency and to Captum's
/// time (../shared/fixtures/README.md: 2 threads, 16 perturbations per batch). Every case batches 16 rows like Captum.
/// </summary>
internal static class PerturbationBenchmark
{
    private static readonly Dictionary<string, double> CaptumSeconds = new()
    {
        ["occlusion_incremental"] = 5.48, ["occlusion_full"] = 5.48, ["feature_ablation"] = 1.41, ["kernel_shap"] = 1.34,
    };

    public static int Run(string[] args)
    {
        int batch = BenchmarkArguments.IntList(args, "--batch", [16])[0];
        var cases = BenchmarkArguments.StringList(args, "--cases", [.. CaptumSeconds.Keys]);
        var bench = MobileNetAttributionCase.Load(args, "perturbation");
        bench.MeasureSaliency(new Saliency(bench.Model));
        foreach (var name in cases)
        {
            IAttributionMethod method = name switch
            {
                "occlusion_incremental" => new Occlusion(bench.Model, new() { Window = [16, 16], Strides = [8, 8], BatchSize = batch }),
                "occlusion_full" => new Occlusion(bench.Model, new() { Window = [16, 16], Strides = [8, 8], BatchSize = batch, Incremental = false }),
                "feature_ablation" => new FeatureAblation(bench.Model, new() { Mask = FeatureMask.Grid(16), BatchSize = batch }),
                _ => throw new ArgumentException($"perturbation benchmark: unknown case '{name}' (known: {string.Join(", ", CaptumSeconds.Keys)})."),
            };
            bench.Measure(name, method, CaptumSeconds[name]);
        }
        return 0;
    }
}
