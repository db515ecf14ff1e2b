using Lumen.Attribution.Gradient;
using Lumen.Attribution.Propagation;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>propagation</c>: seconds per explanation of LRP (EpsilonPlusFlat), DeepLift, guided backprop and, as the
/// reference measured in the same run, Saliency, on MobileNetV2 at 224×224; one JSON line each with the ratio to
/// Saliency and, where ../shared/fixtures/README.md has one, to Captum's time.
/// </summary>
internal static class PropagationBenchmark
{
    public static int Run(string[] args)
    {
        var bench = MobileNetAttributionCase.Load(args, "propagation");
        bench.MeasureSaliency(new Saliency(bench.Model));
        bench.Measure("lrp_epsilon_plus_flat", new Lrp(bench.Model), null);
        bench.Measure("deep_lift", new DeepLift(bench.Model), null);
        bench.Measure("guided_backprop", new GuidedBackprop(bench.Model), null);
        return 0;
    }
}
