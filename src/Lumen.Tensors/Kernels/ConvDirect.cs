using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

using static Lumen.Tensors.Kernels.IntMath;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The direct forward convolution of shallow layers — few taps per output (C·kh·kw ≤ <see cref="MaxDepth"/>), like
/// an image network's first layer on RGB input — without a column matrix: each band of output rows first splits the
/// input rows it reads into their <c>stride</c> phases (row phase q holds columns q, q + s, q + 2s, …, zero-padded
/// on both sides), so that every tap of 32 consecutive output columns is one contiguous run of a phase row; then a
/// register tile of 8 output channels × 32 output columns accumulates its taps straight from those runs, and the bias
/// and activation (<see cref="ConvEpilogue"/>) are applied before each store.
/// </summary>
/// <remarks>y[o, r, s] = Σ_{c, i, j} w[o, c, i, j] · x[c, r·sh − top + i·dh, s·sw − left + j·dw]. With
/// e = j·dw − left = a·sw + q (0 ≤ q &lt; sw), x[c, ·, s·sw + e] = phase_q[s + a], so output columns s … s + 31 read
/// phase_q[s + a … s + a + 31]. At K = 27 the lowering through <see cref="Im2Col.FillPacked"/> and a GEMM wrote and
/// re-read a column matrix of 27 floats per output (a strided gather at stride 2) for 27 multiply-adds; here each
/// input value is copied about once per band. Each output accumulates its taps in the GEMM's order — (c, i, j)
/// row-major, fused multiply-adds from zero, padding taps multiplying zeros — and is finished by the same epilogue
/// operations, so the values are bitwise those of the im2col path on the same machine's GEMM kernel
/// (<see cref="Conv2dKernel.Forward"/>; AVX-512 here, AVX2 in <see cref="ConvDirectTile256"/>). MLAS (ONNX Runtime)
/// also convolves such layers directly from the NCHW input.</remarks>
internal static class ConvDirect
{
    /// <summary>The most taps per output (C/groups · kh · kw) taken here: 3×3 layers on RGB and RGBA input (27 and 36),
    /// where writing and re-reading the column matrix cost about as much as the GEMM. Deeper 3×3 layers (K = 144–432 in
    /// SqueezeNet and Tiny Darknet) ran faster alone through this kernel, but SqueezeNet's whole forward did not
    /// (10.3–10.6 ms of CPU per forward with them on the GEMM, 11.3–11.5 ms here), so they keep the GEMM.</summary>
    internal const int MaxDepth = 36;

    /// <summary>Output channels of a register tile.</summary>
    private const int TileChannels = 8;

    /// <summary>Output columns of a register tile (two vectors).</summary>
    private const int TileColumns = 32;

    /// <summary>A band aims for this many outputs per channel: several work items per thread at batch 1, and phase rows
    /// of a few tens of KiB (72 KiB for MobileNetV2's first layer) that stay in L2 while the band's tiles read them.</summary>
    private const int BandColumns = 1024;

    /// <summary>The most floats of convolution rows that a band of <see cref="ForwardPooled"/> keeps for its pooling
    /// (512 KiB), so that they stay in L2 until pooled.</summary>
    private const int PooledBandFloats = 1 << 17;

    /// <summary>The most floats of phase rows per band (256 KiB), so that a band's input stays in L2.</summary>
    private const int MaxPhaseFloats = 1 << 16;

    /// <summary>True for an ungrouped, non-depthwise convolution with at most <see cref="MaxDepth"/> taps per output,
    /// non-negative padding, where the GEMM would run its AVX-512 kernel or its AVX2 one (whose values this kernel
    /// reproduces: 8 × 32 tiles on AVX-512, <see cref="ConvDirectTile256"/>'s 6 × 16 on AVX2).</summary>
    public static bool Applies(in ConvGeometry g) =>
        (Wide || (Gemm.BestPath == GemmPath.Vector256 && ConvDirectTile256.IsSupported)) && g.Groups == 1 && !g.IsDepthwise && !g.IsPointwise
        && g.ColumnRows <= MaxDepth && g.PadTop >= 0 && g.PadLeft >= 0 && g.PadBottom >= 0 && g.PadRight >= 0;

    /// <summary>Whether the AVX-512 tiles run (else the AVX2 ones).</summary>
    private static bool Wide => Avx512F.IsSupported && Gemm.BestPath == GemmPath.Vector512;

    /// <summary>y = finish(conv(x, w)) (y overwritten), in parallel over (image, band of output rows).</summary>
    public static unsafe void Forward(float[] x, float[] w, float[] y, ConvGeometry g, in ConvEpilogue finish)
    {
        if (!Applies(g))
            throw new ArgumentException($"ConvDirect: takes ungrouped, non-depthwise convolutions of at most {MaxDepth} taps per output with non-negative padding on AVX-512 or AVX2, not {g.ColumnRows} taps, {g.Groups} groups, padding ({g.PadTop}, {g.PadLeft}, {g.PadBottom}, {g.PadRight}).", nameof(g));
        if (x.Length < (long)g.Batch * g.InChannels * g.InPlane || w.Length < (long)g.OutChannels * g.ColumnRows || y.Length < (long)g.Batch * g.OutChannels * g.OutPlane)
            throw new ArgumentException($"ConvDirect: input {x.Length}, weight {w.Length} or output {y.Length} floats are too few for [{g.Batch}, {g.InChannels}, {g.InHeight}, {g.InWidth}] * [{g.OutChannels}, {g.InChannels}, {g.KernelHeight}, {g.KernelWidth}] → [{g.Batch}, {g.OutChannels}, {g.OutHeight}, {g.OutWidth}].");
        var plan = new Plan(g);
        int depth = g.ColumnRows, block = Wide ? TileChannels : ConvDirectTile256.Channels, blocks = (g.OutChannels + block - 1) / block;
        var packed = ArrayPool<float>.Shared.Rent(blocks * depth * block);
        var epilogue = finish;
        try
        {
            PackWeights(w, packed, g.OutChannels, depth, block);
            Parallelism.ForDynamic(g.Batch * plan.Bands, (long)g.OutChannels * depth * plan.Rows * g.OutWidth, 1, (start, end) =>
            {
                var phases = ArrayPool<float>.Shared.Rent(plan.PhaseFloats);
                try
                {
                    fixed (float* xs = x, ws = packed, ys = y, ps = phases)
                    fixed (int* taps = plan.Taps)
                        for (int item = start; item < end; item++) Band(xs, ws, ys, ps, taps, g, plan, epilogue, item);
                }
                finally { ArrayPool<float>.Shared.Return(phases); }
            });
        }
        finally { ArrayPool<float>.Shared.Return(packed); }
    }

    /// <summary>y = maxpool(finish(conv(x, w))), y [N, O, PH, PW] overwritten, without the convolution's whole output:
    /// in parallel over (image, band of pooled rows), each band's convolution rows (those its windows read, the rows
    /// between bands computed for both) go to a scratch array that stays in cache, then are pooled into y
    /// (<see cref="PoolMax"/>). <paramref name="pool"/> is the pooling of the convolution's output [N·O, OH, OW].
    /// Bitwise the two ops in sequence: each convolution value is the same sum, each window the same maxima in the
    /// same order.</summary>
    /// <remarks>A network's first layer, followed by a max pool (SqueezeNet: 64 × 111² = 3.2 MB, pooled to a quarter;
    /// Tiny Darknet: 16 × 224²), otherwise writes its whole output to memory and reads it back.</remarks>
    public static unsafe void ForwardPooled(float[] x, float[] w, float[] y, ConvGeometry g, in ConvEpilogue finish, PoolGeometry pool)
    {
        if (!Applies(g))
            throw new ArgumentException($"ConvDirect: takes ungrouped, non-depthwise convolutions of at most {MaxDepth} taps per output with non-negative padding on AVX-512 or AVX2, not {g}.", nameof(g));
        if (pool.Planes != g.Batch * g.OutChannels || pool.InHeight != g.OutHeight || pool.InWidth != g.OutWidth)
            throw new ArgumentException($"ConvDirect: a pooling of {pool.Planes} planes of [{pool.InHeight}, {pool.InWidth}] does not fit the convolution's output [{g.Batch}, {g.OutChannels}, {g.OutHeight}, {g.OutWidth}].", nameof(pool));
        if (finish.HasResidual) throw new ArgumentException("ConvDirect: a pooled convolution takes no residual.", nameof(finish));
        int ph = pool.OutHeight, pw = pool.OutWidth, window = (pool.KernelHeight - 1) * pool.DilationH + 1;
        if (ph <= 0 || pw <= 0 || g.Batch == 0 || g.OutChannels == 0) return;
        if (x.Length < (long)g.Batch * g.InChannels * g.InPlane || w.Length < (long)g.OutChannels * g.ColumnRows || y.Length < (long)g.Batch * g.OutChannels * ph * pw)
            throw new ArgumentException($"ConvDirect: input {x.Length}, weight {w.Length} or output {y.Length} floats are too few for {g} pooled to [{ph}, {pw}].");
        // pooled rows per band: at least four bands per thread where the batch allows, convolution rows of at most
        // PooledBandFloats, evened out (each band recomputes the window − stride rows it shares with the next)
        int most = Math.Max(1, (PooledBandFloats / Math.Max(1, g.OutChannels * g.OutWidth) - window) / pool.StrideH + 1);
        int pooledRows = Math.Clamp(Math.Min(most, CeilDiv(ph, CeilDiv(4 * Parallelism.MaxDegree, g.Batch))), 1, Math.Max(ph, 1));
        pooledRows = CeilDiv(ph, CeilDiv(ph, pooledRows));
        int bands = CeilDiv(ph, pooledRows);
        var plan = new Plan(g, (pooledRows - 1) * pool.StrideH + window);
        int depth = g.ColumnRows, block = Wide ? TileChannels : ConvDirectTile256.Channels, blocks = (g.OutChannels + block - 1) / block;
        var packed = ArrayPool<float>.Shared.Rent(blocks * depth * block);
        var epilogue = finish;
        try
        {
            PackWeights(w, packed, g.OutChannels, depth, block);
            Parallelism.ForDynamic(g.Batch * bands, (long)g.OutChannels * depth * plan.Rows * g.OutWidth, 1, (start, end) =>
            {
                var phases = ArrayPool<float>.Shared.Rent(plan.PhaseFloats);
                var rows = ArrayPool<float>.Shared.Rent(g.OutChannels * plan.Rows * g.OutWidth + PoolMaxPairs.Slack);
                try
                {
                    for (int item = start; item < end; item++)
                    {
                        // pooled rows [p0, p1) of image n read convolution rows [c0, c1): from the first window's
                        // top (top, perhaps in the padding) to the last window's bottom, clipped to the output
                        int n = item / bands, p0 = item % bands * pooledRows, p1 = Math.Min(ph, p0 + pooledRows);
                        int top = p0 * pool.StrideH - pool.PadTop, bottom = (p1 - 1) * pool.StrideH - pool.PadTop + window;
                        int c0 = Math.Max(0, top), count = Math.Max(0, Math.Min(g.OutHeight, bottom) - c0);
                        // the band's pooling: the same windows over its rows, the padding made up of the rows it lacks
                        var band = pool with { Planes = g.OutChannels, InHeight = count, PadTop = c0 - top, PadBottom = bottom - (c0 + count) };
                        if (count > 0)
                            fixed (float* xs = x, ws = packed, bs = rows, ps = phases)
                            fixed (int* taps = plan.Taps)
                                BandAt(xs, ws, bs, (nint)count * g.OutWidth, ps, taps, g, plan, epilogue, n, c0, count);
                        PoolMax.Forward(rows, y, band, ((long)n * g.OutChannels * ph + p0) * pw, (long)ph * pw, parallel: false);
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(rows);
                    ArrayPool<float>.Shared.Return(phases);
                }
            });
        }
        finally { ArrayPool<float>.Shared.Return(packed); }
    }

    /// <summary>The weights [O, K] as blocks of <paramref name="block"/> output channels (a tile's), [K, block] each
    /// (zeros past O), so that a tap's broadcasts read one contiguous row.</summary>
    private static void PackWeights(float[] w, float[] packed, int channels, int depth, int block)
    {
        for (int b = 0; b * block < channels; b++)
            for (int t = 0; t < depth; t++)
                for (int r = 0; r < block; r++)
                {
                    int o = b * block + r;
                    packed[(b * depth + t) * block + r] = o < channels ? w[o * depth + t] : 0f;
                }
    }

    /// <summary>The band layout of a geometry: band height, phase rows and each tap's offset into them.</summary>
    private sealed class Plan
    {
        public Plan(in ConvGeometry g, int bandRows = 0)
        {
            int sw = g.StrideW, oh = g.OutHeight, ow = g.OutWidth;
            // taps j read phase q at offset a (e = j·dw − left = a·sw + q): margins for the least and greatest a
            int least = FloorDiv(-g.PadLeft, sw), most = FloorDiv((g.KernelWidth - 1) * g.DilationW - g.PadLeft, sw);
            Left = -least;
            int width = Left + (ow + TileColumns - 1) / TileColumns * TileColumns + Math.Max(0, most);
            RowLength = (width + 15) / 16 * 16;
            // about BandColumns outputs per band, at least four bands per thread, phase rows of at most MaxPhaseFloats
            int rows = (BandColumns + ow - 1) / ow;
            rows = Math.Min(rows, CeilDiv(oh, CeilDiv(4 * Parallelism.MaxDegree, g.Batch)));
            while (rows > 1 && (long)g.InChannels * InputRows(g, rows) * sw * RowLength > MaxPhaseFloats) rows--;
            Rows = bandRows > 0 ? Math.Min(bandRows, oh) : CeilDiv(oh, CeilDiv(oh, Math.Max(1, rows)));
            Bands = CeilDiv(oh, Rows);
            RowsIn = InputRows(g, Rows);
            Taps = new int[g.ColumnRows];
            for (int c = 0; c < g.InChannels; c++)
                for (int i = 0; i < g.KernelHeight; i++)
                    for (int j = 0; j < g.KernelWidth; j++)
                    {
                        int e = j * g.DilationW - g.PadLeft, a = FloorDiv(e, sw), q = e - a * sw;
                        Taps[(c * g.KernelHeight + i) * g.KernelWidth + j] = ((c * RowsIn + i * g.DilationH) * sw + q) * RowLength + Left + a;
                    }
            PhaseFloats = g.InChannels * RowsIn * sw * RowLength;
        }

        /// <summary>Output rows per band (the last band may have fewer).</summary>
        public int Rows { get; }

        public int Bands { get; }

        /// <summary>Input rows of a full band, per channel.</summary>
        public int RowsIn { get; }

        /// <summary>Phase entries left of phase column 0.</summary>
        public int Left { get; }

        /// <summary>Floats per phase row.</summary>
        public int RowLength { get; }

        /// <summary>Tap t = (c·kh + i)·kw + j of the band's first output row and column 0, as an offset into the phase
        /// rows [C, RowsIn, sw, RowLength]; output row r of the band adds r·sh·sw·RowLength, column s adds s.</summary>
        public int[] Taps { get; }

        public int PhaseFloats { get; }
    }

    /// <summary>One (image, band) item: splits the band's input rows into phases, then computes its output rows.</summary>
    private static unsafe void Band(float* xs, float* ws, float* ys, float* phases, int* taps, in ConvGeometry g, Plan plan, in ConvEpilogue finish, int item)
    {
        int n = item / plan.Bands, row0 = item % plan.Bands * plan.Rows, count = Math.Min(plan.Rows, g.OutHeight - row0);
        BandAt(xs, ws, ys + (nint)n * g.OutChannels * g.OutPlane + (nint)row0 * g.OutWidth, g.OutPlane, phases, taps, g, plan, finish, n, row0, count);
    }

    /// <summary>Output rows [<paramref name="row0"/>, row0 + <paramref name="count"/>) (count ≤ the plan's band rows)
    /// of image <paramref name="n"/>, written at <paramref name="output"/> (row row0 of channel 0), channel planes
    /// <paramref name="plane"/> floats apart.</summary>
    private static unsafe void BandAt(float* xs, float* ws, float* output, nint plane, float* phases, int* taps, in ConvGeometry g, Plan plan, in ConvEpilogue finish,
        int n, int row0, int count)
    {
        int sw = g.StrideW, rowsIn = InputRows(g, count), first = row0 * g.StrideH - g.PadTop;
        for (int c = 0; c < g.InChannels; c++)
        {
            float* input = xs + ((nint)n * g.InChannels + c) * g.InPlane;
            for (int r = 0; r < rowsIn; r++)
            {
                int ih = first + r;
                float* target = phases + ((nint)(c * plan.RowsIn + r) * sw) * plan.RowLength;
                SplitRow(ih >= 0 && ih < g.InHeight ? input + (nint)ih * g.InWidth : null, target, g.InWidth, sw, plan.Left, plan.RowLength);
            }
        }
        if (Wide) Rows<Tiles512>(phases, taps, ws, output, plane, g, plan, finish, count);
        else Rows<ConvDirectTile256>(phases, taps, ws, output, plane, g, plan, finish, count);
    }

    /// <summary>Writes phase q of an input row (<paramref name="row"/>, or zeros when null: padding) at
    /// <paramref name="target"/> + q·<paramref name="length"/>: entry m + <paramref name="left"/> holds row[m·sw + q],
    /// zero where that leaves the row (stride 2 through <see cref="Im2Col.EveryOther"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SplitRow(float* row, float* target, int width, int sw, int left, int length)
    {
        if (row == null)
        {
            new Span<float>(target, sw * length).Clear();
            return;
        }
        int room = length - left;                          // entries from phase column 0 on (columns past them are never read)
        for (int q = 0; q < sw; q++)
        {
            float* phase = target + (nint)q * length;
            int valid = Math.Min((width - q + sw - 1) / sw, room);   // m with m·sw + q < width
            new Span<float>(phase, left).Clear();
            new Span<float>(phase + left + valid, room - valid).Clear();
            if (sw == 1) new ReadOnlySpan<float>(row, valid).CopyTo(new Span<float>(phase + left, valid));
            else if (sw == 2) Im2Col.EveryOther(row + q, valid, width - q, phase + left);
            else for (int m = 0; m < valid; m++) phase[left + m] = row[m * sw + q];
        }
    }

    /// <summary>The band's <paramref name="count"/> output rows, tile by tile: channel block by channel block, so that each
    /// output plane is written in one contiguous run of the band's rows (fewer streams for the hardware prefetcher to
    /// follow when the output is not in cache; the phase rows are re-read from L2). A watched clamp (<see cref="ConvEpilogue.WatchesTies"/>)
    /// is found in registers as each row is stored, as the GEMM does (<see cref="TiesWatched"/>); a residual is added by a
    /// second pass over the stored tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Rows<TTiles>(float* phases, int* taps, float* ws, float* output, nint plane, in ConvGeometry g, Plan plan, in ConvEpilogue finish, int count)
        where TTiles : struct, IDirectTiles
    {
        int ow = g.OutWidth, depth = g.ColumnRows, channels = g.OutChannels;
        nint rowStep = (nint)g.StrideH * g.StrideW * plan.RowLength;
        for (int o = 0; o < channels; o += TTiles.Channels)
            for (int r = 0; r < count; r++)
            {
                float* weights = ws + (nint)o * depth, target = output + o * plane + (nint)r * ow;
                int rows = Math.Min(TTiles.Channels, channels - o);
                for (int s = 0; s < ow; s += TTiles.Columns)
                {
                    int cols = Math.Min(TTiles.Columns, ow - s);
                    float* source = phases + r * rowStep + s;
                    if (finish.HasResidual)
                    {
                        TTiles.Tile<TiesUnwatched>(source, taps, depth, weights, target + s, plane, rows, cols, default, o);
                        finish.Apply(target + s, plane, o, rows, cols);
                    }
                    else if (finish.WatchesTies)
                    {
                        uint tied = TTiles.Tile<TiesWatched>(source, taps, depth, weights, target + s, plane, rows, cols, finish, o);
                        if (tied != 0) finish.ReportRows(o, tied);
                    }
                    else TTiles.Tile<TiesUnwatched>(source, taps, depth, weights, target + s, plane, rows, cols, finish, o);
                }
            }
    }

    /// <summary>The AVX-512 tiles (<see cref="TileChannels"/> × <see cref="TileColumns"/>, <see cref="Tile{TTies}"/>).</summary>
    private readonly unsafe struct Tiles512 : IDirectTiles
    {
        public static int Channels => TileChannels;

        public static int Columns => TileColumns;

        public static uint Tile<TTies>(float* src, int* taps, int depth, float* w, float* y, nint plane, int rows, int cols, in ConvEpilogue finish, int channel)
            where TTies : struct, ITieWatch => ConvDirect.Tile<TTies>(src, taps, depth, w, y, plane, rows, cols, finish, channel);
    }

    /// <summary>One register tile: output channels [channel, channel + rows) × 32 columns (the first
    /// <paramref name="cols"/> stored), y[o, s] = Σ_t w[o, t] · src[taps[t] + s] accumulated from zero in tap order;
    /// returns the rows in which a watched clamp met a bound, bit r for row r (0 unless <typeparamref name="TTies"/> is
    /// <see cref="TiesWatched"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe uint Tile<TTies>(float* src, int* taps, int depth, float* w, float* y, nint plane, int rows, int cols, in ConvEpilogue finish, int channel)
        where TTies : struct, ITieWatch
    {
        if (cols <= HalfColumns) return HalfTile<TTies>(src, taps, depth, w, y, plane, rows, cols, finish, channel);
        Vector512<float> c0a = default, c0b = default, c1a = default, c1b = default, c2a = default, c2b = default, c3a = default, c3b = default;
        Vector512<float> c4a = default, c4b = default, c5a = default, c5b = default, c6a = default, c6b = default, c7a = default, c7b = default;
        for (int t = 0; t < depth; t++, w += TileChannels)
        {
            float* s = src + taps[t];
            var b0 = Vector512.Load(s);
            var b1 = Vector512.Load(s + 16);
            var a = Vector512.Create(w[0]);
            c0a = Vector512.FusedMultiplyAdd(a, b0, c0a);
            c0b = Vector512.FusedMultiplyAdd(a, b1, c0b);
            a = Vector512.Create(w[1]);
            c1a = Vector512.FusedMultiplyAdd(a, b0, c1a);
            c1b = Vector512.FusedMultiplyAdd(a, b1, c1b);
            a = Vector512.Create(w[2]);
            c2a = Vector512.FusedMultiplyAdd(a, b0, c2a);
            c2b = Vector512.FusedMultiplyAdd(a, b1, c2b);
            a = Vector512.Create(w[3]);
            c3a = Vector512.FusedMultiplyAdd(a, b0, c3a);
            c3b = Vector512.FusedMultiplyAdd(a, b1, c3b);
            a = Vector512.Create(w[4]);
            c4a = Vector512.FusedMultiplyAdd(a, b0, c4a);
            c4b = Vector512.FusedMultiplyAdd(a, b1, c4b);
            a = Vector512.Create(w[5]);
            c5a = Vector512.FusedMultiplyAdd(a, b0, c5a);
            c5b = Vector512.FusedMultiplyAdd(a, b1, c5b);
            a = Vector512.Create(w[6]);
            c6a = Vector512.FusedMultiplyAdd(a, b0, c6a);
            c6b = Vector512.FusedMultiplyAdd(a, b1, c6b);
            a = Vector512.Create(w[7]);
            c7a = Vector512.FusedMultiplyAdd(a, b0, c7a);
            c7b = Vector512.FusedMultiplyAdd(a, b1, c7b);
        }
        var lanes = Vector512<int>.Indices;
        var first = Vector512.LessThan(lanes, Vector512.Create(cols)).AsSingle();
        var second = Vector512.LessThan(lanes, Vector512.Create(cols - 16)).AsSingle();
        uint tied = 0;
        Store<TTies>(y, c0a, c0b, finish, channel, cols, first, second, 0, ref tied);
        if (rows > 1) Store<TTies>(y + plane, c1a, c1b, finish, channel + 1, cols, first, second, 1, ref tied);
        if (rows > 2) Store<TTies>(y + 2 * plane, c2a, c2b, finish, channel + 2, cols, first, second, 2, ref tied);
        if (rows > 3) Store<TTies>(y + 3 * plane, c3a, c3b, finish, channel + 3, cols, first, second, 3, ref tied);
        if (rows > 4) Store<TTies>(y + 4 * plane, c4a, c4b, finish, channel + 4, cols, first, second, 4, ref tied);
        if (rows > 5) Store<TTies>(y + 5 * plane, c5a, c5b, finish, channel + 5, cols, first, second, 5, ref tied);
        if (rows > 6) Store<TTies>(y + 6 * plane, c6a, c6b, finish, channel + 6, cols, first, second, 6, ref tied);
        if (rows > 7) Store<TTies>(y + 7 * plane, c7a, c7b, finish, channel + 7, cols, first, second, 7, ref tied);
        return tied;
    }

    /// <summary>Columns of a ragged last tile that <see cref="HalfTile{TTies}"/> covers: one vector.</summary>
    private const int HalfColumns = 16;

    /// <summary><see cref="Tile{TTies}"/> for a ragged last tile of at most <see cref="HalfColumns"/> columns: the same
    /// taps, loads and fused multiply-adds for the first vector only (8 accumulators), so each value is bitwise the
    /// full tile's, at half its cost (SqueezeNet's 111-column first layer: 3 tiles and 15 columns a row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe uint HalfTile<TTies>(float* src, int* taps, int depth, float* w, float* y, nint plane, int rows, int cols, in ConvEpilogue finish, int channel)
        where TTies : struct, ITieWatch
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int t = 0; t < depth; t++, w += TileChannels)
        {
            var b = Vector512.Load(src + taps[t]);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(w[0]), b, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(w[1]), b, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(w[2]), b, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(w[3]), b, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(w[4]), b, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(w[5]), b, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(w[6]), b, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(w[7]), b, c7);
        }
        var first = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols)).AsSingle();
        var none = Vector512<float>.Zero;                                       // the second vector: no lane stored or watched
        uint tied = 0;
        Store<TTies>(y, c0, default, finish, channel, cols, first, none, 0, ref tied);
        if (rows > 1) Store<TTies>(y + plane, c1, default, finish, channel + 1, cols, first, none, 1, ref tied);
        if (rows > 2) Store<TTies>(y + 2 * plane, c2, default, finish, channel + 2, cols, first, none, 2, ref tied);
        if (rows > 3) Store<TTies>(y + 3 * plane, c3, default, finish, channel + 3, cols, first, none, 3, ref tied);
        if (rows > 4) Store<TTies>(y + 4 * plane, c4, default, finish, channel + 4, cols, first, none, 4, ref tied);
        if (rows > 5) Store<TTies>(y + 5 * plane, c5, default, finish, channel + 5, cols, first, none, 5, ref tied);
        if (rows > 6) Store<TTies>(y + 6 * plane, c6, default, finish, channel + 6, cols, first, none, 6, ref tied);
        if (rows > 7) Store<TTies>(y + 7 * plane, c7, default, finish, channel + 7, cols, first, none, 7, ref tied);
        return tied;
    }

    /// <summary>Finishes one channel's 32 values (<see cref="ConvEpilogue.Finish"/>, as the GEMM's store) and stores
    /// the lanes in <paramref name="first"/> and <paramref name="second"/> (all of them when <paramref name="cols"/> is 32);
    /// a watched clamp sets bit <paramref name="bit"/> of <paramref name="tied"/> when a stored lane met a bound.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store<TTies>(float* row, Vector512<float> left, Vector512<float> right, in ConvEpilogue finish, int channel, int cols,
        Vector512<float> first, Vector512<float> second, int bit, ref uint tied) where TTies : struct, ITieWatch
    {
        if (typeof(TTies) == typeof(TiesWatched))
        {
            if (finish.FinishWatched(ref left, ref right, channel, first, second)) tied |= 1u << bit;
        }
        else if (finish.FinishesValues) finish.Finish(ref left, ref right, channel);
        if (cols >= TileColumns)
        {
            left.Store(row);
            right.Store(row + 16);
            return;
        }
        Avx512F.MaskStore(row, first, left);
        Avx512F.MaskStore(row + 16, second, right);
    }

    /// <summary>Input rows that <paramref name="rows"/> output rows read, per channel.</summary>
    private static int InputRows(in ConvGeometry g, int rows) => (rows - 1) * g.StrideH + (g.KernelHeight - 1) * g.DilationH + 1;

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}
