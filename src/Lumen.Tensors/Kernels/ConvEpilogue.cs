using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lumen.Tensors.Kernels;

/// <summary>What a convolution applies to each output value as it is written: nothing, a clamp to [Min, Max]
/// (ReLU is [0, ∞), ReLU6 [0, 6]) or a leaky rectifier with slope Alpha.</summary>
internal enum ConvActivationKind
{
    /// <summary>The bias alone.</summary>
    None,

    /// <summary>y = min(max(y, Min), Max), as <see cref="Tensor.Clamp"/>.</summary>
    Clamp,

    /// <summary>y = y &gt; 0 ? y : Alpha·y, as <see cref="LeakyRectifier"/>.</summary>
    Leaky,
}

/// <summary>An activation fused into a convolution (see <see cref="ConvEpilogue"/>).</summary>
internal readonly record struct ConvActivation(ConvActivationKind Kind, float Min = float.NegativeInfinity, float Max = float.PositiveInfinity, float Alpha = 0f)
{
    /// <summary>y = min(max(y, min), max); a missing bound is infinite.</summary>
    public static ConvActivation Clamp(float? min, float? max) =>
        new(ConvActivationKind.Clamp, min ?? float.NegativeInfinity, max ?? float.PositiveInfinity);

    /// <summary>y = y &gt; 0 ? y : α·y.</summary>
    public static ConvActivation Leaky(float alpha) => new(ConvActivationKind.Leaky, Alpha: alpha);
}

/// <summary>
/// The per-channel bias, an optional residual and the elementwise activation a convolution applies to its output
/// while the output is still in cache, instead of in separate passes over the whole tensor:
/// y[c, ·] = act((y[c, ·] + bias[c]) + r[c, ·]), r being a tensor of the output's shape (a residual connection's
/// other operand, <see cref="WithResidual"/>) or nothing.
/// </summary>
/// <remarks>Bitwise equal to the unfused passes (<see cref="System.Numerics.Tensors.TensorPrimitives.Add(ReadOnlySpan{float}, float, Span{float})"/>,
/// <c>Max</c>/<c>Min</c> and <see cref="LeakyRectifier"/>): the same IEEE operations on each value in the same order,
/// with NaN propagated and +0 above −0 — the residual is added as an Add node does, after the bias and before the
/// activation (ResNet's Conv → Add → Relu order). Rows are channels from <see cref="FirstChannel"/> on. A clamp may be watched
/// (<see cref="ClampTies"/>): every value stored is then also compared with the bounds before it is clamped, and any
/// equality is reported — the values written are the same.</remarks>
internal readonly unsafe struct ConvEpilogue
{
    private readonly float[]? bias;
    private readonly ClampTies? ties;
    private readonly nint residualOffset;     // floats from an output value to its residual (both arrays pinned)

    /// <summary>An epilogue adding <paramref name="bias"/> (or nothing) and then applying the given activation; a clamp
    /// also reports into <paramref name="ties"/>, when given, the channels in which a value met one of its bounds.</summary>
    public ConvEpilogue(float[]? bias, ConvActivation activation = default, ClampTies? ties = null)
        : this(bias, activation.Kind, activation.Min, activation.Max, activation.Alpha, ties)
    {
        if (ties is not null && activation.Kind != ConvActivationKind.Clamp)
            throw new ArgumentException($"ConvEpilogue: only a clamp can report ties with its bounds, not a {activation.Kind} activation.", nameof(ties));
    }

    private ConvEpilogue(float[]? bias, ConvActivationKind kind, float min, float max, float alpha, ClampTies? ties)
    {
        this.bias = bias;
        this.ties = ties;
        Kind = kind;
        Min = min;
        Max = max;
        Alpha = alpha;
    }

    private ConvEpilogue(in ConvEpilogue other, int firstChannel) : this(other.bias, other.Kind, other.Min, other.Max, other.Alpha, other.ties)
    {
        FirstChannel = firstChannel;
        residualOffset = other.residualOffset;
        HasResidual = other.HasResidual;
    }

    private ConvEpilogue(in ConvEpilogue other, float[]? bias, ConvActivationKind kind, bool residual, nint offset)
        : this(bias, kind, other.Min, other.Max, other.Alpha, kind == other.Kind ? other.ties : null)
    {
        FirstChannel = other.FirstChannel;
        HasResidual = residual;
        residualOffset = residual ? offset : 0;
    }

    public ConvActivationKind Kind { get; }

    public float Min { get; }

    public float Max { get; }

    public float Alpha { get; }

    /// <summary>The channel of row 0.</summary>
    public int FirstChannel { get; }

    /// <summary>Whether there is anything to do.</summary>
    public bool IsActive => bias is not null || Kind != ConvActivationKind.None || HasResidual;

    /// <summary>Whether <see cref="Finish"/> changes anything: a bias or an activation. The register kernels test this
    /// and not <see cref="IsActive"/>, so that their inlined stores are what they were before residuals (the 12-row GEMM
    /// kernel, with one more test in each of its 24 stores, ran 1.7× slower: its accumulators spilled).</summary>
    public bool FinishesValues => bias is not null || Kind != ConvActivationKind.None;

    /// <summary>Whether a residual is added (<see cref="WithResidual"/>).</summary>
    public bool HasResidual { get; }

    /// <summary>The same epilogue adding, after the bias, the residual of each output value: the float
    /// <paramref name="offset"/> floats past it, in another array of the output's layout. Both arrays must stay pinned
    /// while the epilogue runs (the offset is between their addresses). Not with a watched clamp (an inference-only
    /// form). <see cref="Lanes"/> and <see cref="Block"/> do not know where their values go and leave the residual out
    /// (unchecked: a test in them slowed every depthwise plane): their kernels, the depthwise ones, run
    /// <see cref="BeforeResidual"/> and then <see cref="AfterBias"/> over the output (<see cref="ConvDepthwise"/>).</summary>
    public ConvEpilogue WithResidual(nint offset)
    {
        if (ties is not null)
            throw new ArgumentException("ConvEpilogue: a clamp that reports ties with its bounds takes no residual (it is for recorded convolutions).", nameof(offset));
        return new ConvEpilogue(this, bias, Kind, residual: true, offset);
    }

    /// <summary>The part applied before the residual: the bias alone.</summary>
    public ConvEpilogue BeforeResidual => new(this, bias, ConvActivationKind.None, residual: false, 0);

    /// <summary>The rest after the bias: the residual (if any), then the activation; no bias.</summary>
    public ConvEpilogue AfterBias => new(this, null, Kind, HasResidual, residualOffset);

    /// <summary>Applies the epilogue to the [<paramref name="batch"/>, <paramref name="channels"/>, <paramref name="plane"/>]
    /// output <paramref name="y"/> (pinned by the caller when there is a residual), image planes in parallel.</summary>
    public void ApplyPlanes(float[] y, int batch, int channels, int plane)
    {
        var epilogue = this;
        Parallelism.For(batch * channels, plane, (start, end) =>
        {
            fixed (float* py = y)
                for (int p = start; p < end; p++) epilogue.Apply(py + (nint)p * plane, plane, p % channels, 1, plane);
        });
    }

    /// <summary>Whether the clamp reports ties with its bounds: kernels that pick the activation once per call run
    /// <see cref="WatchedClampOperation"/> instead of <see cref="ClampOperation"/>.</summary>
    public bool WatchesTies => ties is not null;

    /// <summary>The same epilogue with row 0 at channel <paramref name="channel"/> (a group's first output channel).</summary>
    public ConvEpilogue From(int channel) => new(this, channel);

    /// <summary>Applies the epilogue to <paramref name="rows"/> rows of <paramref name="length"/> values, row r at
    /// <paramref name="values"/> + r·<paramref name="stride"/> holding channel FirstChannel + <paramref name="row0"/> + r.</summary>
    public void Apply(float* values, nint stride, int row0, int rows, int length)
    {
        switch (Kind)
        {
            case ConvActivationKind.Clamp when ties is not null: Rows<WatchedClampOperation>(values, stride, row0, rows, length); break;
            case ConvActivationKind.Clamp: Rows<ClampOperation>(values, stride, row0, rows, length); break;
            case ConvActivationKind.Leaky: Rows<LeakyOperation>(values, stride, row0, rows, length); break;
            default: Rows<BiasOnly>(values, stride, row0, rows, length); break;
        }
    }

    /// <summary>The epilogue on one 32-value row of a GEMM register tile, row <paramref name="row"/>, before it is
    /// stored (the same operations as <see cref="Apply(float*, nint, int, int, int)"/>). Not for a residual
    /// (<see cref="HasResidual"/>), which such kernels leave to <see cref="Apply(float*, nint, int, int, int)"/> on the
    /// stored tile while it is in L1 (the residual's loads inlined into each row's store made the 12-row kernel's
    /// accumulators spill: 1.5–3× slower, even without a residual); a watched clamp runs <see cref="FinishWatched"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Finish(ref Vector512<float> left, ref Vector512<float> right, int row)
    {
        if (bias is not null)
        {
            var b = Vector512.Create(bias[FirstChannel + row]);
            left += b;
            right += b;
        }
        switch (Kind)
        {
            case ConvActivationKind.Clamp:
                var lo = Vector512.Create(Min);
                var hi = Vector512.Create(Max);
                left = ClampOperation.Apply(left, lo, hi, default);
                right = ClampOperation.Apply(right, lo, hi, default);
                break;
            case ConvActivationKind.Leaky:
                var slope = Vector512.Create(Alpha);
                left = LeakyOperation.Apply(left, default, default, slope);
                right = LeakyOperation.Apply(right, default, default, slope);
                break;
        }
    }

    /// <summary><see cref="Finish"/> for a watched clamp (<see cref="WatchesTies"/>): the bias, then the clamp, and
    /// whether a lane selected by <paramref name="storedLeft"/>/<paramref name="storedRight"/> (the lanes that will be
    /// stored) met a bound before it was clamped — the values are Finish's, the finding is
    /// <see cref="Apply(float*, nint, int, int, int)"/>'s for that row. No call: the kernel collects the findings of
    /// its rows as bits and hands them to <see cref="ReportRows"/> after its last store (a call here would make the
    /// register tile spill).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool FinishWatched(ref Vector512<float> left, ref Vector512<float> right, int row, Vector512<float> storedLeft, Vector512<float> storedRight)
    {
        if (bias is not null)
        {
            var b = Vector512.Create(bias[FirstChannel + row]);
            left += b;
            right += b;
        }
        var lo = Vector512.Create(Min);
        var hi = Vector512.Create(Max);
        var touched = (ClampTies.Touches(left, lo, hi) & storedLeft) | (ClampTies.Touches(right, lo, hi) & storedRight);
        left = ClampOperation.Apply(left, lo, hi, default);
        right = ClampOperation.Apply(right, lo, hi, default);
        return Vector512.ExtractMostSignificantBits(touched) != 0;
    }

    /// <summary><see cref="Finish(ref Vector512{float}, ref Vector512{float}, int)"/> on a 16-value row of the AVX2 GEMM
    /// kernel's register tile (<see cref="GemmKernel256"/>): the same operations on 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Finish256(ref Vector256<float> left, ref Vector256<float> right, int row)
    {
        if (bias is not null)
        {
            var b = Vector256.Create(bias[FirstChannel + row]);
            left += b;
            right += b;
        }
        switch (Kind)
        {
            case ConvActivationKind.Clamp:
                var lo = Vector256.Create(Min);
                var hi = Vector256.Create(Max);
                left = ClampOperation.Apply(left, lo, hi, default);
                right = ClampOperation.Apply(right, lo, hi, default);
                break;
            case ConvActivationKind.Leaky:
                var slope = Vector256.Create(Alpha);
                left = LeakyOperation.Apply(left, default, default, slope);
                right = LeakyOperation.Apply(right, default, default, slope);
                break;
        }
    }

    /// <summary><see cref="FinishWatched(ref Vector512{float}, ref Vector512{float}, int, Vector512{float}, Vector512{float})"/>
    /// on 8 lanes (<see cref="GemmKernel256"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool FinishWatched256(ref Vector256<float> left, ref Vector256<float> right, int row, Vector256<float> storedLeft, Vector256<float> storedRight)
    {
        if (bias is not null)
        {
            var b = Vector256.Create(bias[FirstChannel + row]);
            left += b;
            right += b;
        }
        var lo = Vector256.Create(Min);
        var hi = Vector256.Create(Max);
        var touched = (ClampTies.Touches(left, lo, hi) & storedLeft) | (ClampTies.Touches(right, lo, hi) & storedRight);
        left = ClampOperation.Apply(left, lo, hi, default);
        right = ClampOperation.Apply(right, lo, hi, default);
        return touched != Vector256<float>.Zero;
    }

    /// <summary>Notes, for a watched clamp, channel FirstChannel + <paramref name="row0"/> + r as tied for each bit r set
    /// in <paramref name="rows"/> (what <see cref="FinishWatched"/> found, one bit per row of a register tile).</summary>
    public void ReportRows(int row0, uint rows)
    {
        if (ties is null) return;
        for (; rows != 0; rows &= rows - 1)
            ties.Watch(Vector512<float>.AllBitsSet, FirstChannel + row0 + System.Numerics.BitOperations.TrailingZeroCount(rows));
    }

    /// <summary>The epilogue of channel FirstChannel + <paramref name="row"/> held in registers, for kernels that finish
    /// each vector of 16 outputs of one channel just before storing it (the same operations as
    /// <see cref="Apply(float*, nint, int, int, int)"/>).</summary>
    /// <remarks>Inlined into the kernels, which call it once per plane: as a call it ran instrumented or unoptimized
    /// code for most of a short benchmark (tiering waits for a busy machine's background compiler), about 0.6 % of
    /// MobileNetV2's forward.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ChannelLanes Lanes(int row) => new(bias is null ? null : bias[FirstChannel + row], Min, Max, Alpha, ties, FirstChannel + row);

    /// <summary><see cref="Lanes"/> on 8 lanes, for the AVX2 kernels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ChannelLanes256 Lanes256(int row) => new(bias is null ? null : bias[FirstChannel + row], Min, Max, Alpha, ties, FirstChannel + row);

    /// <summary>One channel's bias and activation as vectors: y = act(y + b) on 16 lanes at once.</summary>
    public readonly struct ChannelLanes
    {
        private readonly Vector512<float> bias, min, max, alpha;
        private readonly bool hasBias;
        private readonly ClampTies? ties;
        private readonly int channel;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ChannelLanes(float? bias, float min, float max, float alpha, ClampTies? ties = null, int channel = 0)
        {
            hasBias = bias is not null;
            this.ties = ties;
            this.channel = channel;
            this.bias = Vector512.Create(bias ?? 0f);
            this.min = Vector512.Create(min);
            this.max = Vector512.Create(max);
            this.alpha = Vector512.Create(alpha);
        }

        /// <summary>act(<paramref name="x"/> + b) with act = <typeparamref name="TActivation"/> (<see cref="BiasOnly"/>,
        /// <see cref="ClampOperation"/> or <see cref="LeakyOperation"/> for the epilogue's <see cref="ConvEpilogue.Kind"/>,
        /// <see cref="WatchedClampOperation"/> when it <see cref="WatchesTies"/>; picked once per call by the kernel); no
        /// +0 is added without a bias, so −0 stays. <paramref name="stored"/>: the lanes that will be stored, the only
        /// ones a watched clamp compares with its bounds.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Apply<TActivation>(Vector512<float> x, Vector512<float> stored) where TActivation : struct, IActivationOperation
        {
            if (hasBias) x += bias;
            if (typeof(TActivation) == typeof(WatchedClampOperation)) ties!.Watch(ClampTies.Touches(x, min, max) & stored, channel);
            return TActivation.Apply(x, min, max, alpha);
        }
    }

    /// <summary>The epilogue of 16 channels at once, for kernels that hold one position of 16 channels in a vector:
    /// lane k is channel FirstChannel + <paramref name="row"/> + k. Only the first <paramref name="count"/> lanes are
    /// channels; the others get no bias and are never reported as ties.</summary>
    public ChannelBlockLanes Block(int row, int count)
    {
        if (count is < 1 or > 16) throw new ArgumentOutOfRangeException(nameof(count), $"ConvEpilogue.Block: 1 to 16 channels, got {count}.");
        Span<float> lanes = stackalloc float[16];
        lanes.Clear();
        bias?.AsSpan(FirstChannel + row, count).CopyTo(lanes);
        return new(bias is null ? null : Vector512.Create<float>(lanes), Min, Max, Alpha, ties, FirstChannel + row, count);
    }

    /// <summary>Sixteen channels' biases and one activation as vectors: y = act(y + b) per lane, lane k being channel
    /// First + k (see <see cref="Block"/>).</summary>
    public readonly struct ChannelBlockLanes
    {
        private readonly Vector512<float> bias, min, max, alpha, channels;
        private readonly bool hasBias;
        private readonly ClampTies? ties;
        private readonly int first;

        public ChannelBlockLanes(Vector512<float>? bias, float min, float max, float alpha, ClampTies? ties, int first, int count)
        {
            hasBias = bias is not null;
            this.bias = bias ?? default;
            this.min = Vector512.Create(min);
            this.max = Vector512.Create(max);
            this.alpha = Vector512.Create(alpha);
            channels = DepthwiseConv3x3.Inside(0, count);
            this.ties = ties;
            this.first = first;
        }

        /// <summary>act(<paramref name="x"/> + b) as <see cref="ChannelLanes.Apply{TActivation}"/>, every lane stored; a
        /// watched clamp adds the lanes on a bound to <paramref name="touched"/>, which <see cref="Report"/> hands on.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Apply<TActivation>(Vector512<float> x, ref Vector512<float> touched) where TActivation : struct, IActivationOperation
        {
            if (hasBias) x += bias;
            if (typeof(TActivation) == typeof(WatchedClampOperation)) touched |= ClampTies.Touches(x, min, max);
            return TActivation.Apply(x, min, max, alpha);
        }

        /// <summary>Notes, for a watched clamp, each channel whose lane is set in <paramref name="touched"/>.</summary>
        public void Report(Vector512<float> touched)
        {
            if (ties is null) return;
            uint lanes = (uint)Vector512.ExtractMostSignificantBits(touched & channels);
            for (; lanes != 0; lanes &= lanes - 1)
                ties.Watch(Vector512<float>.AllBitsSet, first + System.Numerics.BitOperations.TrailingZeroCount(lanes));
        }
    }

    /// <summary>Applies the epilogue to a column of <paramref name="rows"/> one-value rows held contiguously, value r
    /// being channel FirstChannel + r (a matrix-vector product's output, a classifier's logits): 16 channels to a
    /// vector (8 on AVX2 machines), bitwise as <see cref="Apply(float*, nint, int, int, int)"/> row by row, which a watched clamp still runs.</summary>
    public void ApplyColumn(float* values, int rows)
    {
        if (ties is not null || !(Vector512.IsHardwareAccelerated || Vector256.IsHardwareAccelerated))
        {
            Apply(values, 1, 0, rows, 1);
            return;
        }
        switch (Kind)
        {
            case ConvActivationKind.Clamp: Column<ClampOperation>(values, rows); break;
            case ConvActivationKind.Leaky: Column<LeakyOperation>(values, rows); break;
            default: Column<BiasOnly>(values, rows); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Column<TOperation>(float* values, int rows) where TOperation : struct, IActivationOperation
    {
        var lo = Vector512.Create(Min);
        var hi = Vector512.Create(Max);
        var slope = Vector512.Create(Alpha);
        var lo256 = Vector256.Create(Min);
        var hi256 = Vector256.Create(Max);
        var slope256 = Vector256.Create(Alpha);
        int i = 0;
        fixed (float* b = bias)
        {
            float* channelBias = b + FirstChannel;
            for (; Vector512.IsHardwareAccelerated && i + 16 <= rows; i += 16)
            {
                var x = Vector512.Load(values + i);
                if (b != null) x += Vector512.Load(channelBias + i);
                if (HasResidual) x += Vector512.Load(values + residualOffset + i);
                TOperation.Apply(x, lo, hi, slope).Store(values + i);
            }
            for (; !Vector512.IsHardwareAccelerated && i + 8 <= rows; i += 8)
            {
                var x = Vector256.Load(values + i);
                if (b != null) x += Vector256.Load(channelBias + i);
                if (HasResidual) x += Vector256.Load(values + residualOffset + i);
                TOperation.Apply(x, lo256, hi256, slope256).Store(values + i);
            }
        }
        if (i < rows) Apply(values + i, 1, i, rows - i, 1);
    }

    /// <summary>Applies the epilogue to one row of channel FirstChannel + <paramref name="row"/>.</summary>
    public void Apply(Span<float> values, int row)
    {
        fixed (float* p = values) Apply(p, values.Length, row, 1, values.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Rows<TOperation>(float* values, nint stride, int row0, int rows, int length) where TOperation : struct, IActivationOperation
    {
        bool hasBias = bias is not null, hasResidual = HasResidual;
        nint offset = residualOffset;
        var lo = Vector512.Create(Min);
        var hi = Vector512.Create(Max);
        var slope = Vector512.Create(Alpha);
        bool watch = typeof(TOperation) == typeof(WatchedClampOperation);
        int body = Vector512.IsHardwareAccelerated ? length & ~15 : 0;
        // AVX2 machines: 8 values to a vector (Vector512 is emulated there); on AVX-512 this loop is empty
        int body256 = !Vector512.IsHardwareAccelerated && Vector256.IsHardwareAccelerated ? length & ~7 : body;
        var lo256 = Vector256.Create(Min);
        var hi256 = Vector256.Create(Max);
        var slope256 = Vector256.Create(Alpha);
        for (int r = 0; r < rows; r++)
        {
            var touched = Vector512<float>.Zero;        // a watched clamp's ties in this row, accumulated in a register
            bool touchedScalar = false;
            float* v = values + r * stride;
            float b = hasBias ? bias![FirstChannel + row0 + r] : 0f;
            var vb = Vector512.Create(b);
            for (int i = 0; i < body; i += 16)
            {
                var x = Vector512.Load(v + i);
                if (hasBias) x += vb;
                if (hasResidual) x += Vector512.Load(v + offset + i);
                if (watch) touched |= ClampTies.Touches(x, lo, hi);
                TOperation.Apply(x, lo, hi, slope).Store(v + i);
            }
            var vb256 = Vector256.Create(b);
            var touched256 = Vector256<float>.Zero;
            for (int i = body; i < body256; i += 8)
            {
                var x = Vector256.Load(v + i);
                if (hasBias) x += vb256;
                if (hasResidual) x += Vector256.Load(v + offset + i);
                if (watch) touched256 |= ClampTies.Touches(x, lo256, hi256);
                TOperation.Apply(x, lo256, hi256, slope256).Store(v + i);
            }
            if (watch) touchedScalar = touched256 != Vector256<float>.Zero;
            for (int i = body256; i < length; i++)
            {
                float x = v[i];
                if (hasBias) x += b;
                if (hasResidual) x += v[offset + i];
                if (watch) touchedScalar |= x == Min || x == Max;
                v[i] = TOperation.Apply(x, Min, Max, Alpha);
            }
            if (watch) ties!.Watch(touched, FirstChannel + row0 + r, touchedScalar);
        }
    }

    /// <summary>One activation on a vector and on a scalar, with the same IEEE semantics.</summary>
    internal interface IActivationOperation
    {
        static abstract Vector512<float> Apply(Vector512<float> x, Vector512<float> min, Vector512<float> max, Vector512<float> alpha);

        /// <summary>The same on 8 lanes (AVX2 machines).</summary>
        static abstract Vector256<float> Apply(Vector256<float> x, Vector256<float> min, Vector256<float> max, Vector256<float> alpha);

        static abstract float Apply(float x, float min, float max, float alpha);
    }

    internal readonly struct BiasOnly : IActivationOperation
    {
        public static Vector512<float> Apply(Vector512<float> x, Vector512<float> min, Vector512<float> max, Vector512<float> alpha) => x;

        public static Vector256<float> Apply(Vector256<float> x, Vector256<float> min, Vector256<float> max, Vector256<float> alpha) => x;

        public static float Apply(float x, float min, float max, float alpha) => x;
    }

    internal readonly struct ClampOperation : IActivationOperation
    {
        public static Vector512<float> Apply(Vector512<float> x, Vector512<float> min, Vector512<float> max, Vector512<float> alpha) =>
            Vector512.Min(Vector512.Max(x, min), max);

        public static Vector256<float> Apply(Vector256<float> x, Vector256<float> min, Vector256<float> max, Vector256<float> alpha) =>
            Vector256.Min(Vector256.Max(x, min), max);

        public static float Apply(float x, float min, float max, float alpha) => float.Min(float.Max(x, min), max);
    }

    /// <summary><see cref="ClampOperation"/> in a kernel that also reports ties with the bounds (<see cref="ClampTies"/>).</summary>
    internal readonly struct WatchedClampOperation : IActivationOperation
    {
        public static Vector512<float> Apply(Vector512<float> x, Vector512<float> min, Vector512<float> max, Vector512<float> alpha) =>
            ClampOperation.Apply(x, min, max, alpha);

        public static Vector256<float> Apply(Vector256<float> x, Vector256<float> min, Vector256<float> max, Vector256<float> alpha) =>
            ClampOperation.Apply(x, min, max, alpha);

        public static float Apply(float x, float min, float max, float alpha) => ClampOperation.Apply(x, min, max, alpha);
    }

    internal readonly struct LeakyOperation : IActivationOperation
    {
        public static Vector512<float> Apply(Vector512<float> x, Vector512<float> min, Vector512<float> max, Vector512<float> alpha) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, x * alpha);

        public static Vector256<float> Apply(Vector256<float> x, Vector256<float> min, Vector256<float> max, Vector256<float> alpha) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, x * alpha);

        public static float Apply(float x, float min, float max, float alpha) => x > 0f ? x : alpha * x;
    }
}
