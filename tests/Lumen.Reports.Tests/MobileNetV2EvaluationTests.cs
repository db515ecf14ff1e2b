using Lumen.Attribution;
using Lumen.Attribution.Baselines;
using Lumen.Attribution.Gradient;
using Lumen.Imaging;
using Lumen.Metrics;
using Lumen.Metrics.Randomisation;
using Lumen.NN;
using Lumen.Reports.Evaluate;
using Lumen.Reports.Explain;
using Lumen.Tensors;
using Lumen.Zoo;
using Xunit.Abstractions;

namespace Lumen.Reports.Tests;

/// <summary>The evaluation on the real model: localisation on the two segmented photos of ../shared/data/segmentation,
/// and the cascading randomisation sanity check.</summary>
public class MobileNetV2EvaluationTests(ITestOutputHelper output)
{
    private static readonly string[] Localisation = CatalogLocalisationTests.Localisation;

    private static Classifier MobileNetV2()
    {
        var model = ModelZoo.Default.Load("mobilenetv2");
        return new Classifier(model.Descriptor.Name, model.Module, model.Labels, model.Preprocess, model.Descriptor.OutputIsProbability);
    }

    private static IReadOnlyList<EvaluateImage> SegmentedPhotos() => CatalogLocalisationTests.SegmentedPhotos();

    private static double ObjectFraction(Image mask) => (double)mask.Pixels.Count(p => p == 255) / mask.Pixels.Length;

    [SharedFact("data/segmentation")]
    public void Annotated_masks_use_each_images_object_values()
    {
        var images = SegmentedPhotos();
        // annotations.json: bird = value 3 of a class-index mask, dog = value 0 of a trimap; fractions as it lists them
        Assert.Equal(0.1952, Math.Round(ObjectFraction(images[0].Mask!), 4));
        Assert.Equal(0.4689, Math.Round(ObjectFraction(images[1].Mask!), 4));
    }

    [SharedFact("data/segmentation")]
    public void Localisation_runs_on_the_segmented_photos_and_grad_cam_beats_a_uniform_map()
    {
        var report = new EvaluateJob(MobileNetV2(), new EvaluateOptions { Methods = ["saliency", "grad-cam", "edge-detector"], Metrics = Localisation }).Run(SegmentedPhotos());
        CatalogLocalisationTests.AssertLocalisationRan(report);
        // a uniform map puts the object's share of the pixels on it (0.1952 and 0.4689 after the crop, about)
        var mass = report.Cell("grad-cam", "relevance-mass-accuracy").Result!.PerSample;
        Assert.True(mass[0] > 0.25 && mass[1] > 0.5, $"Grad-CAM relevance mass on the object: {mass[0]:F3}, {mass[1]:F3}");
    }

    /// <summary>Every method of the catalog with its default settings (minutes on two cores: LUMEN_SLOW_TESTS=1);
    /// prints the methods × metrics table.</summary>
    [SlowSharedFact("data/segmentation")]
    public void Localisation_runs_for_every_method_of_the_catalog()
    {
        var report = new EvaluateJob(MobileNetV2(), new EvaluateOptions { Methods = [.. KnownAttributionMethods.All.Select(m => m.Name)], Metrics = Localisation }).Run(SegmentedPhotos());
        output.WriteLine("MobileNetV2, 224×224, each image's top-1 class");
        output.WriteLine(CatalogLocalisationTests.Table(report));
        Assert.Equal(KnownAttributionMethods.All.Count, report.Methods.Count);
        CatalogLocalisationTests.AssertLocalisationRan(report);
    }

    [Fact]
    public void Cascading_randomisation_changes_gradient_maps_but_not_the_edge_detector()
    {
        var classifier = MobileNetV2();
        var x = ImageTensor.FromImage(Image.Load(SharedData.InRepository("data/images/chelsea.png")), classifier.Preprocess); // [1, 3, 224, 224]
        var target = Target.Class(285); // Egyptian cat
        var metric = new ModelParameterRandomisation(new() { Checkpoints = 4 });
        MetricResult Run(Func<Module, IAttributionMethod> explainer) =>
            metric.Evaluate(new MetricInput(classifier.Module, x, explainer(classifier.Module).Explain(x, target).Map, target) { Explainer = explainer });
        var edges = Run(m => new EdgeDetector(m));
        Assert.All(edges.Curve!.Y, y => Assert.Equal(1, y, 12));
        var saliency = Run(m => new Saliency(m));
        Assert.Equal(4, saliency.Curve!.Y.Length);
        Assert.True(saliency.Curve.Y[^1] < 0.5, $"saliency similarity after randomising every layer: {string.Join(", ", saliency.Curve.Y)}");
    }

    /// <summary>Integrated gradients under cascading randomisation (32 gradient passes of MobileNetV2: LUMEN_SLOW_TESTS=1).</summary>
    [SlowSharedFact]
    public void Cascading_randomisation_changes_integrated_gradients()
    {
        var classifier = MobileNetV2();
        var x = ImageTensor.FromImage(Image.Load(SharedData.InRepository("data/images/chelsea.png")), classifier.Preprocess); // [1, 3, 224, 224]
        var target = Target.Class(285);
        Func<Module, IAttributionMethod> explainer = m => new IntegratedGradients(m, new() { Steps = 8 });
        var input = new MetricInput(classifier.Module, x, explainer(classifier.Module).Explain(x, target).Map, target) { Explainer = explainer };
        var result = new ModelParameterRandomisation(new() { Checkpoints = 4 }).Evaluate(input);
        Assert.True(result.Curve!.Y[^1] < 0.5, $"IG similarity after randomising every layer: {string.Join(", ", result.Curve.Y)}");
    }
}
