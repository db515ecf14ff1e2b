using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

using static Lumen.Tensors.Kernels.IntMath;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The fast 2-D convolution: depthwise convolutions go to <see cref="ConvDepthwise"/>; 3×3 stride-1 ones where it is
/// measured faster, forward and input gradient, to <see cref="WinogradConvolution"/>; every other one is lowered
/// band by band (a few output rows of one image and one group at a time) with <see cref="Im2Col"/> into a small,
/// reused column buffer and multiplied by the group's weights with <see cref="Gemm"/>. 1×1 stride-1 convolutions
/// skip the lowering: the input plane is the column matrix, and for several images of small planes the images'
/// planes side by side are, in one GEMM over the batch (<see cref="ConvPointwiseForward"/>). Work items (image, group, band) run in parallel. In the
/// forward pass the columns are written straight in the GEMM's packed-B layout, and weights that the items would
/// pack more than once are packed once per call and shared (<see cref="GemmPackedA"/>).
/// </summary>
/// <remarks>Forward: Y_g[Og, OH·OW] = W_g[Og, K] · cols_g[K, OH·OW]. Input gradient: cols = W_gᵀ·dY_g, then col2im.
/// Weight gradient: dW_g += dY_g · cols_gᵀ. K = C/groups · kh · kw. <see cref="ConvNaive"/> is the oracle.</remarks>
internal static class Conv2dKernel
{
    /// <summary>Bands aim for at least this many output positions, so the GEMM stays efficient…</summary>
    internal const int MinBandColumns = 448;

    /// <summary>…and the column buffer at most this many floats (1 MiB), so it stays in the L2/L3 caches.</summary>
    internal const int MaxColumnFloats = 1 << 18;

    /// <summary>y = conv(x, w), then the <paramref name="epilogue"/> (bias, activation) on each output channel as
    /// its values are finished (y is overwritten).</summary>
    public static void Forward(float[] x, float[] w, float[] y, ConvGeometry g, in ConvEpilogue epilogue = default) =>
        ForwardAt(x, w, y, ConvPlacement.Dense, g, epilogue);

    /// <summary>As <see cref="Forward"/>, the output placed in y as <paramref name="place"/> says (each image's planes
    /// from its own start on), the floats around them untouched: e.g. the inputs of a channel concatenation written in
    /// place, each at its channels (<see cref="ConvPlacement"/>). Winograd and the GEMM paths write there directly; the
    /// others through a scratch array and a copy. An epilogue with a residual takes only the dense placement (its
    /// residual is addressed from each output value's place).</summary>
    public static void ForwardAt(float[] x, float[] w, float[] y, ConvPlacement place, ConvGeometry g, in ConvEpilogue epilogue)
    {
        if (!place.IsDense(g))
        {
            place.Check(g, y.LongLength, "Conv2d");
            if (epilogue.HasResidual)
                throw new ArgumentException("Conv2d: an epilogue with a residual writes only the dense output.", nameof(place));
            if (!WritesInPlace(g, epilogue))
            {
                int image = g.OutChannels * g.OutPlane, size = checked(g.Batch * image);
                var scratch = ArrayPool<float>.Shared.Rent(size);
                try
                {
                    Forward(x, w, scratch, g, epilogue);
                    for (int n = 0; n < g.Batch; n++) Array.Copy(scratch, (long)n * image, y, place.ImageStart(g, n), image);
                }
                finally { ArrayPool<float>.Shared.Return(scratch); }
                return;
            }
        }
        if (g.IsDepthwise) { ConvDepthwise.Forward(x, w, y, g, epilogue); return; }
        if (ConvPointwiseForward.TryRun(x, w, y, place, g, epilogue)) return;
        if (ConvPointwiseNarrow.Applies(g, epilogue)) { ConvPointwiseNarrow.Forward(x, w, y, g, epilogue); return; }
        if (WinogradConvolution.TryForward(x, w, y, g, epilogue, place)) return;
        if (ConvDirect.Applies(g)) { ConvDirect.Forward(x, w, y, g, epilogue); return; }
        var finish = epilogue;
        int rows = BandRows(g, Parallelism.MaxDegree), bands = CeilDiv(g.OutHeight, rows);
        int og = g.OutPerGroup, k = g.ColumnRows, items = g.Batch * g.Groups * bands;
        var packed = PackWeights(w, g, og, k, transposed: false, items, rows * g.OutWidth);
        var (depthBlock, nr) = Gemm.PanelShapeB(Gemm.BestPath, k);
        try
        {
            ForItems(items, (long)og * k * rows * g.OutWidth, independent: true, (start, end, threads) =>
            {
                for (int item = start; item < end; item++)
                {
                    var (n, group, row0, count) = Decode(g, item, bands, rows);
                    int width = count * g.OutWidth;
                    var weights = w.AsSpan(group * og * k, og * k);
                    // the band's rows are contiguous in each channel plane: C is the output at the band's first row,
                    // one channel plane apart
                    var output = y.AsSpan(checked((int)place.ImageStart(g, n) + group * og * g.OutPlane + row0 * g.OutWidth));
                    int inputOffset = (n * g.InChannels + group * g.InPerGroup) * g.InPlane;
                    if (g.IsPointwise)
                    {
                        Gemm.Multiply(weights, Packed(packed, group), x.AsSpan(inputOffset, g.InPerGroup * g.InPlane), output, g.OutPlane, og, width, k,
                            false, false, false, threads, GemmPath.Auto, finish.From(group * og));
                        continue;
                    }
                    // im2col writes the GEMM's packed B panels directly, into this thread's aligned scratch
                    var cols = GemmBuffers.Columns(k * ((width + nr - 1) / nr * nr));
                    FillPacked(x, inputOffset, cols, g, row0, count, depthBlock, nr, threads);
                    Gemm.MultiplyPackedB(weights, Packed(packed, group), cols, output, g.OutPlane, og, width, k,
                        false, false, threads, Gemm.BestPath, finish.From(group * og));
                }
            });
        }
        finally { Release(packed); }
    }

    /// <summary>Whether <see cref="ForwardAt"/> takes a path that writes any placement itself: Winograd, the band GEMMs
    /// or the pointwise GEMM over the batch, not the depthwise, transposed pointwise, 16-channel or direct ones (the
    /// order of its dispatch).</summary>
    private static bool WritesInPlace(in ConvGeometry g, in ConvEpilogue epilogue) =>
        !g.IsDepthwise && !ConvPointwiseForward.Transposes(g, Parallelism.MaxDegree)
        && !ConvPointwiseNarrow.Applies(g, epilogue) && (ConvPointwiseForward.Batches(g) || WinogradConvolution.Applies(g) || !ConvDirect.Applies(g));

    /// <summary><see cref="Im2Col.FillPacked"/> of the group's channels at <paramref name="offset"/> in x, on
    /// <paramref name="threads"/> threads (a band that runs alone, its GEMM split over the threads too), each
    /// writing the packed rows of its own channels.</summary>
    private static unsafe void FillPacked(float[] x, int offset, Span<float> cols, in ConvGeometry g, int row0, int count, int depthBlock, int nr, int threads)
    {
        var input = x.AsSpan(offset, g.InPerGroup * g.InPlane);
        if (threads == 1)
        {
            Im2Col.FillPacked(input, cols, g, row0, count, depthBlock, nr);
            return;
        }
        var geometry = g;
        int length = cols.Length;
        fixed (float* pc = cols)
        {
            nint target = (nint)pc;
            Parallelism.For(g.InPerGroup, (long)g.KernelHeight * g.KernelWidth * count * g.OutWidth, (first, last) =>
                Im2Col.FillPackedChannels(x.AsSpan(offset, geometry.InPerGroup * geometry.InPlane), new Span<float>((float*)target, length),
                    geometry, row0, count, depthBlock, nr, first, last));
        }
    }

    /// <summary>Each group's op(W) (Wᵀ when <paramref name="transposed"/>: m = K, depth Og) packed: kept from earlier
    /// calls when the weights are read-only (<see cref="PackedWeights"/>) and the GEMMs pack A at all (not
    /// matrix-vector products: a 1×1 plane's classifier at batch 1); else packed once for the call, when the
    /// <paramref name="items"/> GEMMs of about <paramref name="width"/> columns would otherwise pack it more than once
    /// (several bands or images, several column blocks, threads splitting the columns), and only for this call, as
    /// writable weights may change before the next one (ARCHITECTURE entry 35); else none.</summary>
    private static GemmPackedA[] PackWeights(float[] w, in ConvGeometry g, int m, int k, bool transposed, int items, int width)
    {
        int perGroup = items / g.Groups, packings = Gemm.PackingsOfA(m, width, k, ThreadsPerItem(items));
        if (packings > 0 && PackedWeights.Get(w, g.Groups, m, k, transposed) is { } kept) return kept;
        if ((long)perGroup * packings <= 1) return [];
        var packed = new GemmPackedA[g.Groups];
        try
        {
            for (int group = 0; group < g.Groups; group++)
                packed[group] = GemmPackedA.Pack(w.AsSpan(group * m * k, m * k), m, k, transposed, GemmPath.Auto, Parallelism.MaxDegree);
        }
        catch
        {
            Release(packed);
            throw;
        }
        return packed;
    }

    private static GemmPackedA? Packed(GemmPackedA[] packed, int group) => packed.Length == 0 ? null : packed[group];

    private static void Release(GemmPackedA[] packed)
    {
        foreach (var weights in packed) weights?.Dispose();
    }

    /// <summary>Planes of at most this many positions take one GEMM for the whole batch in the pointwise input
    /// gradient: per image, a GEMM with so few columns spends much of its time packing Wᵀ again and in ragged tiles.
    /// Measured on MobileNetV2 at batch 16: the 7×7 layers −30 %, the 1×1 classifier −85 %; at 14×14 the gather and
    /// scatter copies cost more than they save.</summary>
    internal const int MaxBatchedPlane = 100;

    /// <summary>dx = the input gradient of conv(x, w) for output gradient dy (dx must be zero on entry, unless
    /// <see cref="OverwritesInputGradient"/>); with a <paramref name="mask"/> (only where <see cref="FusesMask"/>), for
    /// output gradient mask ⊙ dy, the mask applied as dy is read, bitwise as if dy had been masked first.</summary>
    public static void BackwardInput(float[] dy, float[] w, float[] dx, ConvGeometry g, ActivationMask? mask = null)
    {
        if (mask is not null && (!FusesMask(g) || mask.Plane != g.OutPlane))
            throw new ArgumentException($"Conv2dKernel: no input-gradient path of this convolution applies an activation mask ({g}); mask the output gradient first.", nameof(mask));
        if (g.IsDepthwise) { ConvDepthwise.BackwardInput(dy, w, dx, g, mask); return; }
        if (BatchesPointwiseInput(g)) { PointwiseBatchInput(dy, w, dx, g, mask); return; }
        if (mask is not null) { PointwiseMaskedInput(dy, w, dx, g, mask); return; }
        if (WinogradConvolution.TryBackwardInput(dy, w, dx, g)) return;
        // Bands of the same height whatever the thread count and batch: col2im adds each band's columns into dx, so
        // other bands would sum an input's contributions in another grouping, and an image's input gradient must not
        // depend on the images beside it (attribution splits batches into memory-bounded chunks and expects the same maps)
        int rows = BandRows(g), bands = CeilDiv(g.OutHeight, rows);
        int og = g.OutPerGroup, k = g.ColumnRows, cg = g.InPerGroup;
        // Wᵀ is packed once for both passes, if the items would pack it more than once (as many as the first pass)
        var packed = PackWeights(w, g, k, og, transposed: true, g.Batch * g.Groups * ((bands + 1) / 2), rows * g.OutWidth);
        try
        {
            // Bands b and b+2 read disjoint input rows (BandRows ensures rows·sh ≥ dh·(kh−1)), so the even bands of
            // an image can scatter into dx concurrently, and then the odd ones.
            for (int parity = 0; parity < Math.Min(2, bands); parity++)
            {
                int perImage = (bands - parity + 1) / 2;
                int p = parity;
                ForItems(g.Batch * g.Groups * perImage, (long)og * k * rows * g.OutWidth, independent: true, (start, end, threads) =>
                {
                    using var buffers = new BandBuffers(g, rows);
                    for (int item = start; item < end; item++)
                    {
                        int band = item % perImage * 2 + p, image = item / perImage;
                        int n = image / g.Groups, group = image % g.Groups;
                        int row0 = band * rows, count = Math.Min(rows, g.OutHeight - row0), width = count * g.OutWidth;
                        var weights = w.AsSpan(group * og * k, og * k);
                        var grad = OutputTile(dy, g, n, group, row0, count, buffers);
                        var target = dx.AsSpan((n * g.InChannels + group * cg) * g.InPlane, cg * g.InPlane);
                        var product = g.IsPointwise ? target : buffers.Columns.AsSpan(0, k * width);
                        Gemm.Multiply(weights, Packed(packed, group), grad, product, width, k, width, og, true, false, false, threads, GemmPath.Auto, default);
                        if (!g.IsPointwise) Im2Col.AddBack(product, target, g, row0, count);
                    }
                });
            }
        }
        finally { Release(packed); }
    }

    /// <summary>Whether <see cref="BackwardInput"/> can apply an activation's gradient mask to dy as it reads it: the
    /// batched pointwise product (as it gathers the planes) and the pointwise product of one image whose GEMM packs
    /// (as it packs B: more than one input channel and position), and the 3×3 depthwise row kernels on small planes
    /// (each plane masked just before the kernel reads it, <see cref="ConvDepthwise.MasksInputGradient"/>).</summary>
    public static bool FusesMask(in ConvGeometry g) =>
        g.IsDepthwise ? ConvDepthwise.MasksInputGradient(g)
            : g.IsPointwise && (BatchesPointwiseInput(g) ? g.InPlane > 1 : g.InPerGroup > 1 && g.OutPlane > 1);

    private static bool BatchesPointwiseInput(in ConvGeometry g) => g.IsPointwise && g.Groups == 1 && g.Batch > 1 && g.InPlane <= MaxBatchedPlane;

    /// <summary>Floats of one block of masked packed B in <see cref="PointwiseMaskedInput"/> (8 MiB: whole planes of
    /// MobileNetV2's expansions, 96 × 112² at most). Long rows pay: dy and the mask are read a whole plane row at a time,
    /// two long streams the prefetcher follows. Measured on MobileNetV2's 112² expansion at batch 10 (one thread): blocks
    /// of 512 KiB (1,344 columns) ran 5 % slower than the mask pass and the GEMM's own packing, whole planes 30 % faster.</summary>
    private const int MaskedBlockFloats = 1 << 21;

    /// <summary>The input gradient of a pointwise convolution for output gradient mask ⊙ dy, per image, group and
    /// block of columns: dX_g[Cg, cols] = W_gᵀ · (mask ⊙ dY_g)[Og, cols], the masked dy written straight into packed B
    /// panels (<see cref="GemmPacking.PackRowMasked"/>) — the same panels the GEMM would pack from a masked copy,
    /// and the same packed kernel, so the same sums (dx overwritten).</summary>
    private static unsafe void PointwiseMaskedInput(float[] dy, float[] w, float[] dx, ConvGeometry g, ActivationMask mask)
    {
        int og = g.OutPerGroup, cg = g.InPerGroup, plane = g.OutPlane;
        var (depthBlock, nr) = Gemm.PanelShapeB(Gemm.BestPath, og);
        // whole planes, or blocks of columns that fit MaskedBlockFloats; one image's columns are shared among the
        // threads, each packing its own block (else one thread would pack while the others wait)
        int images = g.Batch * g.Groups, blocks = (int)Math.Max(((long)og * plane + MaskedBlockFloats - 1) / MaskedBlockFloats, images < Parallelism.MaxDegree ? Parallelism.MaxDegree : 1);
        int block = Math.Min(RoundUp(CeilDiv(plane, blocks), nr), RoundUp(plane, nr));
        blocks = CeilDiv(plane, block);
        int items = images * blocks;
        var packed = PackWeights(w, g, cg, og, transposed: true, items, block);
        try
        {
            ForItems(items, (long)og * cg * block, independent: true, (start, end, threads) =>
            {
                for (int item = start; item < end; item++)
                {
                    int image = item / blocks, j0 = item % blocks * block, width = Math.Min(block, plane - j0);
                    int n = image / g.Groups, group = image % g.Groups;
                    var cols = GemmBuffers.Columns(og * RoundUp(width, nr));
                    PackMasked(dy, mask, n * g.OutChannels + group * og, og, plane, j0, width, depthBlock, nr, cols);
                    var target = dx.AsSpan((n * g.InChannels + group * cg) * plane + j0);
                    Gemm.MultiplyPackedB(w.AsSpan(group * og * cg, og * cg), Packed(packed, group), cols, target, plane, cg, width, og,
                        true, false, threads, Gemm.BestPath, default);
                }
            });
        }
        finally { Release(packed); }
    }

    /// <summary>Columns [j0, j0 + width) of the [rows, plane] matrix mask ⊙ dy whose row 0 is plane <paramref name="first"/>
    /// of dy, packed whole for <see cref="Gemm.MultiplyPackedB"/> (depth blocks of <paramref name="depthBlock"/> rows,
    /// panels of <paramref name="nr"/> columns) into <paramref name="cols"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackMasked(float[] dy, ActivationMask mask, int first, int rows, int plane, int j0, int width, int depthBlock, int nr, Span<float> cols)
    {
        int padded = RoundUp(width, nr);
        fixed (float* gs = dy, bs = cols)
            for (int o = 0; o < rows; o++)
            {
                int pc = o / depthBlock * depthBlock, kc = Math.Min(depthBlock, rows - pc);
                var (values, offset, lo, hi) = mask.Decider(first + o);
                fixed (float* xs = values)
                    GemmPacking.PackRowMasked(gs + (nint)(first + o) * plane + j0, xs + offset + j0, lo, hi, width, nr, kc, bs + (nint)pc * padded + (o - pc) * nr);
            }
    }

    /// <summary>Whether <see cref="BackwardInput"/> writes every element of dx (depthwise and pointwise convolutions),
    /// so that dx need not be zeroed first; the other paths add the column matrix back into dx.</summary>
    public static bool OverwritesInputGradient(in ConvGeometry g) => g.IsDepthwise || g.IsPointwise;

    /// <summary>The input gradient of an ungrouped pointwise convolution as one GEMM over the whole batch:
    /// dX[C, N·P] = Wᵀ[C, O] · dY[O, N·P], with dy gathered from [N, O, P] and the product scattered back to [N, C, P]
    /// (a 1×1 plane needs neither: dX[N, C] = dY[N, O] · W[O, C]). dx is overwritten.</summary>
    private static void PointwiseBatchInput(float[] dy, float[] w, float[] dx, ConvGeometry g, ActivationMask? mask)
    {
        int plane = g.InPlane, batch = g.Batch, o = g.OutChannels, c = g.InChannels, columns = batch * plane;
        if (plane == 1) { Gemm.Multiply(dy, w, dx, batch, c, o); return; }
        var gathered = ArrayPool<float>.Shared.Rent(o * columns);
        var product = ArrayPool<float>.Shared.Rent(c * columns);
        try
        {
            MovePlanes(dy, gathered, batch, o, plane, toBatchMajor: false, mask);    // [N, O, P] → [O, N·P], masked
            Gemm.Multiply(w, gathered.AsSpan(0, o * columns), product.AsSpan(0, c * columns), c, columns, o, transA: true);
            MovePlanes(product, dx, batch, c, plane, toBatchMajor: true);            // [C, N·P] → [N, C, P]
        }
        finally
        {
            ArrayPool<float>.Shared.Return(gathered);
            ArrayPool<float>.Shared.Return(product);
        }
    }

    // Copies the planes of [N, C, P] to [C, N·P] (or back, toBatchMajor), in parallel over channels; masking the
    // [N, C, P] planes on the way when a mask is given.
    private static void MovePlanes(float[] source, float[] target, int batch, int channels, int plane, bool toBatchMajor, ActivationMask? mask = null) =>
        Parallelism.For(channels, (long)batch * plane, (start, end) =>
        {
            for (int ch = start; ch < end; ch++)
                for (int n = 0; n < batch; n++)
                {
                    int batchMajor = (n * channels + ch) * plane, channelMajor = (ch * batch + n) * plane;
                    if (toBatchMajor) source.AsSpan(channelMajor, plane).CopyTo(target.AsSpan(batchMajor, plane));
                    else if (mask is not null) mask.Apply(n * channels + ch, source.AsSpan(batchMajor, plane), target.AsSpan(channelMajor, plane));
                    else source.AsSpan(batchMajor, plane).CopyTo(target.AsSpan(channelMajor, plane));
                }
        });

    /// <summary>dw = the weight gradient of conv(x, w) for output gradient dy (dw is overwritten).</summary>
    public static void BackwardWeight(float[] dy, float[] x, float[] dw, ConvGeometry g)
    {
        if (g.IsDepthwise) { ConvDepthwise.BackwardWeight(dy, x, dw, g); return; }
        Array.Clear(dw);
        int rows = BandRows(g, Parallelism.MaxDegree), bands = CeilDiv(g.OutHeight, rows);
        int og = g.OutPerGroup, k = g.ColumnRows;
        var gate = new object();
        ForItems(g.Batch * g.Groups * bands, (long)og * k * rows * g.OutWidth, independent: false, (start, end, threads) =>
        {
            using var buffers = new BandBuffers(g, rows);
            var partial = new float[dw.Length];
            for (int item = start; item < end; item++)
            {
                var (n, group, row0, count) = Decode(g, item, bands, rows);
                var grad = OutputTile(dy, g, n, group, row0, count, buffers);
                var cols = Columns(x, g, n, group, row0, count, buffers);
                Gemm.Multiply(grad, cols, partial.AsSpan(group * og * k, og * k), og, k, count * g.OutWidth, false, true, true, threads, GemmPath.Auto);
            }
            lock (gate) TensorPrimitives.Add(dw, partial, dw);
        });
    }

    /// <summary>Output rows per band: enough columns for an efficient GEMM, a bounded column buffer, and at least
    /// dh·(kh−1)/sh rows so that bands two apart never touch the same input row; then evened out over the same
    /// number of bands (55 rows in bands of 9 are 6 × 8 + 7, not 6 × 9 + 1; 28 in bands of 16 are 14 + 14), so that
    /// no band is a sliver and the threads that share the bands get equal work.</summary>
    internal static int BandRows(in ConvGeometry g)
    {
        if (g.IsPointwise) return g.OutHeight;
        int rows = CeilDiv(MinBandColumns, g.OutWidth);
        rows = Math.Min(rows, Math.Max(1, MaxColumnFloats / (g.ColumnRows * g.OutWidth)));
        int disjoint = DisjointRows(g);
        rows = Math.Clamp(Math.Max(rows, disjoint), 1, g.OutHeight);
        return Math.Max(CeilDiv(g.OutHeight, CeilDiv(g.OutHeight, rows)), disjoint);
    }

    /// <summary>The fewest output rows per band, dh·(kh−1)/sh rounded up, for which bands two apart never read the
    /// same input row (the input gradient scatters the even bands concurrently, then the odd ones).</summary>
    private static int DisjointRows(in ConvGeometry g) => CeilDiv(g.DilationH * (g.KernelHeight - 1), g.StrideH);

    /// <summary>Output rows per band for a call on <paramref name="threads"/> threads: of the evened-out band
    /// heights from <see cref="BandRows(in ConvGeometry)"/> down to two thirds of it (never below the disjointness
    /// bound), the one that leaves the busiest thread the least work, with the (image, group, band) items split into
    /// contiguous runs as <see cref="Parallelism.For"/> splits them; a taller band (column buffer up to twice
    /// <see cref="MaxColumnFloats"/>) only if it saves at least 5 %. A band costs its columns rounded up to whole
    /// GEMM panels (a ragged panel costs a full one) plus half a panel of per-band overhead; items fewer than the
    /// threads share each GEMM between the threads. E.g. SqueezeNet's 55×55 expand at batch 1 (AVX-512): 7 bands of 8
    /// rows run 4 + 3 on two threads (1824 panel columns on the busier one), 8 bands of 7 run 4 + 4 (1728), 4 taller
    /// bands of 14 rows 2 + 2 (1632, taken); its stride-2 first layer at
    /// 111×111: 23 bands of 5 (the last 1) become 28 of 4; Tiny Darknet's 14×14 layer with K = 2304: 2 bands of 7
    /// rows (98 columns in 128 of panels each) become one of 196 (224) whose GEMM both threads share. Larger batches
    /// rarely change.</summary>
    internal static int BandRows(in ConvGeometry g, int threads)
    {
        int rows = BandRows(g);
        if (threads <= 1 || g.IsPointwise) return rows;
        int disjoint = DisjointRows(g);
        int nr = Gemm.TileShape(Gemm.BestPath).Nr, best = rows;
        long bestCost = BusiestThread(g, rows, threads, nr);
        for (int candidate = rows - 1; candidate >= Math.Max(Math.Max(1, disjoint), CeilDiv(2 * rows, 3)); candidate--)
        {
            int evened = Math.Max(CeilDiv(g.OutHeight, CeilDiv(g.OutHeight, candidate)), disjoint);
            long cost = BusiestThread(g, evened, threads, nr);
            if (cost < bestCost) (best, bestCost) = (evened, cost);
        }
        // Taller bands, up to twice the column buffer, only for a clear gain (mostly fewer ragged panels). When that
        // leaves fewer items than threads, the threads share each band's GEMM and read columns the other thread
        // wrote: moving a column's K floats costs about 16/Og of computing it (a float ~1 cycle, an FMA 1/32).
        int tallest = (int)Math.Min(g.OutHeight, 2L * MaxColumnFloats / ((long)g.ColumnRows * g.OutWidth));
        for (int candidate = rows + 1; candidate <= tallest; candidate++)
        {
            int evened = CeilDiv(g.OutHeight, CeilDiv(g.OutHeight, candidate));
            long cost = BusiestThread(g, evened, threads, nr);
            if ((long)g.Batch * g.Groups * CeilDiv(g.OutHeight, evened) < threads) cost += cost * 16 / g.OutPerGroup;
            if (cost * 20 < bestCost * 19) (best, bestCost) = (evened, cost);
        }
        return best;
    }

    /// <summary>The work, in GEMM columns, of the busiest of <paramref name="threads"/> threads when the items of
    /// bands of <paramref name="rows"/> output rows are split into contiguous runs (see <see cref="BandRows(in ConvGeometry, int)"/>).</summary>
    private static long BusiestThread(in ConvGeometry g, int rows, int threads, int nr)
    {
        int bands = CeilDiv(g.OutHeight, rows), last = g.OutHeight - (bands - 1) * rows;
        long full = RoundUp(rows * g.OutWidth, nr) + nr / 2, ragged = RoundUp(last * g.OutWidth, nr) + nr / 2;
        long items = (long)g.Batch * g.Groups * bands;
        if (items < threads) return CeilDiv((int)((items - 1) * full + ragged), threads);   // each GEMM on every thread
        long busiest = 0;
        for (int c = 0; c < threads; c++)
        {
            long start = items * c / threads, end = items * (c + 1) / threads;
            long lastBands = end / bands - start / bands;                    // items of [start, end) that are a last band
            busiest = Math.Max(busiest, (end - start - lastBands) * full + lastBands * ragged);
        }
        return busiest;
    }

    /// <summary>Runs work items in parallel with single-threaded GEMMs when there are enough items to occupy every
    /// thread, else one after the other with each GEMM using all threads (no nested parallelism). Items that write
    /// disjoint outputs (<paramref name="independent"/>) are claimed one at a time by whichever thread is free
    /// (<see cref="Parallelism.ForDynamic(int, long, int, Action{int, int}, Action)"/>); the weight gradient's, which each thread sums into its own partial
    /// gradient, keep their fixed contiguous runs, so that the partials and their sum do not vary between runs.</summary>
    private static void ForItems(int count, long workPerItem, bool independent, Action<int, int, int> body)
    {
        int threads = ThreadsPerItem(count);
        if (threads > 1) { if (count > 0) body(0, count, threads); }
        else if (independent) Parallelism.ForDynamic(count, workPerItem, 1, (start, end) => body(start, end, 1));
        else Parallelism.For(count, workPerItem, (start, end) => body(start, end, 1));
    }

    /// <summary>The threads each GEMM of <see cref="ForItems"/> may use for <paramref name="count"/> items.</summary>
    private static int ThreadsPerItem(int count) => count >= Parallelism.MaxDegree ? 1 : Parallelism.MaxDegree;

    private static (int N, int Group, int Row0, int Count) Decode(in ConvGeometry g, int item, int bands, int rows)
    {
        int band = item % bands, image = item / bands;
        int row0 = band * rows;
        return (image / g.Groups, image % g.Groups, row0, Math.Min(rows, g.OutHeight - row0));
    }

    // The column matrix [K, count·OW] of a band: the input itself for pointwise convolutions, else im2col.
    private static ReadOnlySpan<float> Columns(float[] x, in ConvGeometry g, int n, int group, int row0, int count, BandBuffers buffers)
    {
        int cg = g.InPerGroup;
        var input = x.AsSpan((n * g.InChannels + group * cg) * g.InPlane, cg * g.InPlane);
        if (g.IsPointwise) return input;
        var cols = buffers.Columns.AsSpan(0, g.ColumnRows * count * g.OutWidth);
        Im2Col.Fill(input, cols, g, row0, count);
        return cols;
    }

    // dy rows of a band as a dense [Og, count·OW] matrix: a slice when the band is the whole image, else a copy.
    private static ReadOnlySpan<float> OutputTile(float[] dy, in ConvGeometry g, int n, int group, int row0, int count, BandBuffers buffers)
    {
        int og = g.OutPerGroup, width = count * g.OutWidth;
        var grad = dy.AsSpan((n * g.OutChannels + group * og) * g.OutPlane, og * g.OutPlane);
        if (count == g.OutHeight) return grad;
        var tile = buffers.Tile.AsSpan(0, og * width);
        for (int o = 0; o < og; o++)
            grad.Slice(o * g.OutPlane + row0 * g.OutWidth, width).CopyTo(tile.Slice(o * width, width));
        return tile;
    }

    /// <summary>Per-thread scratch of one band: the column matrix and a dense output tile, rented from the pool.</summary>
    private sealed class BandBuffers : IDisposable
    {
        public BandBuffers(in ConvGeometry g, int rows)
        {
            int width = rows * g.OutWidth;
            Columns = g.IsPointwise ? [] : ArrayPool<float>.Shared.Rent(g.ColumnRows * width);
            Tile = rows == g.OutHeight ? [] : ArrayPool<float>.Shared.Rent(g.OutPerGroup * width);
        }

        public float[] Columns { get; }

        public float[] Tile { get; }

        public void Dispose()
        {
            if (Columns.Length > 0) ArrayPool<float>.Shared.Return(Columns);
            if (Tile.Length > 0) ArrayPool<float>.Shared.Return(Tile);
        }
    }
}
