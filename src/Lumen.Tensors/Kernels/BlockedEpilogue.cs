using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>What a blocked kernel's store does besides its clamp: nothing, add a residual, or keep or apply a clamp's
/// gradient mask as bits (bit e % 8 of byte e / 8 for the output's float e: one bit a value, lanes in order), held in
/// the bytes of a float array (<see cref="BlockedEpilogue.BitFloats"/>).</summary>
internal enum BlockedOperand
{
    /// <summary>Nothing else.</summary>
    None,

    /// <summary>Adds a residual, an array laid out as the output, before the clamp (a residual Add).</summary>
    Residual,

    /// <summary>Writes the bits [lo ≤ v ≤ hi] of the value v before the clamp: the mask of the clamp's gradient, which a
    /// recorded pass keeps for its backward pass (a Relu's rule v &gt; 0 is lo = ε, hi = +∞).</summary>
    Keep,

    /// <summary>Keeps the value where its bit is set, else stores +0: a clamp's gradient mask (<see cref="Keep"/>)
    /// applied to a gradient as it is written.</summary>
    Mask,
}

/// <summary>
/// What the channel-blocked kernels (<see cref="BlockedPointwise"/>, <see cref="BlockedDepthwise"/> and their 8-channel
/// twins) apply to each 16- (or 8-) channel vector as they store it: y = clamp((sum + bias) + residual), the residual optional, the clamp (ReLU,
/// ReLU6) optional — the order of the NCHW path's <see cref="ConvEpilogue"/> (bias, then the residual Add, then the
/// activation); or, for a recorded pass and its backward pass, the bits of a clamp's gradient mask written or applied
/// instead of the residual (<see cref="BlockedOperand"/>).
/// </summary>
/// <remarks>The clamp is x86's max and min (two instructions instead of the six of an IEEE maximum and minimum): they
/// return their second operand when either is NaN, so a NaN sum stays NaN, but a −0 sum may stay −0 under a lower bound
/// of 0 where <see cref="Tensor.Clamp"/> writes +0. A mask's bits are found from the output address: the kernel gives its
/// pinned output and bit arrays (<see cref="WithBits"/>). The mask is NaN-safe: a NaN v fails lo ≤ v ≤ hi.</remarks>
internal readonly unsafe struct BlockedEpilogue
{
    private readonly bool clamp;
    private readonly BlockedOperand operand;
    private readonly float* outputs;
    private readonly byte* bits;
    private readonly Vector512<float> min, max, low, high;
    private readonly Vector256<float> min8, max8, low8, high8;

    /// <summary>The store of <paramref name="activation"/> (none or a clamp), adding a residual or keeping or applying a
    /// mask per <paramref name="operand"/>, a kept mask being lo ≤ v ≤ hi (<paramref name="lo"/>, <paramref name="hi"/>).</summary>
    public BlockedEpilogue(ConvActivation activation, BlockedOperand operand = BlockedOperand.None, float lo = 0f, float hi = 0f)
    {
        clamp = activation.Kind switch
        {
            ConvActivationKind.Clamp => true,
            ConvActivationKind.None => false,
            _ => throw new ArgumentException($"The blocked kernels fuse no activation or a clamp (ReLU, ReLU6), not a {activation.Kind} activation.", nameof(activation)),
        };
        this.operand = operand;
        (min, max, low, high) = (Vector512.Create(activation.Min), Vector512.Create(activation.Max), Vector512.Create(lo), Vector512.Create(hi));
        (min8, max8, low8, high8) = (Vector256.Create(activation.Min), Vector256.Create(activation.Max), Vector256.Create(lo), Vector256.Create(hi));
    }

    private BlockedEpilogue(in BlockedEpilogue e, float* outputs, byte* bits)
    {
        this = e;
        this.outputs = outputs;
        this.bits = bits;
    }

    /// <summary>Whether the store keeps or applies mask bits (and so needs <see cref="WithBits"/>).</summary>
    public bool UsesBits => operand is BlockedOperand.Keep or BlockedOperand.Mask;

    /// <summary>This store with the mask bits of the output at <paramref name="outputs"/> (pinned, the whole output
    /// array) at <paramref name="bitArray"/> (pinned).</summary>
    public BlockedEpilogue WithBits(float* outputs, byte* bitArray) => new(this, outputs, bitArray);

    /// <summary>Stores clamp((sum + bias) + residual at r) at y, or with the mask bits of y kept or applied.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Vector512<float> sum, Vector512<float> bias, float* r, float* y) => Store<NoBits>(sum, bias, r, y);

    /// <summary><see cref="Store(Vector512{float}, Vector512{float}, float*, float*)"/> for a kernel compiled for mask
    /// bits (<typeparamref name="TMode"/> = <see cref="MaskBits"/>, <see cref="UsesBits"/>) or not: the code of the
    /// other mode is not there at all.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store<TMode>(Vector512<float> sum, Vector512<float> bias, float* r, float* y) where TMode : struct, IBitsMode
    {
        var v = sum + bias;
        if (TMode.Active) v = Bits(v, y);
        else if (r is not null) v += Vector512.Load(r);
        if (clamp) v = Avx512F.IsSupported ? Avx512F.Min(max, Avx512F.Max(min, v)) : Vector512.Min(Vector512.Max(v, min), max);
        v.Store(y);
    }

    /// <summary>Keeps the bits [lo ≤ v ≤ hi] of the value v stored at y and returns v, or returns v zeroed where its
    /// bits are clear.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<float> Bits(Vector512<float> v, float* y)
    {
        var at = (ushort*)(bits + (y - outputs) / 8);
        if (operand == BlockedOperand.Keep)
        {
            *at = (ushort)(Vector512.GreaterThanOrEqual(v, low) & Vector512.LessThanOrEqual(v, high)).ExtractMostSignificantBits();
            return v;
        }
        var lanes = Vector512.Create(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768);
        return v & Vector512.Equals(Vector512.Create((int)*at) & lanes, lanes).AsSingle();
    }

    /// <summary>The 8-channel store for the NCHW8c kernels: the same operations as the 16-channel store, lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Vector256<float> sum, Vector256<float> bias, float* r, float* y) => Store<NoBits>(sum, bias, r, y);

    /// <summary>The 8-channel <see cref="Store{TMode}(Vector512{float}, Vector512{float}, float*, float*)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store<TMode>(Vector256<float> sum, Vector256<float> bias, float* r, float* y) where TMode : struct, IBitsMode
    {
        var v = sum + bias;
        if (TMode.Active) v = Bits(v, y);
        else if (r is not null) v += Vector256.Load(r);
        if (clamp) v = Avx.IsSupported ? Avx.Min(max8, Avx.Max(min8, v)) : Vector256.Min(Vector256.Max(v, min8), max8);
        v.Store(y);
    }

    /// <summary>The 8-lane <see cref="Bits(Vector512{float}, float*)"/>: one byte of bits a vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> Bits(Vector256<float> v, float* y)
    {
        byte* at = bits + (y - outputs) / 8;
        if (operand == BlockedOperand.Keep)
        {
            *at = (byte)(Vector256.GreaterThanOrEqual(v, low8) & Vector256.LessThanOrEqual(v, high8)).ExtractMostSignificantBits();
            return v;
        }
        return v & BlockedActivation.Lanes(*at);
    }

    /// <summary>Floats that hold the mask bits of <paramref name="values"/> output values, 32 a float: the bits live in
    /// float arrays so that a pass's storage pool can lend them (the bytes of the array, bit e % 8 of byte e / 8).</summary>
    public static int BitFloats(int values) => (values + 31) / 32;

    /// <summary>Whether a kernel is compiled for mask bits: the stores of the inference kernels keep their code free
    /// of it (as code, even never run, it cost 5–15 %: a call there, or a static's initialization check, made the JIT
    /// keep a tile's accumulators on the stack, 5× slower).</summary>
    internal interface IBitsMode
    {
        static abstract bool Active { get; }
    }

    /// <summary>No mask bits: a residual when the store is given one.</summary>
    internal struct NoBits : IBitsMode { public static bool Active => false; }

    /// <summary>Mask bits kept or applied (<see cref="BlockedOperand.Keep"/>, <see cref="BlockedOperand.Mask"/>).</summary>
    internal struct MaskBits : IBitsMode { public static bool Active => true; }
}
