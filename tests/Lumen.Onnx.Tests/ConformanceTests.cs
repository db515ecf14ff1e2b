using Lumen.Onnx.Testing;
using Xunit.Abstractions;

namespace Lumen.Onnx.Tests;

/// <summary>The official ONNX backend node cases (../shared/conformance/onnx-node): every case of each op Lumen lists
/// as supported passes, and no other case regresses (skipped when the shared folder is absent).</summary>
public class ConformanceTests(ITestOutputHelper output)
{
    /// <summary>Ops whose every conformance case passes (docs/onnx-coverage.md lists all ops with their counts).</summary>
    public static readonly string[] SupportedOps =
    [
        "Abs", "Acos", "Acosh", "Add", "AffineGrid", "And", "ArgMax", "ArgMin", "Asin", "Asinh", "Atan", "Atanh", "Attention", "AveragePool",
        "BatchNormalization", "BitShift", "BitwiseAnd", "BitwiseNot", "BitwiseOr", "BitwiseXor", "BlackmanWindow", "Cast", "CastLike", "CausalConvWithState",
        "Ceil", "Celu", "CenterCropPad", "Clip", "Col2Im", "Compress", "Concat", "ConstantOfShape", "Conv", "ConvInteger", "ConvTranspose", "Cos", "Cosh", "CumProd",
        "CumSum", "DFT", "DeformConv", "DepthToSpace", "Det", "DequantizeLinear", "Div", "Dropout", "DynamicQuantizeLinear", "Einsum", "Elu", "Erf", "Exp", "Expand", "EyeLike",
        "Flatten", "Floor", "GRU", "Gather", "GatherElements", "GatherND", "Gelu", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Greater",
        "GreaterOrEqual", "GridSample", "GroupNormalization", "HammingWindow", "HannWindow", "HardSigmoid", "HardSwish", "Hardmax",
        "InstanceNormalization", "IsInf", "IsNaN", "LRN", "LSTM", "LayerNormalization", "LeakyRelu", "Less", "LinearAttention", "LessOrEqual", "Log", "LogSoftmax",
        "LpNormalization", "LpPool", "MatMul", "MatMulInteger", "Max", "MaxPool", "MaxUnpool", "MelWeightMatrix", "Mean", "MeanVarianceNormalization", "Min", "Mish", "Mod", "Mul",
        "Neg", "NegativeLogLikelihoodLoss", "NonMaxSuppression", "NonZero", "Not", "OneHot", "Or", "PRelu", "Pad", "Pow", "QLinearConv",
        "QLinearMatMul", "QuantizeLinear", "RMSNormalization", "RNN", "Range", "Reciprocal", "ReduceL1", "ReduceL2", "ReduceLogSum",
        "ReduceLogSumExp", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceProd", "ReduceSum", "ReduceSumSquare", "Relu", "Reshape",
        "Resize", "ReverseSequence", "RoiAlign", "RotaryEmbedding", "Round", "STFT", "Scan", "Scatter", "ScatterElements", "ScatterND", "Selu", "Shape", "Shrink", "Sigmoid", "Sign",
        "Sin", "Sinh", "Size", "Slice", "Softmax", "SoftmaxCrossEntropyLoss", "Softplus", "Softsign", "SpaceToDepth", "Split", "Sqrt",
        "Squeeze", "Sub", "Sum", "SwiGLU", "Swish", "Tan", "Tanh", "TensorScatter", "TfIdfVectorizer", "ThresholdedRelu", "Tile", "TopK", "Transpose", "Trilu", "Unique", "Unsqueeze",
        "Upsample", "Where", "Xor",
    ];

    [SharedFact("conformance/onnx-node")]
    public void SupportedOpsPassEveryCaseAndNothingRegresses()
    {
        var root = SharedData.Path("conformance/onnx-node");
        var results = Directory.GetDirectories(root).Order(StringComparer.Ordinal).Select(BackendTest.Run).ToList();
        int passed = results.Count(r => r.Status == BackendTestStatus.Passed);
        output.WriteLine($"{passed} passed, {results.Count(r => r.Status == BackendTestStatus.Failed)} failed, {results.Count(r => r.Status == BackendTestStatus.Unsupported)} unsupported of {results.Count}");

        var supported = new HashSet<string>(SupportedOps, StringComparer.Ordinal);
        var broken = results.Where(r => supported.Contains(r.Op) && r.Status != BackendTestStatus.Passed).Select(r => $"{r.Case}: {r.Message}").ToList();
        Assert.True(broken.Count == 0, "cases of supported ops that did not pass:\n" + string.Join("\n", broken));
        Assert.True(results.Where(r => supported.Contains(r.Op)).Count() >= 1300, "the supported ops cover fewer cases than expected");

        var failures = results.Where(r => r.Status == BackendTestStatus.Failed).Select(r => $"{r.Case}: {r.Message}").ToList();
        Assert.True(failures.Count == 0, "failures:\n" + string.Join("\n", failures));
        Assert.True(passed >= 1712, $"only {passed} cases passed (1712 did when this test was last raised)");
    }
}
