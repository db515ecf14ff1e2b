using System.Globalization;
using Lumen.Tensors;
using Lumen.Tensors.Kernels;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>blocked</c>: the channel-blocked kernels of this machine (<see cref="BlockedLayout.MachineLanes"/>: NCHW16c on
/// AVX-512, NCHW8c on AVX2) on every distinct convolution of MobileNetV2's blocked chain (224×224 input, batch 1),
/// called directly on blocked arrays, one JSON line per layer: <c>{"case":"pw16x96@112","lanes":8,"us":…,"gflops":…}</c>.
/// </summary>
/// <remarks>GFLOP/s counts 2 multiply-adds' flops per weight and output position. Single-threaded by default, the best
/// of repetitions filling about <c>--seconds</c> per case on the thread's CPU clock (DepthwiseBenchmark.Measure).</remarks>
internal static class BlockedBenchmark
{
    // pointwise: input channels, output channels, side; depthwise: channels, input side, stride (TensorFlow's SAME pads)
    private static readonly (int C, int O, int Side)[] Pointwise =
    [
        (32, 16, 112), (16, 96, 112), (96, 24, 56), (24, 144, 56), (144, 24, 56), (144, 32, 28), (32, 192, 28), (192, 32, 28),
        (192, 64, 14), (64, 384, 14), (384, 64, 14), (384, 96, 14), (96, 576, 14), (576, 96, 14), (576, 160, 7), (160, 960, 7),
        (960, 160, 7), (960, 320, 7), (320, 1280, 7),
    ];

    private static readonly (int C, int Side, int Stride)[] Depthwise =
        [(32, 112, 1), (96, 112, 2), (144, 56, 1), (144, 56, 2), (192, 28, 1), (192, 28, 2), (384, 14, 1), (576, 14, 1), (576, 14, 2), (960, 7, 1)];

    public static int Run(string[] args)
    {
        int lanes = BlockedLayout.MachineLanes;
        if (lanes == 0) { Console.Error.WriteLine("blocked: no blocked kernels on this machine (neither AVX-512 nor AVX2 with FMA)."); return 1; }
        int at = Array.IndexOf(args, "--seconds");
        double seconds = at >= 0 && at + 1 < args.Length ? double.Parse(args[at + 1], CultureInfo.InvariantCulture) : 0.3;
        var names = BenchmarkArguments.StringList(args, "--cases", []);
        int saved = Parallelism.MaxDegree;
        Parallelism.MaxDegree = BenchmarkArguments.IntList(args, "--threads", [1])[0];
        var relu6 = ConvActivation.Clamp(0f, 6f);
        void Report(string name, double flops, Action action)
        {
            if (names.Length > 0 && !names.Contains(name)) return;
            double best = DepthwiseBenchmark.Measure(action, seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"case\":\"{name}\",\"lanes\":{lanes},\"us\":{best * 1e6:F1},\"gflops\":{flops / best / 1e9:F2}}}"));
        }
        try
        {
            {
                float[] image = Tensor.Randn(new Shape(1, 3, 224, 224), 1).ToArray(), w = Tensor.Randn(new Shape(32, 27), 2).ToArray(), b = new float[32];
                var y = new float[BlockedLayout.Length(1, 32, 112 * 112, lanes)];
                float[] pw = BlockedWeights.Pointwise(w, 32, 27, lanes), pb = BlockedWeights.Bias(b, 32, lanes);
                Report("stem3x32@224s2", 2.0 * 32 * 27 * 112 * 112, () =>
                {
                    if (lanes == 8) BlockedDirect8.Forward(image, 0, 3, 224, 224, (3, 3), 2, (0, 0, 1, 1), 32, pw, pb, relu6, y);
                    else BlockedDirect.Forward(image, 0, 3, 224, 224, (3, 3), 2, (0, 0, 1, 1), 32, pw, pb, relu6, y);
                });
            }
            foreach (var (c, o, side) in Pointwise)
            {
                int plane = side * side;
                var x = new float[BlockedLayout.Length(1, c, plane, lanes)];
                BlockedLayout.ToBlocked(Tensor.Randn(new Shape(1, c, plane), 3).ToArray(), 1, c, plane, x, 0, lanes);
                var y = new float[BlockedLayout.Length(1, o, plane, lanes)];
                float[] pw = BlockedWeights.Pointwise(Tensor.Randn(new Shape(o, c), 4).ToArray(), o, c, lanes), pb = BlockedWeights.Bias(new float[o], o, lanes);
                Report($"pw{c}x{o}@{side}", 2.0 * c * o * plane, () =>
                {
                    if (lanes == 8) BlockedPointwise8.Forward(x, 1, c, plane, o, pw, pb, null, default, y);
                    else BlockedPointwise.Forward(x, 1, c, plane, o, pw, pb, null, default, y);
                });
            }
            foreach (var (c, side, stride) in Depthwise)
            {
                var pads = stride == 1 ? (1, 1, 1, 1) : (0, 0, 1, 1);
                int outSide = BlockedDepthwise.OutputSize(side, stride, pads.Item1, pads.Item3);
                var x = new float[BlockedLayout.Length(1, c, side * side, lanes)];
                BlockedLayout.ToBlocked(Tensor.Randn(new Shape(1, c, side * side), 5).ToArray(), 1, c, side * side, x, 0, lanes);
                var y = new float[BlockedLayout.Length(1, c, outSide * outSide, lanes)];
                float[] pw = BlockedWeights.Depthwise(Tensor.Randn(new Shape(c, 9), 6).ToArray(), c, lanes), pb = BlockedWeights.Bias(new float[c], c, lanes);
                Report($"dw{c}@{side}s{stride}", 2.0 * c * 9 * outSide * outSide, () =>
                {
                    if (lanes == 8) BlockedDepthwise8.Forward(x, 1, c, side, side, stride, pads, pw, pb, relu6, y);
                    else BlockedDepthwise.Forward(x, 1, c, side, side, stride, pads, pw, pb, relu6, y);
                });
            }
        }
        finally { Parallelism.MaxDegree = saved; }
        return 0;
    }
}
