using Lumen.NN.Layers;
using Lumen.Onnx.Ops;
using Lumen.Tensors;

namespace Lumen.Onnx;

public sealed partial class GraphModule
{
    /// <summary>Spatial locality of each node (see <see cref="ISpatiallyLocal"/>), read from its op type and
    /// attributes: convolutions and pools whose padding does not depend on the input size and stands for a constant, pointwise ops, and channel concatenation.
    /// Every other node is not local (null), so incremental evaluation recomputes it in full.</summary>
    private partial class NodeModule : ISpatiallyLocal
    {
        private static readonly HashSet<string> Unary =
        [
            "Relu", "LeakyRelu", "Clip", "PRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Celu", "Softplus", "Softsign",
            "HardSigmoid", "HardSwish", "Gelu", "Mish", "Swish", "Identity", "Dropout", "BatchNormalization",
            "Neg", "Abs", "Exp", "Log", "Sqrt", "Reciprocal", "Erf", "Floor", "Ceil", "Round", "Sign",
        ];

        private static readonly HashSet<string> Elementwise = ["Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean", "Pow"];

        public SpatialWindow? WindowFor(IReadOnlyList<Shape> inputs)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            if (inputs.Count == 0 || inputs[0].Rank != 4 || Node.Domain is not ("" or "ai.onnx")) return null;
            var op = Node.OpType;
            // A training-mode Dropout draws its mask for the whole tensor, and MaxPool's Indices count positions in
            // the whole input: neither can be recomputed on a crop.
            if (op == "Dropout" && Node.HasInput(2) && !(Node.ConstantInput(2) is { } mode && OpHelpers.Longs(mode)[0] == 0)) return null;
            if (op == "MaxPool" && Node.Outputs.Count > 1 && Node.Outputs[1].Length > 0) return null;
            if (Unary.Contains(op)) return SpatialWindow.Pointwise(0);
            if (Elementwise.Contains(op)) return SpatialWindow.Pointwise([.. Enumerable.Range(0, inputs.Count)]);
            if (op == "Concat")
            {
                long axis = Node.Int("axis", 0);
                return axis is 1 or -3 && inputs.All(s => s.Rank == 4) ? SpatialWindow.Pointwise([.. Enumerable.Range(0, inputs.Count)]) : null;
            }
            if (op is "Conv" or "MaxPool" or "AveragePool")
            {
                var a = new ConvAttributes(Node);
                var kernel = op == "Conv"
                    ? inputs.Count > 1 && inputs[1].Rank == 4 ? (inputs[1][2], inputs[1][3]) : ((int, int)?)null
                    : a.Kernel is { Length: 2 } k ? ((int)k[0], (int)k[1]) : null;
                if (kernel is not { } size) return null;
                var stride = ConvAttributes.Pair(a.Strides, 2, 1);
                var dilation = ConvAttributes.Pair(a.Dilations, 2, 1);
                // "Same" padding depends on the input size unless the stride is 1; a crop would then be padded differently.
                if (a.AutoPad is "SAME_UPPER" or "SAME_LOWER" && stride != (1, 1)) return null;
                var pads = a.Pads(2, (inputs[0][2], inputs[0][3]), size, stride, dilation);
                // Average pooling that leaves padding out of the count has no pad value that stands for its padding.
                bool excludesPadding = op == "AveragePool" && Node.Int("count_include_pad", 0) == 0;
                if (excludesPadding && (pads != (0, 0, 0, 0) || Node.Int("ceil_mode", 0) != 0)) return null;
                return SpatialWindow.Kernel(size, stride, (pads.Top, pads.Left), dilation, op == "MaxPool" ? float.NegativeInfinity : 0f);
            }
            return null;
        }
    }
}
