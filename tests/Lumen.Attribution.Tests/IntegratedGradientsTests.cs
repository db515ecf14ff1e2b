using Lumen.Attribution.Common;
using Lumen.Attribution.Gradient;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests;

public class IntegratedGradientsTests
{
    [Fact]
    public void Basic_model_2_gives_the_papers_values_and_completeness()
    {
        var x = Tensor.FromArray([3f, 1f], 1, 2);
        var result = new IntegratedGradients(new BasicModel2()).Explain(x, Target.Class(0));
        GradAssert.Close([1.5f, -0.5f], result.Map.ToArray(), 1e-4f);
        Assert.Equal(0f, result.Delta!.Item(), 4);
    }

    [Fact]
    public void Without_multiplying_by_inputs_the_averaged_gradient_is_returned()
    {
        var x = Tensor.FromArray([3f, 1f], 1, 2);
        var result = new IntegratedGradients(new BasicModel2(), new() { MultiplyByInputs = false }).Explain(x, Target.Class(0));
        GradAssert.Close([0.5f, -0.5f], result.Map.ToArray(), 1e-4f);
        Assert.Null(result.Delta);
    }

    [Theory]
    [InlineData(Quadrature.RiemannLeft)]
    [InlineData(Quadrature.RiemannRight)]
    [InlineData(Quadrature.RiemannMiddle)]
    [InlineData(Quadrature.RiemannTrapezoid)]
    [InlineData(Quadrature.GaussLegendre)]
    public void Linear_models_are_exact_for_every_rule_and_baseline(Quadrature rule)
    {
        var model = new LinearModel([1f, -2f, 0.5f, 3f, 0f, -1f], 3, 2);
        var x = Tensor.FromArray([1f, 2f, -1f, 0.5f, -3f, 4f], 2, 3);
        var baseline = Tensor.FromArray([0.5f, 0.5f, 0.5f], 1, 3);
        var result = new IntegratedGradients(model, new() { Quadrature = rule, Steps = 7, Baseline = Baseline.Of(baseline) }).Explain(x, Target.Classes([1, 0]));
        // IG on a linear model: (x − x′) · W[:, class]
        float[] expected = [(1 - 0.5f) * -2f, (2 - 0.5f) * 3f, (-1 - 0.5f) * -1f, (0.5f - 0.5f) * 1f, (-3 - 0.5f) * 0.5f, (4 - 0.5f) * 0f];
        GradAssert.Close(expected, result.Map.ToArray(), 1e-5f);
        GradAssert.Close([0f, 0f], result.Delta!.ToArray(), 1e-4f);
    }

    [Fact]
    public void Chunked_equals_unchunked()
    {
        var x = Tensor.FromArray([3f, 1f, 2f, -1f, 0.5f, 4f], 3, 2);
        var whole = new IntegratedGradients(new BasicModel2(), new() { Steps = 20, BatchSize = 1000 }).Explain(x, Target.Class(0));
        var chunked = new IntegratedGradients(new BasicModel2(), new() { Steps = 20, BatchSize = 3 }).Explain(x, Target.Class(0));
        var budgeted = new IntegratedGradients(new BasicModel2(), new() { Steps = 20, MemoryBudgetBytes = 64 }).Explain(x, Target.Class(0));
        Assert.Equal(whole.Map.ToArray(), chunked.Map.ToArray());
        Assert.Equal(whole.Map.ToArray(), budgeted.Map.ToArray());
    }

    [Fact]
    public void Cancellation_and_progress_are_honoured()
    {
        var x = Tensor.FromArray([3f, 1f], 1, 2);
        var reports = new List<double>();
        new IntegratedGradients(new BasicModel2(), new() { Steps = 10, BatchSize = 2 }).Explain(x, Target.Class(0), progress: new SyncProgress(reports.Add));
        Assert.Equal(5, reports.Count);
        Assert.Equal(1.0, reports[^1]);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => new IntegratedGradients(new BasicModel2()).Explain(x, Target.Class(0), cts.Token));
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IntegratedGradients(new BasicModel2(), new() { Steps = 0 }));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new IntegratedGradients(new BasicModel2()).Explain(Tensor.Zeros(1, 2), Target.Class(5)));
        Assert.Contains("class 5", ex.Message);
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
