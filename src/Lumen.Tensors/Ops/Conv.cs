using System.Numerics.Tensors;
using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>Convolutions: 2-D (grouped, strided, asymmetrically padded, dilated) and 1-D on top of it.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// 2-D cross-correlation of this input [N, C, H, W] with <paramref name="weight"/> [O, C/groups, kh, kw], plus
    /// an optional per-channel <paramref name="bias"/> [O]. Returns [N, O, OH, OW].
    /// </summary>
    /// <remarks>y[n, o, r, s] = b[o] + Σ_{c, i, j} w[o, c, i, j] · x[n, g·C/groups + c, r·sh − top + i·dh, s·sw − left + j·dw],
    /// with g = o / (O/groups) and zeros outside the input; OH = ⌊(H + top + bottom − dh·(kh − 1) − 1)/sh⌋ + 1.
    /// Depthwise convolutions (groups == C == O) run a direct SIMD kernel, the rest im2col + GEMM.</remarks>
    /// <example><code>var y = x.Conv2d(w, b, stride: (2, 2), padding: (1, 1, 0, 0), dilation: (1, 1)); // TensorFlow-style SAME padding</code></example>
    public Tensor Conv2d(Tensor weight, Tensor? bias, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding, (int H, int W) dilation, int groups = 1)
    {
        var g = ConvGeometryOf("Conv2d", weight, bias, stride, padding, dilation, groups);
        return Conv2dCore(this, weight, bias, g);
    }

    /// <summary>2-D convolution with the same stride, padding (all four sides) and dilation along both axes.</summary>
    /// <example><code>var y = x.Conv2d(w, b, stride: 1, padding: 1); // ResNet 3×3 layer</code></example>
    public Tensor Conv2d(Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(weight, bias, (stride, stride), (padding, padding, padding, padding), (dilation, dilation), groups);

    /// <summary>1-D convolution of this input [N, C, L] with <paramref name="weight"/> [O, C/groups, k] and an optional
    /// bias [O]; returns [N, O, OL]. Computed as a 2-D convolution with height 1.</summary>
    public Tensor Conv1d(Tensor weight, Tensor? bias, int stride, (int Left, int Right) padding, int dilation = 1, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (Rank != 3) throw new ArgumentException($"Conv1d: input must be [N, C, L], got {Shape}.");
        if (weight.Rank != 3) throw new ArgumentException($"Conv1d: weight must be [O, C/groups, k], got {weight.Shape}.");
        var x2 = Reshape(Shape[0], Shape[1], 1, Shape[2]);
        var w2 = weight.Reshape(weight.Shape[0], weight.Shape[1], 1, weight.Shape[2]);
        var y = x2.Conv2d(w2, bias, (1, stride), (0, padding.Left, 0, padding.Right), (1, dilation), groups);
        return y.Reshape(y.Shape[0], y.Shape[1], y.Shape[3]);
    }

    /// <summary>1-D convolution with the same padding on both ends.</summary>
    public Tensor Conv1d(Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv1d(weight, bias, stride, (padding, padding), dilation, groups);

    /// <summary>
    /// Inference only: <see cref="Conv2d(Tensor, Tensor?, ValueTuple{int, int}, ValueTuple{int, int, int, int}, ValueTuple{int, int}, int)"/>
    /// followed by an activation applied to each output value as it is written — bitwise the same as the two ops
    /// in sequence, without a second pass over the output. Not differentiable: refused when gradients would be recorded.
    /// </summary>
    internal Tensor Conv2dActivated(Tensor weight, Tensor? bias, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding,
        (int H, int W) dilation, int groups, ConvActivation activation)
    {
        var g = ConvGeometryOf("Conv2d", weight, bias, stride, padding, dilation, groups);
        RequireInference(weight, bias);
        return ConvOutput(this, weight, bias, g, activation);
    }

    /// <summary>The output's spatial size of <see cref="Conv2d(Tensor, Tensor?, ValueTuple{int, int}, ValueTuple{int, int, int, int}, ValueTuple{int, int}, int)"/>
    /// with these operands, which are checked as it checks them.</summary>
    internal (int Height, int Width) Conv2dOutputSize(Tensor weight, Tensor? bias, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding,
        (int H, int W) dilation, int groups)
    {
        var g = ConvGeometryOf("Conv2d", weight, bias, stride, padding, dilation, groups);
        return (g.OutHeight, g.OutWidth);
    }

    /// <summary>Refuses a fused-activation convolution (inference only) when gradients would be recorded.</summary>
    private void RequireInference(Tensor weight, Tensor? bias)
    {
        if (GradMode.IsEnabled && (RequiresGrad || weight.RequiresGrad || bias?.RequiresGrad == true))
            throw new InvalidOperationException($"Conv2d with a fused activation is for inference only, but gradients are recorded (input {Shape}, weight {weight.Shape}).");
    }

    /// <summary>
    /// Inference only: <see cref="Conv2dActivated"/> followed by <c>MaxPool2d</c>
    /// with these pooling hyper-parameters, bitwise the two ops in sequence, without writing the convolution's whole
    /// output: band by band, each band's rows pooled while in cache (<see cref="ConvDirect.ForwardPooled"/>). Null,
    /// with nothing run, where the convolution does not take the direct path (a first layer of at most 36 taps per output).
    /// </summary>
    internal Tensor? Conv2dActivatedMaxPooled(Tensor weight, Tensor? bias, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding,
        (int H, int W) dilation, int groups, ConvActivation activation,
        (int H, int W) poolKernel, (int H, int W) poolStride, (int Top, int Left, int Bottom, int Right) poolPadding, (int H, int W) poolDilation, bool ceilMode)
    {
        var g = ConvGeometryOf("Conv2d", weight, bias, stride, padding, dilation, groups);
        RequireInference(weight, bias);
        if (!ConvDirect.Applies(g) || g.OutHeight == 0 || g.OutWidth == 0) return null;
        var pool = PoolGeometryFor("MaxPool2d", new Shape(g.Batch, g.OutChannels, g.OutHeight, g.OutWidth), poolKernel, poolStride, poolPadding, poolDilation, ceilMode);
        var y = StoragePool.NewFloats(pool.Planes * pool.OutHeight * pool.OutWidth, overwrite: true);
        ConvDirect.ForwardPooled(Floats, weight.Floats, y, g, new ConvEpilogue(bias?.Floats, activation, null), pool);
        return new Tensor(new Shape(g.Batch, g.OutChannels, pool.OutHeight, pool.OutWidth), y);
    }

    /// <summary>
    /// Inference only: <see cref="Conv2dActivated"/> with the output [N, O, H', W'] written into <paramref name="target"/>
    /// as <paramref name="place"/> says, the rest of it untouched, instead of into a new tensor: an input of a channel
    /// concatenation written in place at its channels (see OnnxGraph). Returns the output's shape, or null, with
    /// nothing written, when it would not fit in <paramref name="target"/> so.
    /// </summary>
    internal Shape? Conv2dActivatedInto(Tensor weight, Tensor? bias, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding,
        (int H, int W) dilation, int groups, ConvActivation activation, float[] target, ConvPlacement place)
    {
        var g = ConvGeometryOf("Conv2d", weight, bias, stride, padding, dilation, groups);
        RequireInference(weight, bias);
        if (!place.Fits(g, target.LongLength)) return null;
        Conv2dKernel.ForwardAt(Floats, weight.Floats, target, place, g, new ConvEpilogue(bias?.Floats, activation, null));
        return new Shape(g.Batch, g.OutChannels, g.OutHeight, g.OutWidth);
    }

    /// <summary>
    /// Inference only: <see cref="Conv2d(Tensor, Tensor?, ValueTuple{int, int}, ValueTuple{int, int, int, int}, ValueTuple{int, int}, int)"/>
    /// followed by the addition of <paramref name="residual"/> (a tensor of the output's shape: a residual connection's
    /// other operand) and then by <paramref name="activation"/>, each value finished as it is written:
    /// act((conv + bias) + residual), bitwise the ops in sequence (the addition as <see cref="Add(Tensor)"/> — both
    /// operand orders give the same sum; only which NaN's payload a NaN carries may differ). Null, with nothing run,
    /// when the residual is not a float32 tensor of the output's shape. Not differentiable: refused when gradients
    /// would be recorded.
    /// </summary>
    internal Tensor? Conv2dResidual(Tensor weight, Tensor? bias, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding,
        (int H, int W) dilation, int groups, Tensor residual, ConvActivation activation = default)
    {
        ArgumentNullException.ThrowIfNull(residual);
        var g = ConvGeometryOf("Conv2d", weight, bias, stride, padding, dilation, groups);
        if (GradMode.IsEnabled && (RequiresGrad || weight.RequiresGrad || bias?.RequiresGrad == true || residual.RequiresGrad))
            throw new InvalidOperationException($"Conv2d with a fused residual is for inference only, but gradients are recorded (input {Shape}, weight {weight.Shape}).");
        if (residual.DType != DType.Float32 || residual.Shape != new Shape(g.Batch, g.OutChannels, g.OutHeight, g.OutWidth)) return null;
        return ConvOutput(this, weight, bias, g, activation, residual: residual);
    }

    /// <summary>
    /// <see cref="Conv2d(Tensor, Tensor?, ValueTuple{int, int}, ValueTuple{int, int, int, int}, ValueTuple{int, int}, int)"/>
    /// followed by ReLU (<paramref name="slope"/> 0, as <see cref="Relu"/>) or by a leaky ReLU of slope α &gt; 0 (as
    /// <see cref="LeakyRelu"/>), as one recorded op: the forward pass is the fused kernel (the activation applied as the
    /// output is written, no second pass or array), and the backward pass masks the output gradient and runs the
    /// convolution's backward. Values and gradients, first and higher order, are bitwise those of the two ops.
    /// </summary>
    /// <remarks>Both activations keep the sign: y = act(u) &gt; 0 exactly where u &gt; 0 (NaN, ±0 and underflowing α·u
    /// included), so the mask that the separate rules take from u — g where u &gt; 0, else 0 or α·g — is read off y.
    /// A clamp (ReLU6, Clip) needs more, since a clamped output equal to a bound does not say whether u lay on it or
    /// beyond: see <see cref="Conv2dClamped"/>.</remarks>
    internal Tensor Conv2dRectified(Tensor weight, Tensor? bias, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding,
        (int H, int W) dilation, int groups, float slope)
    {
        if (!(slope >= 0f) || float.IsPositiveInfinity(slope))
            throw new ArgumentOutOfRangeException(nameof(slope), $"Conv2d with a fused rectifier: slope {slope} must be 0 (ReLU) or a finite α > 0 (leaky ReLU) (input {Shape}, weight {weight.Shape}).");
        var g = ConvGeometryOf("Conv2d", weight, bias, stride, padding, dilation, groups);
        var y = ConvOutput(this, weight, bias, g, slope == 0f ? ConvActivation.Clamp(0f, null) : ConvActivation.Leaky(slope));
        var rule = Gradients.Conv2dRectifiedRule(this, weight, g, y, slope);
        return bias is null ? Gradients.Record(y, "Conv2dRectified", rule, this, weight) : Gradients.Record(y, "Conv2dRectified", rule, this, weight, bias);
    }

    /// <summary>
    /// <see cref="Conv2d(Tensor, Tensor?, ValueTuple{int, int}, ValueTuple{int, int, int, int}, ValueTuple{int, int}, int)"/>
    /// followed by <see cref="Clamp"/>(<paramref name="min"/>, <paramref name="max"/>) (ReLU6, ONNX Clip), as one recorded
    /// op: the fused kernel writes y = clamp(u), u = conv(x, w) + b, and notes the output channels in which some u lay
    /// exactly on a bound; the backward pass masks the output gradient — by lo &lt; y &lt; hi, and in the noted channels
    /// by lo ≤ u ≤ hi on u computed again for those channels alone — and runs the convolution's backward. Values and
    /// gradients, first and higher order, are bitwise those of the two ops.
    /// </summary>
    /// <remarks>Clamp's gradient is 1 on the closed interval lo ≤ u ≤ hi (NaN outside), and y = lo both for u = lo and
    /// for u &lt; lo. Where no u equals a bound (±0 equal), lo ≤ u ≤ hi ⟺ lo &lt; y &lt; hi (NaN: neither), so the mask
    /// is read off y. Ties are common in real models: a channel with a zero bias meets a zero input region (the ReLU6
    /// before it), or has an all-zero filter. Their u is recomputed by the same kernels on the noted channels (two at
    /// least, so that a pointwise product keeps its GEMM summation order), which gives it bitwise; a grouped
    /// convolution that is neither depthwise nor of one group instead falls back to the two recorded ops. Not fused:
    /// no bound at all (the clamp's gradient then passes NaN too) and NaN bounds.</remarks>
    internal Tensor Conv2dClamped(Tensor weight, Tensor? bias, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding,
        (int H, int W) dilation, int groups, float? min, float? max)
    {
        RequireOrderedBounds(min, max);
        var g = ConvGeometryOf("Conv2d", weight, bias, stride, padding, dilation, groups);
        float lo = min ?? float.NegativeInfinity, hi = max ?? float.PositiveInfinity;
        if ((min is null && max is null) || float.IsNaN(lo) || float.IsNaN(hi)) return Conv2dCore(this, weight, bias, g).Clamp(min, max);
        var ties = new ClampTies(g.OutChannels);
        var y = ConvOutput(this, weight, bias, g, ConvActivation.Clamp(min, max), ties);
        TiedChannels? tied = null;
        if (ties.Seen && (tied = TiedPreactivations(this, weight, bias, g, ties.Channels())) is null)
            return Conv2dCore(this, weight, bias, g).Clamp(min, max);
        var rule = Gradients.Conv2dClampedRule(this, weight, g, y, lo, hi, tied);
        return bias is null ? Gradients.Record(y, "Conv2dClamped", rule, this, weight) : Gradients.Record(y, "Conv2dClamped", rule, this, weight, bias);
    }

    /// <summary>u = conv(x, w) + b on the output <paramref name="channels"/> only (one more when there is one: a
    /// pointwise GEMM of one row would run as dot products, another summation order), computed by the same kernels
    /// with the same per-element operations as the whole convolution, so bitwise its values; null for grouped
    /// convolutions other than depthwise ones.</summary>
    internal static TiedChannels? TiedPreactivations(Tensor x, Tensor weight, Tensor? bias, in ConvGeometry g, int[] channels)
    {
        if (g.Groups != 1 && !g.IsDepthwise) return null;
        if (channels.Length == 1 && g.OutChannels > 1) channels = channels[0] == 0 ? [0, 1] : [0, channels[0]];
        int count = channels.Length, taps = weight.Size / g.OutChannels;
        var w = new float[count * taps];
        var b = bias is null ? null : new float[count];
        for (int j = 0; j < count; j++)
        {
            weight.Floats.AsSpan(channels[j] * taps, taps).CopyTo(w.AsSpan(j * taps));
            if (b is not null) b[j] = bias!.Floats[channels[j]];
        }
        var input = x.Floats;
        var sub = g with { OutChannels = count };
        if (g.IsDepthwise)
        {
            // each output channel reads its own input plane: gather those planes
            sub = sub with { InChannels = count, Groups = count };
            input = new float[g.Batch * count * g.InPlane];
            for (int n = 0; n < g.Batch; n++)
                for (int j = 0; j < count; j++)
                    x.Floats.AsSpan((n * g.InChannels + channels[j]) * g.InPlane, g.InPlane).CopyTo(input.AsSpan((n * count + j) * g.InPlane));
        }
        var u = new float[g.Batch * count * g.OutPlane];
        Conv2dKernel.Forward(input, w, u, sub, new ConvEpilogue(b));
        return new TiedChannels(channels, u);
    }

    /// <summary>Runs the convolution described by <paramref name="g"/> and records its backward rule.</summary>
    internal static Tensor Conv2dCore(Tensor x, Tensor weight, Tensor? bias, ConvGeometry g)
    {
        var result = ConvOutput(x, weight, bias, g, default);
        var rule = Gradients.Conv2dRule(x, weight, g);
        return bias is null ? Gradients.Record(result, "Conv2d", rule, x, weight) : Gradients.Record(result, "Conv2d", rule, x, weight, bias);
    }

    /// <summary>conv(x, w) with the bias, the <paramref name="residual"/> (when given) and <paramref name="activation"/>
    /// applied as the kernel writes, into a new (possibly pooled) tensor; nothing recorded. A clamp reports into <paramref name="ties"/>, when given, whether
    /// any value met one of its bounds.</summary>
    private static unsafe Tensor ConvOutput(Tensor x, Tensor weight, Tensor? bias, in ConvGeometry g, ConvActivation activation, ClampTies? ties = null,
        Tensor? residual = null)
    {
        var y = StoragePool.NewFloats(g.Batch * g.OutChannels * g.OutPlane, overwrite: true);   // Forward overwrites every output element
        var epilogue = new ConvEpilogue(bias?.Floats, activation, ties);
        if (residual is null) Conv2dKernel.Forward(x.Floats, weight.Floats, y, g, epilogue);
        else
            fixed (float* py = y, pr = residual.Floats)          // pinned for the call: the epilogue reads y's place + offset
                Conv2dKernel.Forward(x.Floats, weight.Floats, y, g, epilogue.WithResidual((nint)(pr - py)));
        return new Tensor(new Shape(g.Batch, g.OutChannels, g.OutHeight, g.OutWidth), y);
    }

    /// <summary>y[n, c, ·] += bias[c] for every image and channel plane.</summary>
    internal static void AddChannelBias(float[] y, Tensor bias, int batch, int channels, int plane)
    {
        var b = bias.Floats;
        Parallelism.For(batch * channels, plane, (start, end) =>
        {
            for (int p = start; p < end; p++)
            {
                var span = y.AsSpan(p * plane, plane);
                TensorPrimitives.Add(span, b[p % channels], span);
            }
        });
    }

    /// <summary>Checks a convolution's operands and hyper-parameters and returns its geometry.</summary>
    private ConvGeometry ConvGeometryOf(string op, Tensor weight, Tensor? bias, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding, (int H, int W) dilation, int groups)
    {
        ArgumentNullException.ThrowIfNull(weight);
        RequireConvOperands(op, weight, bias, stride, padding, dilation, groups);
        if (weight.Rank != 4) throw new ArgumentException($"{op}: weight must be [O, C/groups, kh, kw], got {weight.Shape}.");
        int o = weight.Shape[0], c = Shape[1];
        if (o % groups != 0) throw new ArgumentException($"{op}: weight {weight.Shape} has {o} output channels, which groups {groups} does not divide.");
        if (c != weight.Shape[1] * groups)
            throw new ArgumentException($"{op}: input {Shape} has {c} channels but weight {weight.Shape} expects {weight.Shape[1] * groups} (groups {groups}).");
        if (bias is not null && (bias.Rank != 1 || bias.Size != o))
            throw new ArgumentException($"{op}: bias {bias.Shape} must be [{o}] to match weight {weight.Shape}.");
        int kh = weight.Shape[2], kw = weight.Shape[3];
        if (Shape[2] + padding.Top + padding.Bottom < dilation.H * (kh - 1) + 1 || Shape[3] + padding.Left + padding.Right < dilation.W * (kw - 1) + 1)
            throw new ArgumentException($"{op}: input {Shape} with padding (top {padding.Top}, left {padding.Left}, bottom {padding.Bottom}, right {padding.Right}) is smaller than the kernel of weight {weight.Shape} dilated by ({dilation.H}, {dilation.W}).");
        return new ConvGeometry(Shape[0], c, Shape[2], Shape[3], o, kh, kw, stride.H, stride.W,
            padding.Top, padding.Left, padding.Bottom, padding.Right, dilation.H, dilation.W, groups);
    }

    /// <summary>Dtype, rank and hyper-parameter checks shared by Conv2d and ConvTranspose2d.</summary>
    private void RequireConvOperands(string op, Tensor weight, Tensor? bias, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding, (int H, int W) dilation, int groups)
    {
        RequireFloat(op);
        weight.RequireFloat(op);
        bias?.RequireFloat(op);
        if (Rank != 4) throw new ArgumentException($"{op}: input must be [N, C, H, W], got {Shape}.");
        if (stride.H < 1 || stride.W < 1) throw new ArgumentOutOfRangeException(nameof(stride), $"{op}: stride ({stride.H}, {stride.W}) must be at least 1.");
        if (dilation.H < 1 || dilation.W < 1) throw new ArgumentOutOfRangeException(nameof(dilation), $"{op}: dilation ({dilation.H}, {dilation.W}) must be at least 1.");
        if (padding.Top < 0 || padding.Left < 0 || padding.Bottom < 0 || padding.Right < 0)
            throw new ArgumentOutOfRangeException(nameof(padding), $"{op}: padding (top {padding.Top}, left {padding.Left}, bottom {padding.Bottom}, right {padding.Right}) must not be negative.");
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), $"{op}: groups {groups} must be at least 1.");
        if (Shape[1] % groups != 0) throw new ArgumentException($"{op}: input {Shape} has {Shape[1]} channels, which groups {groups} does not divide.");
        if (weight.Rank == 4 && (weight.Shape[2] == 0 || weight.Shape[3] == 0)) throw new ArgumentException($"{op}: weight {weight.Shape} has an empty kernel.");
    }
}
