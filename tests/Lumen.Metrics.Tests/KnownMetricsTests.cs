using Lumen.Attribution;
using Lumen.Attribution.Gradient;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Metrics.Tests;

public class KnownMetricsTests
{
    public static IEnumerable<object[]> Names() => KnownMetrics.All.Select(m => new object[] { m.Name });

    [Fact]
    public void Names_are_unique_kebab_case_and_cover_every_category()
    {
        Assert.Equal(KnownMetrics.All.Count, KnownMetrics.All.Select(m => m.Name).Distinct().Count());
        Assert.All(KnownMetrics.All, m => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", m.Name));
        Assert.Equal(Enum.GetValues<MetricCategory>().Length, KnownMetrics.All.Select(m => m.Category).Distinct().Count());
        Assert.Contains("Known:", Assert.Throws<ArgumentException>(() => KnownMetrics.Find("nope")).Message);
    }

    /// <summary>Every catalog metric on a toy image model: the created metric carries the entry's name and category,
    /// returns one finite-or-NaN score per sample, and gives the same result twice (no state, fixed seeds).</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void Every_metric_runs_deterministically_on_a_toy_model(string name)
    {
        var model = Toy.Mlp();
        var x = Tensor.Rand(new Shape(2, 1, 4, 4), seed: 9);
        var target = Target.Classes([0, 2]);
        Func<Module, IAttributionMethod> explainer = m => new Saliency(m);
        var mask = Tensor.FromArray([.. Enumerable.Range(0, 32).Select(i => i % 16 < 8 ? 1f : 0f)], 2, 4, 4);
        var input = new MetricInput(model, x, explainer(model).Explain(x, target).Map, target) { Explainer = explainer, Mask = mask };
        var info = KnownMetrics.Find(name);
        var metric = info.Create(x.Shape);
        Assert.Equal(name, metric.Name);
        Assert.Equal(info.Category, metric.Category);
        var first = metric.Evaluate(input);
        var second = metric.Evaluate(input);
        Assert.Equal(2, first.PerSample.Length);
        Assert.Equal(first.PerSample, second.PerSample);
        Assert.All(first.PerSample, v => Assert.False(double.IsInfinity(v)));
        Assert.Equal(metric.Direction, first.Direction);
    }
}
