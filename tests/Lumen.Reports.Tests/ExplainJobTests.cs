using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Reports.Explain;
using Lumen.Tensors;

namespace Lumen.Reports.Tests;

public class ExplainJobTests
{
    [Fact]
    public void Predicts_sorted_classes_and_explains_the_top_one_by_default()
    {
        var classifier = ToyClassifier.Create();
        var report = new ExplainJob(classifier).Run([("a", ToyClassifier.Picture(1))]);

        var image = Assert.Single(report.Images);
        Assert.Equal(4, image.Predictions.Count);                                    // top-5 of 4 classes
        Assert.True(image.Predictions.Zip(image.Predictions.Skip(1)).All(p => p.First.Probability >= p.Second.Probability));
        Assert.Equal(1.0, image.Predictions.Sum(p => p.Probability), 5);
        Assert.Equal(image.Predictions[0], image.Target);
        Assert.Equal(["saliency", "input-x-gradient", "integrated-gradients"], image.Methods.Select(m => m.Method));
        Assert.All(image.Methods, m => Assert.Equal(new Shape(1, 3, 8, 8), m.Map!.Shape));
        Assert.Equal((8, 8), (image.Input.Width, image.Input.Height));
    }

    [Fact]
    public void Input_x_gradient_of_a_linear_model_sums_to_the_score_minus_the_bias()
    {
        var classifier = ToyClassifier.Create();
        var linear = (Linear)((Sequential)classifier.Module)[1];
        var report = new ExplainJob(classifier, new ExplainOptions { Methods = ["ixg", "ig"], TargetClass = 2 }).Run([("a", ToyClassifier.Picture(2))]);

        var image = report.Images[0];
        Assert.Equal(2, image.Target.Index);
        Assert.Equal("cherry", image.Target.Label);
        float expected = image.Target.Score - linear.Bias!.Value.ToArray()[2];
        Assert.Equal(expected, image.Methods[0].Map!.Sum().Item(), 3);
        Assert.Equal(0f, image.Methods[1].Delta!.Value, 3);                          // IG is exact on a linear model
    }

    [Fact]
    public void Method_settings_change_the_map_and_are_recorded_and_a_refused_one_fails_before_any_work()
    {
        var classifier = ToyClassifier.Create();
        var plain = new ExplainJob(classifier, new ExplainOptions { Methods = ["saliency"] }).Run([("a", ToyClassifier.Picture(1))]);
        var signed = new ExplainJob(classifier, new ExplainOptions { Methods = ["saliency"], Settings = Lumen.Attribution.MethodSettings.Parse(["grad.absolute=false"]) })
            .Run([("a", ToyClassifier.Picture(1))]);
        var abs = signed.Images[0].Methods[0].Map!.ToArray().Select(Math.Abs);
        Assert.Equal(plain.Images[0].Methods[0].Map!.ToArray(), abs);                 // |∂f/∂x| against ∂f/∂x
        Assert.Contains(signed.Images[0].Methods[0].Map!.ToArray(), v => v < 0);
        Assert.Equal("saliency.absolute=false", Assert.Single(signed.Settings).ToString());
        Assert.Empty(plain.Settings);
        var refused = new ExplainOptions { Methods = ["saliency", "ig"], Settings = Lumen.Attribution.MethodSettings.Parse(["ig.adaptive-steps=true", "ig.steps=2"]) };
        var steps = new List<ExplainStep>();
        var error = Assert.Throws<ArgumentException>(() => new ExplainJob(classifier, refused).Run([("a", ToyClassifier.Picture(1))], new Progress(steps)));
        Assert.Contains("integrated-gradients.adaptive-steps=true, integrated-gradients.steps=2", error.Message);
        Assert.Empty(steps);
    }

    private sealed class Progress(List<ExplainStep> steps) : IProgress<ExplainStep>
    {
        public void Report(ExplainStep value) => steps.Add(value);
    }

    [Fact]
    public void Probability_outputs_are_shown_as_given_not_softmaxed_again()
    {
        var classifier = ToyClassifier.Create() with { OutputIsProbability = true };
        var image = new ExplainJob(classifier, new ExplainOptions { Methods = ["saliency"] }).Run([("a", ToyClassifier.Picture(3))]).Images[0];
        Assert.All(image.Predictions, p => Assert.Equal(p.Score, p.Probability));
    }

    [Fact]
    public void A_failing_method_is_reported_and_the_others_still_run()
    {
        // The module refuses batches larger than one: Saliency runs, Integrated Gradients (batched steps) fails.
        var classifier = ToyClassifier.Create() with { Module = new SingleSampleOnly(ToyClassifier.Create().Module) };
        var image = new ExplainJob(classifier, new ExplainOptions { Methods = ["saliency", "integrated-gradients"] }).Run([("a", ToyClassifier.Picture(4))]).Images[0];

        Assert.True(image.Methods[0].Succeeded);
        Assert.False(image.Methods[1].Succeeded);
        Assert.Contains("one sample at a time", image.Methods[1].Error);
        Assert.Null(image.Methods[1].Map);
    }

    [Fact]
    public void Unknown_methods_and_targets_fail_before_any_work_with_clear_messages()
    {
        var classifier = ToyClassifier.Create();
        var unknown = Assert.Throws<ArgumentException>(() => new ExplainJob(classifier, new ExplainOptions { Methods = ["no-such-method"] }).Run([("a", ToyClassifier.Picture(1))]));
        Assert.Contains("no-such-method", unknown.Message);
        Assert.Contains("saliency", unknown.Message);                                // lists the known names
        var outOfRange = Assert.Throws<ArgumentOutOfRangeException>(() => new ExplainJob(classifier, new ExplainOptions { TargetClass = 9 }).Run([("a", ToyClassifier.Picture(1))]));
        Assert.Contains("4 classes", outOfRange.Message);
        Assert.Throws<ArgumentException>(() => new ExplainJob(classifier).Run([]));
    }

    [Fact]
    public void Progress_counts_one_step_per_prediction_and_per_method()
    {
        var steps = new List<ExplainStep>();
        new ExplainJob(ToyClassifier.Create(), new ExplainOptions { Methods = ["saliency", "ixg"] })
            .Run([("a", ToyClassifier.Picture(1)), ("b", ToyClassifier.Picture(2))], new Recorder(steps));
        Assert.Equal(6, steps[^1].Done);
        Assert.All(steps, s => Assert.Equal(6, s.Total));
        Assert.Equal("done", steps[^1].Description);
    }

    private sealed class Recorder(List<ExplainStep> steps) : IProgress<ExplainStep>
    {
        public void Report(ExplainStep value) => steps.Add(value);
    }

    private sealed class SingleSampleOnly(Module inner) : Module
    {
        protected override Tensor Forward(Tensor x) =>
            x.Shape[0] == 1 ? inner.Call(x) : throw new InvalidOperationException("this model runs one sample at a time");
    }
}
