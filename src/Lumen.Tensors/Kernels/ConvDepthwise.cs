using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// Direct depthwise convolution (groups == C == O: one kh×kw filter per channel, as in MobileNet). 3×3 kernels of
/// stride 1 and 2 run <see cref="DepthwiseConv3x3"/> (epilogue fused), <see cref="DepthwiseConv3x3Stride2"/> (the
/// stride-2 input gradient) and <see cref="DepthwiseConv3x3WeightGradient"/> — on narrow planes all three
/// <see cref="DepthwiseConv3x3ChannelsLast"/>, 16 channels to a vector, except the forward pass on planes whose input
/// rows fit a vector, which runs <see cref="DepthwiseConv3x3RowPairs"/> (two output rows to a vector, in place); on
/// AVX2 machines without AVX-512 the forward and input-gradient passes of those layers run
/// <see cref="DepthwiseConv3x3Avx2"/> and <see cref="DepthwiseConv3x3Avx2Stride2"/> instead, on every plane size;
/// other stride-1 convolutions the
/// register-blocked <see cref="ConvDepthwiseStride1"/>. Other strides split each input row into its sw column phases
/// (columns ≡ p mod sw), so that every tap reads — or, for the input gradient, writes — a contiguous run of one phase
/// row: a SIMD multiply-add per (output row, tap). Parallel over (image, channel) planes, claimed a few at a time by
/// whichever thread is free; the weight gradient is parallel over channels.
/// </summary>
/// <remarks>y[n, c, r, s] = Σ_{i, j} w[c, i, j] · x[n, c, r·sh − pt + i·dh, s·sw − pl + j·dw]. Column
/// s·sw + j·dw − pl = (s + ⌊(j·dw − pl)/sw⌋)·sw + ((j·dw − pl) mod sw), i.e. phase (j·dw − pl) mod sw at index
/// s + ⌊(j·dw − pl)/sw⌋.</remarks>
internal static class ConvDepthwise
{
    /// <summary>y = depthwise conv(x, w) (y is overwritten).</summary>
    public static void Forward(float[] x, float[] w, float[] y, ConvGeometry g, in ConvEpilogue epilogue = default)
    {
        if (epilogue.HasResidual)
        {
            // the kernels finish values without knowing where they go: the bias there, the residual and activation after
            Forward(x, w, y, g, epilogue.BeforeResidual);
            epilogue.AfterBias.ApplyPlanes(y, g.Batch, g.OutChannels, g.OutPlane);
            return;
        }
        var finish = epilogue;
        int taps = g.KernelHeight * g.KernelWidth;
        // the 3×3 kernels apply the epilogue in registers; the others in a pass over each finished plane
        if (DepthwiseConv3x3RowPairs.Applies(g))
        {
            Parallelism.ForDynamic(g.Batch * g.InChannels, (long)g.OutPlane * taps, Grain(g), (start, end) => DepthwiseConv3x3RowPairs.Forward(x, w, y, g, finish, start, end));
            return;
        }
        if (DepthwiseConv3x3ChannelsLast.Applies(g))
        {
            int blocks = DepthwiseConv3x3ChannelsLast.Blocks(g);
            var arranged = DepthwiseConv3x3ChannelsLast.ArrangeWeights(w, g.InChannels);
            try { Parallelism.ForDynamic(blocks, 16L * g.OutPlane * taps, BlockGrain(blocks), (start, end) => DepthwiseConv3x3ChannelsLast.Forward(x, arranged, y, g, finish, start, end)); }
            finally { DepthwiseConv3x3ChannelsLast.ReturnWeights(arranged); }
            return;
        }
        if (DepthwiseConv3x3.Applies(g))
        {
            Parallelism.ForDynamic(g.Batch * g.InChannels, (long)g.OutPlane * taps, Grain(g), (start, end) => DepthwiseConv3x3.Forward(x, w, y, g, finish, start, end));
            return;
        }
        if (DepthwiseConv3x3Avx2.Applies(g))
        {
            Parallelism.ForDynamic(g.Batch * g.InChannels, (long)g.OutPlane * taps, Grain(g), (start, end) => DepthwiseConv3x3Avx2.Forward(x, w, y, g, finish, start, end));
            return;
        }
        var runs = UseStride1(g) ? [] : TapRuns(g);                     // stride 1 has its own kernel
        Parallelism.ForDynamic(g.Batch * g.InChannels, (long)g.OutPlane * taps, Grain(g), (start, end) =>
        {
            var phases = RentPhases(g);
            for (int p = start; p < end; p++)
            {
                var input = x.AsSpan(p * g.InPlane, g.InPlane);
                var output = y.AsSpan(p * g.OutPlane, g.OutPlane);
                var filter = w.AsSpan(p % g.InChannels * taps, taps);
                if (UseStride1(g)) ConvDepthwiseStride1.ForwardPlane(input, output, filter, g);
                else ForwardStridedPlane(Deinterleave(input, phases, g), output, filter, runs);
                if (finish.IsActive) finish.Apply(output, p % g.InChannels);
            }
            ReturnPhases(phases);
        });
    }

    /// <summary>Planes a thread claims at a time in the forward and input-gradient loops (each plane is written by
    /// one thread alone): about an eighth of a thread's share, so that a thread that starts late or is preempted
    /// leaves its remaining planes to the others.</summary>
    private static int Grain(in ConvGeometry g) => Math.Max(1, g.Batch * g.InChannels / (8 * Parallelism.MaxDegree));

    /// <summary>The same for the blocks of 16 channels of <see cref="DepthwiseConv3x3ChannelsLast"/>.</summary>
    private static int BlockGrain(int blocks) => Math.Max(1, blocks / (8 * Parallelism.MaxDegree));

    /// <summary>One output plane of a strided (or dilated) depthwise convolution from its deinterleaved input.</summary>
    private static void ForwardStridedPlane(ReadOnlySpan<float> source, Span<float> output, ReadOnlySpan<float> filter, TapRun[] runs)
    {
        output.Clear();
        foreach (var run in runs)
            MultiplyAddInto(source.Slice(run.Input, run.Length), filter[run.Tap], output.Slice(run.Output, run.Length));
    }

    /// <summary>dx = the input gradient for output gradient dy (dx is overwritten); with a <paramref name="mask"/> (only
    /// where <see cref="MasksInputGradient"/>), for output gradient mask ⊙ dy, each plane of dy masked just before the
    /// kernel reads it, bitwise as if dy had been masked first.</summary>
    public static void BackwardInput(float[] dy, float[] w, float[] dx, ConvGeometry g, ActivationMask? mask = null)
    {
        if (mask is not null && !MasksInputGradient(g))
            throw new ArgumentException($"ConvDepthwise: this input gradient cannot apply an activation mask ({g}); mask the output gradient first.", nameof(mask));
        int taps = g.KernelHeight * g.KernelWidth;
        if (UseStride1(g))
        {
            // stride 1: dx = dy correlated with the flipped kernel, padded by dh·(kh − 1) − top (etc.)
            var flipped = new float[w.Length];
            for (int c = 0; c < g.InChannels; c++)
                for (int t = 0; t < taps; t++) flipped[c * taps + t] = w[c * taps + taps - 1 - t];
            var adjoint = StrideOneAdjoint(g);
            if (mask is null) Forward(dy, flipped, dx, adjoint);
            else if (DepthwiseConv3x3Avx2.Applies(adjoint))
                Parallelism.ForDynamic(g.Batch * g.InChannels, (long)g.OutPlane * taps, Grain(g), (start, end) => DepthwiseConv3x3Avx2.ForwardMasked(dy, flipped, dx, adjoint, mask, start, end));
            else Parallelism.ForDynamic(g.Batch * g.InChannels, (long)g.OutPlane * taps, Grain(g), (start, end) => DepthwiseConv3x3.ForwardMasked(dy, flipped, dx, adjoint, mask, start, end));
            return;
        }
        if (DepthwiseConv3x3ChannelsLast.Applies(g) && g.StrideW == 2)
        {
            int blocks = DepthwiseConv3x3ChannelsLast.Blocks(g);
            var arranged = DepthwiseConv3x3ChannelsLast.ArrangeWeights(w, g.InChannels);
            try { Parallelism.ForDynamic(blocks, 16L * g.OutPlane * taps, BlockGrain(blocks), (start, end) => DepthwiseConv3x3ChannelsLast.InputGradient(dy, arranged, dx, g, start, end)); }
            finally { DepthwiseConv3x3ChannelsLast.ReturnWeights(arranged); }
            return;
        }
        if (DepthwiseConv3x3.Applies(g) && g.StrideW == 2)
        {
            Parallelism.ForDynamic(g.Batch * g.InChannels, (long)g.OutPlane * taps, Grain(g), (start, end) => DepthwiseConv3x3Stride2.InputGradient(dy, w, dx, g, start, end, mask));
            return;
        }
        if (DepthwiseConv3x3Avx2.Applies(g) && g.StrideW == 2)
        {
            Parallelism.ForDynamic(g.Batch * g.InChannels, (long)g.OutPlane * taps, Grain(g), (start, end) => DepthwiseConv3x3Avx2Stride2.InputGradient(dy, w, dx, g, start, end, mask));
            return;
        }
        var runs = TapRuns(g);
        Parallelism.ForDynamic(g.Batch * g.InChannels, (long)g.OutPlane * taps, Grain(g), (start, end) =>
        {
            var phases = RentPhases(g);
            for (int p = start; p < end; p++)
            {
                var grad = dy.AsSpan(p * g.OutPlane, g.OutPlane);
                var filter = w.AsSpan(p % g.InChannels * taps, taps);
                var target = g.StrideW == 1 ? dx.AsSpan(p * g.InPlane, g.InPlane) : phases.AsSpan(0, PhaseLength(g));
                target.Clear();                                             // the dx plane itself when sw = 1
                foreach (var run in runs)                                   // the transpose of the forward's runs
                    MultiplyAddInto(grad.Slice(run.Output, run.Length), filter[run.Tap], target.Slice(run.Input, run.Length));
                if (g.StrideW > 1) Interleave(target, dx.AsSpan(p * g.InPlane, g.InPlane), g);
            }
            ReturnPhases(phases);
        });
    }

    /// <summary>Whether <see cref="BackwardInput"/> applies an activation's gradient mask to dy itself, plane by plane
    /// just before its kernel reads the plane (<see cref="MaskedPlane"/>): the row kernels of
    /// <see cref="DepthwiseConv3x3"/> (stride 1, through the adjoint forward) and <see cref="DepthwiseConv3x3Stride2"/>
    /// — or their AVX2 counterparts <see cref="DepthwiseConv3x3Avx2"/> and <see cref="DepthwiseConv3x3Avx2Stride2"/> —
    /// on planes of dy up to <see cref="MaxMaskedPlane"/> values; not the channels-last tiles of narrow planes nor the
    /// general paths.</summary>
    public static bool MasksInputGradient(in ConvGeometry g)
    {
        if (!g.IsDepthwise || g.OutPlane > MaxMaskedPlane) return false;
        if (UseStride1(g))
        {
            var adjoint = StrideOneAdjoint(g);
            return (DepthwiseConv3x3.Applies(adjoint) && !DepthwiseConv3x3ChannelsLast.Applies(adjoint)) || DepthwiseConv3x3Avx2.Applies(adjoint);
        }
        return (DepthwiseConv3x3.Applies(g) && g.StrideW == 2 && !DepthwiseConv3x3ChannelsLast.Applies(g)) || (DepthwiseConv3x3Avx2.Applies(g) && g.StrideW == 2);
    }

    /// <summary>The largest plane of dy (values) masked per plane in <see cref="BackwardInput"/>. Measured on
    /// MobileNetV2's layers at batch 10, one thread (<c>bench depthwise --passes masked_input_grad,mask_then_input_grad</c>):
    /// planes of 28² gained 5–20 % over the separate mask pass, planes of 56² lost 15–20 % and 112² broke even — a large
    /// plane's masking is a burst of memory reads that the kernel's arithmetic does not overlap, where the separate
    /// pass streams the whole tensor at full bandwidth.</summary>
    private const int MaxMaskedPlane = 1024;

    /// <summary>The geometry whose forward pass on dy, with the kernel flipped, is a stride-1 input gradient: dy's planes
    /// as input, padded by dh·(kh − 1) − top (etc.).</summary>
    private static ConvGeometry StrideOneAdjoint(in ConvGeometry g)
    {
        int extentH = g.DilationH * (g.KernelHeight - 1), extentW = g.DilationW * (g.KernelWidth - 1);
        return g with
        {
            InHeight = g.OutHeight, InWidth = g.OutWidth,
            PadTop = extentH - g.PadTop, PadLeft = extentW - g.PadLeft, PadBottom = extentH - g.PadBottom, PadRight = extentW - g.PadRight,
        };
    }

    /// <summary>dw = the weight gradient for output gradient dy (dw is overwritten).</summary>
    public static void BackwardWeight(float[] dy, float[] x, float[] dw, ConvGeometry g)
    {
        int taps = g.KernelHeight * g.KernelWidth;
        if (DepthwiseConv3x3ChannelsLast.Applies(g))
        {
            int groups = (g.InChannels + 15) / 16;
            Parallelism.For(groups, 16L * g.Batch * g.OutPlane * taps, (start, end) => DepthwiseConv3x3ChannelsLast.WeightGradient(dy, x, dw, g, start, end));
            return;
        }
        if (DepthwiseConv3x3.Applies(g))
        {
            Parallelism.For(g.InChannels, (long)g.Batch * g.OutPlane * taps, (start, end) => DepthwiseConv3x3WeightGradient.Compute(dy, x, dw, g, start, end));
            return;
        }
        var runs = UseStride1(g) ? [] : TapRuns(g);                     // stride 1 has its own kernel
        Parallelism.For(g.InChannels, (long)g.Batch * g.OutPlane * taps, (start, end) =>
        {
            var phases = RentPhases(g);
            for (int c = start; c < end; c++)
            {
                var filterGrad = dw.AsSpan(c * taps, taps);
                filterGrad.Clear();
                for (int n = 0; n < g.Batch; n++)
                {
                    int p = n * g.InChannels + c;
                    var input = x.AsSpan(p * g.InPlane, g.InPlane);
                    var grad = dy.AsSpan(p * g.OutPlane, g.OutPlane);
                    if (UseStride1(g)) { ConvDepthwiseStride1.WeightGradientPlane(input, grad, filterGrad, g); continue; }
                    var source = Deinterleave(input, phases, g);
                    foreach (var run in runs)
                        filterGrad[run.Tap] += TensorPrimitives.Dot(grad.Slice(run.Output, run.Length), source.Slice(run.Input, run.Length));
                }
            }
            ReturnPhases(phases);
        });
    }

    /// <summary>One tap's contiguous run in a plane: output positions [Output, Output + Length) of one output row take
    /// kernel tap Tap (i·kw + j) from the deinterleaved input at [Input, Input + Length).</summary>
    private readonly record struct TapRun(int Output, int Tap, int Input, int Length);

    /// <summary>Every (output row r, kernel tap (i, j)) run of a plane, in that order (the summation order of each
    /// output): the output columns [lo, hi) whose input column lies inside the row, and where output column lo's
    /// input sits in the phase-split plane. The same for every plane, so computed once per call.</summary>
    /// <remarks>Forward: output[run] += w[tap] · input[run]; input gradient (the transpose): input[run] += w[tap] ·
    /// dy[run]; weight gradient: dw[tap] += dy[run] · input[run].</remarks>
    private static TapRun[] TapRuns(in ConvGeometry g)
    {
        int sw = g.StrideW, kw = g.KernelWidth, width = PhaseWidth(g);
        int[] lo = new int[kw], hi = new int[kw], start = new int[kw];
        for (int j = 0; j < kw; j++)
        {
            (lo[j], hi[j]) = ConvGeometry.ValidRange(g.OutWidth, g.InWidth, sw, g.PadLeft, j * g.DilationW);
            int shift = j * g.DilationW - g.PadLeft;
            int phase = ((shift % sw) + sw) % sw, offset = (shift - phase) / sw;
            start[j] = phase * g.InHeight * width + offset + lo[j];
        }
        var runs = new List<TapRun>();
        for (int r = 0; r < g.OutHeight; r++)
            for (int i = 0; i < g.KernelHeight; i++)
            {
                int ih = r * g.StrideH - g.PadTop + i * g.DilationH;
                if (ih < 0 || ih >= g.InHeight) continue;
                for (int j = 0; j < kw; j++)
                    if (hi[j] > lo[j]) runs.Add(new TapRun(r * g.OutWidth + lo[j], i * kw + j, start[j] + ih * width, hi[j] - lo[j]));
            }
        return [.. runs];
    }

    // Columns per phase row: ⌈W / sw⌉ (the plane itself when sw = 1).
    private static int PhaseWidth(in ConvGeometry g) => (g.InWidth + g.StrideW - 1) / g.StrideW;

    private static int PhaseLength(in ConvGeometry g) => g.StrideW * g.InHeight * PhaseWidth(g);

    private static float[] RentPhases(in ConvGeometry g) => g.StrideW == 1 ? [] : ArrayPool<float>.Shared.Rent(PhaseLength(g));

    private static void ReturnPhases(float[] phases)
    {
        if (phases.Length > 0) ArrayPool<float>.Shared.Return(phases);
    }

    /// <summary>d[i] += a·x[i]: an inline SIMD loop, since the runs are one output row long (7 to 112 values) and a
    /// library call per (row, tap) cost more than its arithmetic.</summary>
    private static void MultiplyAddInto(ReadOnlySpan<float> x, float a, Span<float> d)
    {
        int n = d.Length, i = 0;
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ds = ref MemoryMarshal.GetReference(d);
        if (Vector512.IsHardwareAccelerated)
        {
            var va = Vector512.Create(a);
            for (; i <= n - 16; i += 16)
                Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xs, (nuint)i), va, Vector512.LoadUnsafe(ref ds, (nuint)i)).StoreUnsafe(ref ds, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            for (; i <= n - 8; i += 8)
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xs, (nuint)i), va, Vector256.LoadUnsafe(ref ds, (nuint)i)).StoreUnsafe(ref ds, (nuint)i);
        }
        for (; i < n; i++) d[i] = MathF.FusedMultiplyAdd(x[i], a, d[i]);
    }

    // [H, W] → [sw, H, ⌈W/sw⌉] with phase p, row h, index k holding column k·sw + p.
    private static ReadOnlySpan<float> Deinterleave(ReadOnlySpan<float> plane, float[] phases, in ConvGeometry g)
    {
        if (g.StrideW == 1) return plane;
        int sw = g.StrideW, width = PhaseWidth(g);
        if (sw == 2 && Avx512F.IsSupported) { DeinterleavePairs(plane, phases, g); return phases.AsSpan(0, PhaseLength(g)); }
        for (int phase = 0; phase < sw; phase++)
            for (int h = 0; h < g.InHeight; h++)
            {
                var row = plane.Slice(h * g.InWidth, g.InWidth);
                var dst = phases.AsSpan((phase * g.InHeight + h) * width, width);
                for (int k = 0, col = phase; col < row.Length; k++, col += sw) dst[k] = row[col];
            }
        return phases.AsSpan(0, PhaseLength(g));
    }

    // Deinterleave for sw = 2 with AVX-512: each 32 input columns become 16 even and 16 odd ones in two permutes.
    private static void DeinterleavePairs(ReadOnlySpan<float> plane, float[] phases, in ConvGeometry g)
    {
        int w = g.InWidth, h = g.InHeight, width = PhaseWidth(g);
        var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var odds = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        ref float source = ref MemoryMarshal.GetReference(plane);
        ref float even0 = ref MemoryMarshal.GetArrayDataReference(phases);
        ref float odd0 = ref Unsafe.Add(ref even0, h * width);
        for (int row = 0; row < h; row++)
        {
            ref float line = ref Unsafe.Add(ref source, row * w);
            ref float even = ref Unsafe.Add(ref even0, row * width);
            ref float odd = ref Unsafe.Add(ref odd0, row * width);
            int k = 0;
            for (; 2 * k + 32 <= w; k += 16)
            {
                var a = Vector512.LoadUnsafe(ref line, (nuint)(2 * k));
                var b = Vector512.LoadUnsafe(ref line, (nuint)(2 * k + 16));
                Avx512F.PermuteVar16x32x2(a, evens, b).StoreUnsafe(ref even, (nuint)k);
                Avx512F.PermuteVar16x32x2(a, odds, b).StoreUnsafe(ref odd, (nuint)k);
            }
            for (int col = 2 * k; col < w; col++)
                Unsafe.Add(ref (col % 2 == 0 ? ref even : ref odd), col / 2) = Unsafe.Add(ref line, col);
        }
    }

    // The inverse of Deinterleave: every element of the plane is written.
    private static void Interleave(ReadOnlySpan<float> phases, Span<float> plane, in ConvGeometry g)
    {
        int sw = g.StrideW, width = PhaseWidth(g);
        if (sw == 2 && Avx512F.IsSupported) { InterleavePairs(phases, plane, g); return; }
        for (int phase = 0; phase < sw; phase++)
            for (int h = 0; h < g.InHeight; h++)
            {
                var row = plane.Slice(h * g.InWidth, g.InWidth);
                var src = phases.Slice((phase * g.InHeight + h) * width, width);
                for (int k = 0, col = phase; col < row.Length; k++, col += sw) row[col] = src[k];
            }
    }

    // Interleave for sw = 2 with AVX-512: 16 even and 16 odd phase values become 32 columns in two permutes.
    private static void InterleavePairs(ReadOnlySpan<float> phases, Span<float> plane, in ConvGeometry g)
    {
        int w = g.InWidth, h = g.InHeight, width = PhaseWidth(g);
        var low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        var high = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        ref float even0 = ref MemoryMarshal.GetReference(phases);
        ref float odd0 = ref Unsafe.Add(ref even0, h * width);
        ref float target = ref MemoryMarshal.GetReference(plane);
        for (int row = 0; row < h; row++)
        {
            ref float even = ref Unsafe.Add(ref even0, row * width);
            ref float odd = ref Unsafe.Add(ref odd0, row * width);
            ref float line = ref Unsafe.Add(ref target, row * w);
            int k = 0;
            for (; 2 * k + 32 <= w; k += 16)
            {
                var e = Vector512.LoadUnsafe(ref even, (nuint)k);
                var o = Vector512.LoadUnsafe(ref odd, (nuint)k);
                Avx512F.PermuteVar16x32x2(e, low, o).StoreUnsafe(ref line, (nuint)(2 * k));
                Avx512F.PermuteVar16x32x2(e, high, o).StoreUnsafe(ref line, (nuint)(2 * k + 16));
            }
            for (int col = 2 * k; col < w; col++)
                Unsafe.Add(ref line, col) = Unsafe.Add(ref (col % 2 == 0 ? ref even : ref odd), col / 2);
        }
    }

    private static bool UseStride1(in ConvGeometry g) => g.StrideH == 1 && g.StrideW == 1 && ConvDepthwiseStride1.IsSupported;
}
