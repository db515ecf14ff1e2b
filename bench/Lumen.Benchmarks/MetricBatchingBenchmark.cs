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
/// perturbed copies into shared forward passes instead of one pass per copy. Then times every robustness metric that
/// re-explains perturbed inputs twice, with Saliency and Integrated Gradients (16 steps): once with one Explain call per
/// perturbation draw (BatchSize = samples) and once with all draws stacked into batched calls, and prints the ratio of
/// the process CPU time (stable on a shared machine, unlike wall time) per-draw / batched. With
/// <c>--onnx FILE.onnx</c> (an ImageNet classifier, e.g. ../shared/models/imagenet/mobilenetv2-1.0-224.onnx) only the
/// robustness timing runs, on that model at 224×224 with Saliency.
/// </summary>
public static class MetricBatchingBenchmark
{
    public static int Run(string[] args)
    {
        int samples = BenchmarkArguments.IntList(args, "--samples", [2])[0], side = BenchmarkArguments.IntList(args, "--side", [32])[0];
        if (BenchmarkArguments.StringList(args, "--onnx", []) is [var file])
        {
            var onnx = new CountingModule(Lumen.Onnx.OnnxModel.Load(file));
            onnx.Eval();
            RobustnessBatching(onnx, Tensor.Rand(new Shape(samples, 3, 224, 224), seed: 3), Target.Classes([.. Enumerable.Range(0, samples).Select(i => 100 * i)]), samples,
                [("saliency", m => new Saliency(m))]);
            return 0;
        }
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
        RobustnessBatching(model, x, target, samples, [("saliency", m => new Saliency(m)), ("integrated-gradients", m => new IntegratedGradients(m, new() { Steps = 16 }))]);
        return 0;
    }

    private static void RobustnessBatching(CountingModule model, Tensor x, Target target, int samples, (string Name, Func<Module, IAttributionMethod> Create)[] explainers)
    {
        foreach (var (method, explainer) in explainers)
        {
            var input = new MetricInput(model, x, explainer(model).Explain(x, target).Map, target) { Explainer = explainer };
            foreach (var name in new[] { "max-sensitivity", "local-lipschitz-estimate", "continuity", "relative-input-stability", "relative-output-stability", "relative-representation-stability" })
            {
                var perDraw = Timed(() => Robustness(name, samples).Evaluate(input), model);
                var batched = Timed(() => Robustness(name, null).Evaluate(input), model);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"bench\":\"metric-batching-robustness\",\"metric\":\"{name}\",\"method\":\"{method}\",\"samples\":{samples},\"perDrawForwardCalls\":{perDraw.Calls},\"batchedForwardCalls\":{batched.Calls},\"perDrawCpuSeconds\":{perDraw.Cpu:F3},\"batchedCpuSeconds\":{batched.Cpu:F3},\"cpuRatio\":{perDraw.Cpu / Math.Max(batched.Cpu, 1e-9):F2},\"perDrawWallSeconds\":{perDraw.Wall:F3},\"batchedWallSeconds\":{batched.Wall:F3},\"sameScore\":{(Math.Abs(perDraw.Value - batched.Value) <= 1e-4 * Math.Max(1, Math.Abs(perDraw.Value)) || double.IsNaN(perDraw.Value) && double.IsNaN(batched.Value) ? "true" : "false")}}}"));
            }
        }
    }

    /// <summary>A robustness metric with 10 draws (8 translations for continuity) and the given rows per Explain call.</summary>
    private static IMetric Robustness(string name, int? batchSize) => name switch
    {
        "max-sensitivity" => new Metrics.Robustness.MaxSensitivity(new() { Runs = 10, BatchSize = batchSize }),
        "local-lipschitz-estimate" => new Metrics.Robustness.LocalLipschitzEstimate(new() { Runs = 10, Noise = Metrics.Functions.Noise.Gaussian(0.1f), BatchSize = batchSize }),
        "continuity" => new Metrics.Robustness.Continuity(new() { Steps = 8, BatchSize = batchSize }),
        "relative-input-stability" => new Metrics.Robustness.RelativeInputStability(new() { Runs = 10, BatchSize = batchSize }),
        "relative-output-stability" => new Metrics.Robustness.RelativeOutputStability(new() { Runs = 10, BatchSize = batchSize }),
        _ => new Metrics.Robustness.RelativeRepresentationStability(new() { Runs = 10, BatchSize = batchSize }),
    };

    /// <summary>Runs <paramref name="evaluate"/> three times; the median process CPU time and wall time, the forward
    /// calls of one run and the score.</summary>
    private static (double Cpu, double Wall, int Calls, double Value) Timed(Func<MetricResult> evaluate, CountingModule model)
    {
        var process = Process.GetCurrentProcess();
        var times = new List<double>();
        var walls = new List<double>();
        double value = double.NaN;
        int calls = 0;
        for (int i = 0; i < 3; i++)
        {
            model.Reset();
            process.Refresh();
            var before = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            value = evaluate().Value;
            walls.Add(watch.Elapsed.TotalSeconds);
            process.Refresh();
            times.Add((process.TotalProcessorTime - before).TotalSeconds);
            calls = model.Calls;
        }
        return (times.Order().ElementAt(1), walls.Order().ElementAt(1), calls, value);
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
