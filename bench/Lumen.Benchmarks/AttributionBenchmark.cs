using Lumen.Attribution.Cam;
using Lumen.Attribution.Gradient;
using Lumen.Attribution.Propagation;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>attribution</c>: seconds per explanation on MobileNetV2 at 224×224 of the configurations Captum was timed
/// with in ../shared/fixtures/README.md — Integrated Gradients (50 Gauss–Legendre steps), SmoothGrad over Saliency
/// (10 samples, σ = 0.15 absolute), GradientShap (5 samples), Grad-CAM on <c>MobilenetV2/Conv_1</c> — plus LRP and
/// SmoothGrad with 50 samples, each against Saliency measured in the same run and against Captum.
/// </summary>
internal static class AttributionBenchmark
{
    private const double CaptumIntegratedGradientsSeconds = 0.905, CaptumSmoothGradSeconds = 0.150,
        CaptumGradientShapSeconds = 0.385, CaptumGradCamSeconds = 0.014;

    public static int Run(string[] args)
    {
        var bench = MobileNetAttributionCase.Load(args, "attribution");
        var model = bench.Model;
        bench.MeasureSaliency(new Saliency(model));
        bench.Measure("integrated_gradients_50", new IntegratedGradients(model), CaptumIntegratedGradientsSeconds);
        var smooth = new SmoothGradOptions { Samples = 10, NoiseLevel = 0.15f, NoiseRelativeToRange = false };
        bench.Measure("smooth_grad_10", new SmoothGrad(model, new Saliency(model), smooth), CaptumSmoothGradSeconds);
        bench.Measure("smooth_grad_50", new SmoothGrad(model, new Saliency(model), smooth with { Samples = 50 }), null);
        bench.Measure("gradient_shap_5", new GradientShap(model), CaptumGradientShapSeconds);
        bench.Measure("grad_cam", new GradCam(model, new() { Layer = bench.HookOfConv("MobilenetV2/Conv_1"), Upsample = false, Relu = false }), CaptumGradCamSeconds);
        bench.Measure("lrp_epsilon_plus_flat", new Lrp(model), null);
        return 0;
    }
}
