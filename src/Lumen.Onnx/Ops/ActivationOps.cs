using Lumen.Onnx.Graph;
using Lumen.Tensors;
using Lumen.Tensors.Kernels;

namespace Lumen.Onnx.Ops;

/// <summary>Activations and normalised exponentials: Relu, LeakyRelu, PRelu, Elu, Selu, Celu, ThresholdedRelu, SwiGLU,
/// Sigmoid, HardSigmoid, HardSwish, Tanh, Softplus, Softsign, Mish, Gelu, Clip, Shrink, Softmax, LogSoftmax, Hardmax.</summary>
internal static class ActivationOps
{
    public static void Register()
    {
        OnnxOps.Register("Relu", 6, node => inputs => [Relu(inputs.Arg(0))]);
        OnnxOps.Register("Sigmoid", 6, node => inputs => [inputs.Arg(0).Sigmoid()]);
        OnnxOps.Register("Tanh", 6, node => inputs => [inputs.Arg(0).Tanh()]);
        OnnxOps.Register("Softplus", 1, node => inputs => [Softplus(inputs.Arg(0))]);
        OnnxOps.Register("Swish", 24, node =>
        {
            float alpha = node.Float("alpha", 1f);
            return inputs => [Swish(inputs.Arg(0), alpha)];
        });
        OnnxOps.Register("SwiGLU", 28, node =>
        {
            // SwiGLU(a, b) = Swish_α(a)·b = a·σ(α·a)·b (Shazeer, "GLU Variants Improve Transformer", 2020).
            float alpha = node.Float("alpha", 1f);
            if (!node.HasInput(1)) throw node.Unsupported("single-input form (Lumen takes the gate and the value as two inputs)");
            return inputs => [Swish(inputs.Arg(0), alpha) * inputs.Arg(1)];
        });
        OnnxOps.Register("Softsign", 1, node => inputs => [Softsign(inputs.Arg(0))]);
        OnnxOps.Register("Mish", 18, node => inputs => [Mish(inputs.Arg(0))]);
        OnnxOps.Register("HardSwish", 14, node => inputs => [inputs.Arg(0).HardSwish()]);
        OnnxOps.Register("LeakyRelu", 6, node =>
        {
            float alpha = node.Float("alpha", 0.01f);
            return inputs => [inputs.Arg(0).LeakyRelu(alpha)];
        });
        OnnxOps.Register("PRelu", 7, node => inputs =>
        {
            var x = inputs.Arg(0);
            var slope = inputs.Arg(1);
            return [x.Relu() + slope * x.Minimum(Tensor.Scalar(0f))];
        });
        OnnxOps.Register("Elu", 6, node =>
        {
            float alpha = node.Float("alpha", 1f);
            return inputs => [Elu(inputs.Arg(0), alpha)];
        });
        OnnxOps.Register("Celu", 12, node =>
        {
            float alpha = node.Float("alpha", 1f);
            return inputs => [Elu(inputs.Arg(0) / alpha, 1f) * alpha];
        });
        OnnxOps.Register("Selu", 6, node =>
        {
            float alpha = node.Float("alpha", 1.67326319217681884765625f), gamma = node.Float("gamma", 1.05070102214813232421875f);
            return inputs => [Elu(inputs.Arg(0), alpha) * gamma];
        });
        OnnxOps.Register("ThresholdedRelu", 10, node =>
        {
            float alpha = node.Float("alpha", 1f);
            return inputs =>
            {
                var x = inputs.Arg(0);
                return [x * CastOps.To(x.Greater(Tensor.Scalar(alpha)), DType.Float32)];
            };
        });
        OnnxOps.Register("HardSigmoid", 6, node =>
        {
            float alpha = node.Float("alpha", 0.2f), beta = node.Float("beta", 0.5f);
            return inputs => [inputs.Arg(0).HardSigmoid(alpha, beta)];
        });
        OnnxOps.Register("Gelu", 20, node =>
        {
            string approximate = node.String("approximate", "none");
            if (approximate is not ("none" or "tanh")) throw node.Unsupported($"approximate='{approximate}'");
            return inputs => [inputs.Arg(0).Gelu(approximate == "tanh")];
        });
        OnnxOps.Register("Shrink", 9, node =>
        {
            float bias = node.Float("bias", 0f), lambd = node.Float("lambd", 0.5f);
            return inputs =>
            {
                var x = inputs.Arg(0);
                var xf = CastOps.To(x, DType.Float32);
                var above = CastOps.To(xf.Greater(Tensor.Scalar(lambd)), DType.Float32);
                var below = CastOps.To(xf.Less(Tensor.Scalar(-lambd)), DType.Float32);
                var y = above * (xf - bias) + below * (xf + bias);
                return [CastOps.To(y, x.DType)];
            };
        });
        OnnxOps.Register("Clip", 6, node =>
        {
            Tensor min = Tensor.Scalar(node.Float("min", float.NegativeInfinity)), max = Tensor.Scalar(node.Float("max", float.PositiveInfinity));
            return inputs => [Clip(inputs.Arg(0), min, max)];
        });
        OnnxOps.Register("Clip", 11, node => inputs => [Clip(inputs.Arg(0), inputs.Optional(1), inputs.Optional(2))]);
        RegisterSoftmax("Softmax", Softmax);
        RegisterSoftmax("LogSoftmax", LogSoftmax);
        RegisterSoftmax("Hardmax", Hardmax);
    }

    // mish(x) = x·tanh(softplus(x)), evaluated in double for small |x| accuracy;
    // mish'(x) = tanh(sp) + x·sigmoid(x)·(1 − tanh²(sp)).
    private static Tensor Mish(Tensor x) => OpHelpers.Pointwise(x, "Mish",
        v => (float)(v * Math.Tanh(SoftplusDouble(v))),
        t => OpHelpers.Pointwise(t, "MishDerivative", v =>
        {
            double tanhSp = Math.Tanh(SoftplusDouble(v));
            return (float)(tanhSp + v / (1 + Math.Exp(-v)) * (1 - tanhSp * tanhSp));
        }, u => u.ZerosLike()));

    // softplus(x) = log(1 + eˣ), in double with log1p so that tiny values for very negative x stay accurate; derivative σ(x).
    // Shared with the recurrent cells' activations.
    internal static Tensor Softplus(Tensor x) => OpHelpers.Pointwise(x, "Softplus", v => (float)SoftplusDouble(v), t => t.Sigmoid());

    private static double SoftplusDouble(double v) => v > 20 ? v : Math.Max(v, 0) + Math.Log(1 + Math.Exp(-Math.Abs(v)));

    private static Tensor Relu(Tensor x) => x.DType == DType.Int64 ? x.Maximum(OpHelpers.ScalarLike(x, 0)) : x.Relu();

    // x·σ(α·x) (Ramachandran et al., "Searching for Activation Functions", 2017).
    private static Tensor Swish(Tensor x, float alpha) => x * (x * alpha).Sigmoid();

    // softsign(x) = x / (1 + |x|). Shared with the recurrent cells' activations.
    internal static Tensor Softsign(Tensor x) => x / (x.Abs() + 1f);

    // elu(x) = x for x > 0, alpha·(exp(x) − 1) otherwise. Shared with the recurrent cells' activations.
    internal static Tensor Elu(Tensor x, float alpha)
    {
        var positive = CastOps.To(x.Greater(Tensor.Scalar(0f)), DType.Float32);
        // eˣ − 1 in double precision, so that Elu(0) is exactly 0 (the engine's vectorised exp is not exact at 0).
        var negativePart = OpHelpers.Pointwise(x.Minimum(Tensor.Scalar(0f)), "Expm1", v => (float)(Math.Exp(v) - 1.0), t => t.Exp()) * alpha;
        return positive * x + (1f - positive) * negativePart;
    }

    /// <summary>The form of Relu, LeakyRelu and Clip that a preceding convolution applies as it writes its output, or
    /// that runs in place on it (see <see cref="ConvActivation"/>): given the node's inputs other than input 0, the
    /// activation, or null when these inputs need the ordinary kernel (Clip bounds that are not float scalars, or not
    /// computed yet); null for other nodes. Bitwise equal to the converters above.</summary>
    public static Func<Tensor?[], ConvActivation?>? FusedForm(OnnxNode node)
    {
        if (node.Domain is not ("" or "ai.onnx")) return null;
        switch (node.OpType)
        {
            case "Relu":
                return _ => ConvActivation.Clamp(0f, null);
            case "LeakyRelu":
                float alpha = node.Float("alpha", 0.01f);
                return _ => ConvActivation.Leaky(alpha);
            case "Clip" when node.Opset < 11:
                Tensor min = Tensor.Scalar(node.Float("min", float.NegativeInfinity)), max = Tensor.Scalar(node.Float("max", float.PositiveInfinity));
                return _ => FusedClip(min, max);
            case "Clip":
                bool hasMin = node.AllInputs.Count > 1 && node.AllInputs[1].Length > 0, hasMax = node.AllInputs.Count > 2 && node.AllInputs[2].Length > 0;
                return inputs => (hasMin && inputs[1] is null) || (hasMax && inputs[2] is null) ? null
                    : FusedClip(inputs.Length > 1 ? inputs[1] : null, inputs.Length > 2 ? inputs[2] : null);
            default:
                return null;
        }
    }

    /// <summary>The slope of a rectifier whose gradient a preceding convolution may take from its own fused output when
    /// gradients are recorded (<see cref="Tensor.Conv2dRectified"/>): 0 for Relu, α for LeakyRelu with α &gt; 0; null
    /// for every other node — a slope α ≤ 0 breaks y &gt; 0 ⟺ x &gt; 0 (α = 0 also writes −0 where Relu writes +0), and
    /// Clip's gradient is 1 on a closed interval, which a clamped output cannot tell from beyond it (Clip takes
    /// <see cref="Tensor.Conv2dClamped"/>, which watches for values on the bounds).</summary>
    public static float? RectifierSlope(OnnxNode node)
    {
        if (node.Domain is not ("" or "ai.onnx")) return null;
        return node.OpType switch
        {
            "Relu" => 0f,
            "LeakyRelu" when node.Float("alpha", 0.01f) is var alpha && alpha > 0f && !float.IsPositiveInfinity(alpha) => alpha,
            _ => null,
        };
    }

    private static ConvActivation? FusedClip(Tensor? min, Tensor? max) =>
        ScalarBounds(DType.Float32, min, max) is { } bounds ? ConvActivation.Clamp(bounds.Min, bounds.Max) : null;

    /// <summary>Clip's bounds as one fused clamp (infinite bounds dropped) when x is float and min/max are float
    /// scalars with min ≤ max (e.g. ReLU6); null when Clip must take the general max-then-min path.</summary>
    private static (float? Min, float? Max)? ScalarBounds(DType x, Tensor? min, Tensor? max)
    {
        if (x != DType.Float32 || min is not (null or { Size: 1, DType: DType.Float32 }) || max is not (null or { Size: 1, DType: DType.Float32 })) return null;
        float? lo = min?.AsReadOnlySpan()[0], hi = max?.AsReadOnlySpan()[0];
        if (lo is { } a && hi is { } b && !(a <= b)) return null;
        return (lo is { } l && float.IsNegativeInfinity(l) ? null : lo, hi is { } h && float.IsPositiveInfinity(h) ? null : hi);
    }

    private static Tensor Clip(Tensor x, Tensor? min, Tensor? max)
    {
        if (ScalarBounds(x.DType, min, max) is { } bounds) return x.Clamp(bounds.Min, bounds.Max);
        if (min is not null) x = x.Maximum(min.DType == x.DType ? min : CastOps.To(min, x.DType));
        if (max is not null) x = x.Minimum(max.DType == x.DType ? max : CastOps.To(max, x.DType));
        return x;
    }

    // Opset < 13 coerces the input to 2-D at `axis` (default 1); opset ≥ 13 normalises along one axis (default −1).
    private static void RegisterSoftmax(string op, Func<Tensor, int, Tensor> f)
    {
        OnnxOps.Register(op, 1, node =>
        {
            long axis = node.Int("axis", 1);
            return inputs =>
            {
                var x = inputs.Arg(0);
                int a = OpHelpers.Axis(axis, Math.Max(x.Rank, 1), op);
                var flat = x.Reshape(x.Shape.Product(0, a), x.Shape.Product(a, x.Rank));
                return [f(flat, 1).Reshape(x.Shape.ToArray())];
            };
        });
        OnnxOps.Register(op, 13, node =>
        {
            long axis = node.Int("axis", -1);
            return inputs =>
            {
                var x = inputs.Arg(0);
                return [f(x, OpHelpers.Axis(axis, x.Rank, op))];
            };
        });
    }

    // softmax(x) = exp(x − m) / Σ exp(x − m) with m = max(x) held constant (the result does not depend on m). When no
    // gradient is recorded and the axis is the last, one kernel computes it bitwise as these ops do.
    internal static Tensor Softmax(Tensor x, int axis)
    {
        if (x.DType == DType.Float32 && axis == x.Rank - 1 && x.Rank > 0 && !(Tensors.Autograd.GradMode.IsEnabled && x.RequiresGrad))
        {
            int n = x.Shape[axis];
            return new Tensor(x.Shape, SoftmaxKernel.ApplyAsComposite(x.Floats, n == 0 ? 0 : x.Size / n, n));
        }
        var e = (x - x.Detach().Max(axis, keepDims: true)).Exp();
        return e / e.Sum(axis, keepDims: true);
    }

    // log_softmax(x) = (x − m) − log Σ exp(x − m)
    private static Tensor LogSoftmax(Tensor x, int axis)
    {
        var shifted = x - x.Detach().Max(axis, keepDims: true);
        return shifted - shifted.Exp().Sum(axis, keepDims: true).Log();
    }

    private static Tensor Hardmax(Tensor x, int axis)
    {
        var index = x.ArgMax(axis, keepDims: true);
        var ones = OpHelpers.FloatTensor(Enumerable.Repeat(1f, index.Size).ToArray(), index.Shape);
        return x.ZerosLike().ScatterElements(axis, index, ones);
    }
}
