using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx;

public sealed partial class GraphModule
{
    /// <summary>The role of each node for propagation methods (LRP, DeepLift, guided backprop), read from its op
    /// type and from which inputs are constants: a node gets the marker interface of its role, or none.</summary>
    private partial class NodeModule
    {
        private static readonly HashSet<string> Rectifiers = ["Relu", "LeakyRelu", "Clip", "PRelu"];
        private static readonly HashSet<string> Activations = ["Sigmoid", "Tanh", "Elu", "Selu", "Celu", "Softplus", "Softsign", "HardSigmoid", "HardSwish", "Gelu", "Mish", "Swish"];
        private static readonly HashSet<string> Structural = ["Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Split", "Slice", "Identity", "Dropout", "Gather", "Expand", "Tile", "DepthToSpace", "SpaceToDepth"];
        private static readonly HashSet<string> Sums = ["Add", "Sub", "Sum", "Mean", "AveragePool", "GlobalAveragePool", "ReduceMean", "ReduceSum", "Pad"];
        private static readonly HashSet<string> Norms = ["LayerNormalization", "GroupNormalization", "InstanceNormalization", "RMSNormalization", "LpNormalization"];

        public static NodeModule Create(OnnxNode node, OnnxKernel kernel, IReadOnlyDictionary<string, Parameter> parameters)
        {
            if (node.Domain is not ("" or "ai.onnx")) return new NodeModule(node, kernel);
            var op = node.OpType;
            if (op is "Conv" or "ConvTranspose" or "Gemm" or "MatMul" && LinearNode.TryCreate(node, kernel, parameters) is { } linear) return linear;
            if (Rectifiers.Contains(op)) return new RectifierNode(node, kernel);
            if (Activations.Contains(op)) return new ActivationNode(node, kernel);
            if (Structural.Contains(op)) return new StructuralNode(node, kernel);
            if (op is "MaxPool" or "GlobalMaxPool") return new MaxPoolNode(node, kernel);
            if (op is "Softmax" or "LogSoftmax") return new SoftmaxNode(node, kernel);
            if (op == "BatchNormalization") return new BatchNormNode(node, kernel);
            if (Norms.Contains(op)) return new NormalizationNode(node, kernel);
            if (Sums.Contains(op)) return new AffineNode(node, kernel);
            // x·c and x/c are affine when the other operand is a constant.
            if (op == "Mul" && (node.ConstantInput(0) is not null || node.ConstantInput(1) is not null)) return new AffineNode(node, kernel);
            if (op == "Div" && node.ConstantInput(1) is not null) return new AffineNode(node, kernel);
            return new NodeModule(node, kernel);
        }
    }

    /// <summary>Conv, ConvTranspose, Gemm or MatMul whose weight (and bias) are initializers.</summary>
    private sealed class LinearNode(OnnxNode node, OnnxKernel kernel, Parameter weight, Parameter? bias) : NodeModule(node, kernel), ILinearLike
    {
        public Parameter Weight { get; } = weight;

        public Parameter? Bias { get; } = bias;

        public static LinearNode? TryCreate(OnnxNode node, OnnxKernel kernel, IReadOnlyDictionary<string, Parameter> parameters)
        {
            if (!node.HasInput(1) || !parameters.TryGetValue(node.Inputs[1], out var weight)) return null;
            if (node.OpType == "Gemm" && node.Int("transA", 0) != 0) return null;
            Parameter? bias = null;
            if (node.OpType != "MatMul" && node.HasInput(2) && !parameters.TryGetValue(node.Inputs[2], out bias)) return null;
            return new LinearNode(node, kernel, weight, bias);
        }

        public Tensor Apply(Tensor input, Tensor weight, Tensor? bias)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(weight);
            var args = Node.OpType == "MatMul" ? new Tensor?[] { input, weight } : [input, weight, bias];
            return Kernel(args)[0];
        }
    }

    private sealed class RectifierNode(OnnxNode node, OnnxKernel kernel) : NodeModule(node, kernel), IRectifier;

    private sealed class ActivationNode(OnnxNode node, OnnxKernel kernel) : NodeModule(node, kernel), IActivation;

    private sealed class StructuralNode(OnnxNode node, OnnxKernel kernel) : NodeModule(node, kernel), IStructural;

    private sealed class MaxPoolNode(OnnxNode node, OnnxKernel kernel) : NodeModule(node, kernel), IMaxPooling;

    private sealed class SoftmaxNode(OnnxNode node, OnnxKernel kernel) : NodeModule(node, kernel), ISoftmax;

    private sealed class AffineNode(OnnxNode node, OnnxKernel kernel) : NodeModule(node, kernel), IAffine;

    private sealed class BatchNormNode(OnnxNode node, OnnxKernel kernel) : NodeModule(node, kernel), IAffine, INormalization;

    private sealed class NormalizationNode(OnnxNode node, OnnxKernel kernel) : NodeModule(node, kernel), INormalization;
}
