using System.Diagnostics;
using System.Globalization;
using Lumen.Attribution;
using Lumen.Attribution.Gradient;
using Lumen.Metrics;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>metric-batching [--samples 2] [--side 32]</c>: runs every catalog metric (Saliency maps) on a small conv net and
/// counts the model's forward calls and rows: rows per call above the sample count shows that a metric batches its
/// perturbed copies into shared forward passes instead of one pass per copy.
/// </summary>
public static class MetricBatchingBenchmark
{
    public static int Run(string[] args)
    {
        int samples = BenchmarkArguments.IntList(args, "--samples", [2])[0], side = BenchmarkArguments.IntList(args, "--side", [32])[0];
        var model = new CountingModule(new Sequential(new Conv2d(3, 8, 3, padding: 1, rng: new Random(1)), new Relu(), new AdaptiveAvgPool2d(4, 4), new Flatten(), new Linear(8 * 16, 10, rng: new Random(2))));
        model.Eval();
        var x = Tensor.Rand(new Shape(samples, 3, side, side), seed: 3);
        var target = Target.Classes([.. Enumerable.Range(0, samples).Select(i => i % 10)]);
        Func<Module, IAttributionMethod> explainer = m => new Saliency(m);
        var mask = Tensor.FromArray([.. Enumerable.Range(0, samples * side * side).Select(i => i % side < side / 2 ? 1f : 0f)], samples, side, side);
        var input = new MetricInput(model, x, explainer(model).Explain(x, target).Map, target) { Explainer = explainer, Mask = mask };
        foreach (var info in KnownMetrics.All)
        {
            var metric = info.Create(x.Shape);
            model.Reset();
            var watch = Stopwatch.StartNew();
            metric.Evaluate(input);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"bench\":\"metric-batching\",\"metric\":\"{info.Name}\",\"samples\":{samples},\"forwardCalls\":{model.Calls},\"rows\":{model.Rows},\"rowsPerCall\":{(model.Calls == 0 ? 0 : (double)model.Rows / model.Calls):F1},\"seconds\":{watch.Elapsed.TotalSeconds:F3}}}"));
        }
        return 0;
    }

    /// <summary>Passes through to the wrapped model, counting calls and rows.</summary>
    private sealed class CountingModule : Module
    {
        private readonly Module inner;

        public CountingModule(Module inner) => this.inner = Register("inner", inner);

        public int Calls { get; private set; }

        public long Rows { get; private set; }

        public void Reset() => (Calls, Rows) = (0, 0);

        protected override Tensor Forward(Tensor x)
        {
            Calls++;
            Rows += x.Shape[0];
            return inner.Call(x);
        }
    }
}
