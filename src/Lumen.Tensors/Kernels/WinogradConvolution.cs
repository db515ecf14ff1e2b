using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

using static Lumen.Tensors.Kernels.IntMath;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// 3×3, stride-1, dilation-1 ungrouped convolutions by Winograd minimal filtering (<see cref="IWinogradTile"/>):
/// per block of output tiles of one image, the input transform V_ξ = (Bᵀ·d·B)_ξ written straight into the packed B
/// panels of α² GEMMs M_ξ[O, tiles] = U_ξ[O, C]·V_ξ[C, tiles] (U the transformed weights, <see cref="WinogradWeights"/>),
/// then the output transform Y = Aᵀ·m·A with the <see cref="ConvEpilogue"/> into y.
/// </summary>
/// <remarks>
/// Lavin &amp; Gray, "Fast Algorithms for Convolutional Neural Networks", CVPR 2016 (https://arxiv.org/abs/1509.09308).
/// A block is whole rows of tiles of one image, sized so that V and M (α²·(C + O)·tiles floats) stay in the L2
/// cache; the tiles of a block are numbered row by row and transformed L at a time, one per vector lane: the input
/// rows are split into the tiles' phases (<see cref="IWinogradTile.Split"/>: lane t of phase c is row[m·t + c]), so
/// the 2-D transforms are plain vector arithmetic, and the output tiles merged back into rows. With AVX-512 the tiles
/// go 16 at a time (Vector512) into the 12×32 GEMM's panels of 32; with AVX2 + FMA only, 8 at a time (Vector256,
/// <see cref="WinogradF4Avx2"/>, <see cref="WinogradF2Avx2"/>) into the 6×16 GEMM's panels of 16 (the same transform
/// operations lane for lane). Blocks run in parallel (single-threaded GEMMs), their output transforms shared out by
/// channel chunks with threads that have no block left (<see cref="SharedChunks{T}"/>); a plane of fewer tile rows
/// than threads splits its one block's three steps over the threads instead (input channels, positions, output
/// channels). Results differ from the im2col summation by rounding only
/// (<see cref="ConvolutionAlgorithms.Winograd"/> switches this path off).
/// </remarks>
internal static unsafe class WinogradConvolution
{
    /// <summary>Floats of V and M that a block aims at (768 KiB of a 1 MiB L2), at least one GEMM panel of tiles.</summary>
    private const int BlockFloats = 3 << 16;

    /// <summary>The floats of V and M that a block aims at on several threads (256 KiB): the candidate heights reach
    /// twice the target, and at 768 KiB SqueezeNet's 55² layers took two blocks of 7 tile rows, 1.3 MB each; with blocks
    /// of 4 (740 KB), their output transforms shared out (<see cref="SharedChunks{T}"/>), SqueezeNet's forward at batch 1
    /// on two threads ran 1.1 % faster (0.988–0.989, passes alternated in one process), Tiny Darknet's 0.3–3.2 %; at
    /// batch 16 SqueezeNet 1.7–2.4 % faster, Tiny Darknet 0.3–1.6 % slower (noisy: quartiles 0.985–1.037).</summary>
    private const int SharedBlockFloats = 1 << 16;

    /// <summary>Whether this machine has a path: AVX-512 with the Vector512 GEMM, or AVX2 + FMA with the Vector256
    /// GEMM (an AVX-512 machine always takes the former).</summary>
    public static bool IsAvailable { get; } =
        (Avx512F.IsSupported && Gemm.BestPath == GemmPath.Vector512)
        || (Avx2.IsSupported && Fma.IsSupported && Gemm.BestPath == GemmPath.Vector256);

    /// <summary>Whether the kernel can compute this convolution: <see cref="IsAvailable"/>, 3×3, stride 1, dilation 1,
    /// one group, non-negative padding.</summary>
    public static bool Supports(in ConvGeometry g) =>
        IsAvailable && g.Groups == 1 && g.KernelHeight == 3 && g.KernelWidth == 3
        && g.StrideH == 1 && g.StrideW == 1 && g.DilationH == 1 && g.DilationW == 1
        && g.PadTop >= 0 && g.PadLeft >= 0 && g.PadBottom >= 0 && g.PadRight >= 0 && g.OutHeight > 0 && g.OutWidth > 0;

    /// <summary>Whether <see cref="Conv2dKernel.Forward"/> takes this path: allowed (<see cref="ConvolutionAlgorithms.Winograd"/>),
    /// supported, and measured faster than im2col + GEMM (<see cref="TileFor"/> is not 0).</summary>
    public static bool Applies(in ConvGeometry g) => ConvolutionAlgorithms.Winograd && Supports(g) && TileFor(g) != 0;

    /// <summary>Channels below which im2col + GEMM (or <see cref="ConvDirect"/>) is kept: the transforms cost per input
    /// and output channel what the GEMM saves per pair of them. Measured (one thread, batch 1, F(4,3) against the
    /// path taken without it): 4 → 16 channels at 56² 0.89×, 4 → 32 at 112² 0.90× (<see cref="ConvDirect"/>), 6 → 32
    /// at 56² 1.10×, 8 → 16 at 56² 1.74×, 8 → 8 at 112² 1.89×.</summary>
    internal const int MinChannels = 8;

    /// <summary>What the tile transforms add to the GEMMs' cost (10 %, measured on the shipped models' layers).</summary>
    private const double TransformOverhead = 1.1;

    /// <summary>The output tile side to use (4: F(4×4, 3×3), 2: F(2×2, 3×3)), or 0 where im2col + GEMM is faster: the
    /// fewest GEMM columns for one image, counting whole panels of 32 (a ragged panel costs a full one): im2col 9 per
    /// output position (the plane rounded up to 32), Winograd α² per tile (each block's tiles rounded up to 32), the
    /// latter plus <see cref="TransformOverhead"/>. E.g. Tiny Darknet's 112² layer: 9·12,544 against 36·6·160 →
    /// F(4,3); a 14² plane: 9·224 against 36·32 (16 tiles in a panel of 32) and 16·64 (49 tiles) → F(2,3); a 7²
    /// plane: 9·64 against 16·32·1.1 → F(2,3). Decided for one image whatever the batch, so that an image's output
    /// never depends on the images beside it (attribution splits batches into chunks and expects the same maps; the
    /// blocks themselves may span images, which changes no tile's sums). Not taken: counting a batch of 16 as well,
    /// which picks F(4,3) on 13² and 14² planes (one thread, CPU per call: at batch 16 0.67–0.74× F(2,3)'s time, at
    /// batch 1 0.93–0.96× on 14² but 1.08–1.12× on SqueezeNet's 13² layers): F(4,3)'s larger rounding there moved
    /// SqueezeNet's incremental occlusion map from the full passes' by 9.75e-6 (relative L2), past its test's 1e-5.</summary>
    internal static int TileFor(in ConvGeometry g) => TileCounting(g, PathPanel);

    /// <summary><see cref="TileFor"/> counting in GEMM panels of <paramref name="panel"/> tiles (and
    /// output positions): 32 on AVX-512 (as above), 16 on AVX2, where a 13² or 14² plane's 16 F(4,3) tiles fill one
    /// panel: 36·16 against F(2,3)'s 16·64 (49 tiles) → F(4,3), measured 0.67–0.85× F(2,3)'s time there (one thread,
    /// CPU per call, SqueezeNet's and Tiny Darknet's 13² and 14² layers).</summary>
    internal static int TileCounting(in ConvGeometry g, int panel)
    {
        if (g.InChannels < MinChannels || g.OutChannels < MinChannels) return 0;
        var image = g with { Batch = 1 };
        double im2col = 9.0 * RoundUp(g.OutPlane, panel);
        double f4 = TransformOverhead * 36 * panel * Plan.Of(image, 4, panel).Panels;
        double f2 = TransformOverhead * 16 * panel * Plan.Of(image, 2, panel).Panels;
        if (Math.Min(f4, f2) >= im2col) return 0;
        return f4 <= f2 ? 4 : 2;
    }

    /// <summary>The GEMM panel of this machine's path (tiles a panel of V holds: 32 with the 12×32 AVX-512 kernel, 16
    /// with the 6×16 AVX2 one).</summary>
    private static int PathPanel { get; } = Gemm.BestPath == GemmPath.Vector256 ? GemmKernel256.NR : GemmKernel512.NR;

    /// <summary>y = epilogue(conv(x, w)) (y overwritten) with F(<paramref name="tile"/>×<paramref name="tile"/>, 3×3),
    /// the output placed in y as <paramref name="place"/> says (default: dense from y's start).</summary>
    public static void Forward(float[] x, float[] w, float[] y, ConvGeometry g, in ConvEpilogue epilogue, int tile = 4, ConvPlacement place = default)
    {
        if (!Supports(g))
            throw new ArgumentException($"WinogradConvolution: takes ungrouped 3×3 convolutions of stride 1, dilation 1 and non-negative padding on AVX-512 or AVX2 + FMA, not {g}.", nameof(g));
        if (x.LongLength < (long)g.Batch * g.InChannels * g.InPlane || w.LongLength < (long)g.OutChannels * g.InChannels * 9)
            throw new ArgumentException($"WinogradConvolution: input {x.Length} or weight {w.Length} floats are too few for {g}.");
        place.Check(g, y.LongLength, "WinogradConvolution");
        if (tile is not (2 or 4)) throw new ArgumentOutOfRangeException(nameof(tile), $"WinogradConvolution: the output tile is 2 or 4, not {tile}.");
        ForwardOn(x, w, y, g, epilogue, tile, flipped: false, place);
    }

    /// <summary>The tile struct of <paramref name="tile"/> for this machine's vector width.</summary>
    private static void ForwardOn(float[] x, float[] w, float[] y, in ConvGeometry g, in ConvEpilogue epilogue, int tile, bool flipped, ConvPlacement place = default)
    {
        bool wide = Gemm.BestPath == GemmPath.Vector512;
        if (tile == 4 && wide) Forward<WinogradF4>(x, w, y, place, g, epilogue, flipped);
        else if (tile == 4) Forward<WinogradF4Avx2>(x, w, y, place, g, epilogue, flipped);
        else if (wide) Forward<WinogradF2>(x, w, y, place, g, epilogue, flipped);
        else Forward<WinogradF2Avx2>(x, w, y, place, g, epilogue, flipped);
    }

    /// <summary>y = epilogue(conv(x, w)) (y overwritten, placed as <paramref name="place"/> says) where <see cref="Applies"/>
    /// holds, with the tile <see cref="TileFor"/> picks (decided once); false, with y untouched, where it does not.</summary>
    public static bool TryForward(float[] x, float[] w, float[] y, in ConvGeometry g, in ConvEpilogue epilogue, ConvPlacement place = default)
    {
        if (!ConvolutionAlgorithms.Winograd || !Supports(g)) return false;
        int tile = TileFor(g);
        if (tile == 0) return false;
        Forward(x, w, y, g, epilogue, tile, place);
        return true;
    }

    /// <summary>dx (overwritten) = the input gradient of the 3×3 stride-1 convolution <paramref name="g"/> for output
    /// gradient dy, where Winograd applies to it: the full correlation of dy with the weights transposed and turned by
    /// 180°, w'[c, o, u, v] = w[o, c, 2 − u, 2 − v], a 3×3 stride-1 convolution of dy padded by 2 − p on each side
    /// (p ≤ 2), run by <see cref="Forward"/> with the tile <see cref="TileFor"/> picks for that convolution (so, as
    /// there, for one image whatever the batch). False, with dx untouched, where it does not apply.</summary>
    public static bool TryBackwardInput(float[] dy, float[] w, float[] dx, in ConvGeometry g)
    {
        if (!ConvolutionAlgorithms.Winograd || !Supports(g) || Math.Max(Math.Max(g.PadTop, g.PadBottom), Math.Max(g.PadLeft, g.PadRight)) > 2) return false;
        var transposed = new ConvGeometry(g.Batch, g.OutChannels, g.OutHeight, g.OutWidth, g.InChannels, 3, 3, 1, 1,
            2 - g.PadTop, 2 - g.PadLeft, 2 - g.PadBottom, 2 - g.PadRight, 1, 1, 1);
        int tile = TileFor(transposed);
        if (tile == 0 || transposed.OutHeight != g.InHeight || transposed.OutWidth != g.InWidth) return false;
        if (dy.LongLength < (long)g.Batch * g.OutChannels * g.OutPlane || w.LongLength < (long)g.OutChannels * g.InChannels * 9
            || dx.LongLength < (long)g.Batch * g.InChannels * g.InPlane)
            throw new ArgumentException($"WinogradConvolution: output gradient {dy.Length}, weight {w.Length} or input gradient {dx.Length} floats are too few for {g}.");
        ForwardOn(dy, w, dx, transposed, default, tile, flipped: true);
        return true;
    }

    private static void Forward<TTile>(float[] x, float[] w, float[] y, ConvPlacement place, ConvGeometry g, ConvEpilogue epilogue, bool flipped = false) where TTile : struct, IWinogradTile
    {
        int m = TTile.M, positions = TTile.Alpha * TTile.Alpha;
        var plan = Plan.Of(g, m, 2 * TTile.Lanes, Parallelism.MaxDegree);
        var weights = WinogradWeights.Get<TTile>(w, g.OutChannels, g.InChannels, flipped);
        try
        {
            long work = (long)positions * g.InChannels * g.OutChannels * plan.Rows * plan.TilesW;
            if (plan.Blocks >= Parallelism.MaxDegree)
            {
                // a thread with no block left helps with the output transforms of the others' (Block)
                var shares = new SharedChunks<(BlockShape Shape, nint Products)>(plan.Blocks, g.OutChannels);
                Parallelism.ForDynamic(plan.Blocks, work, 1, (start, end) =>
                {
                    for (int item = start; item < end; item++)
                    {
                        try { Block<TTile>(x, y, place, weights, plan, epilogue, item, threads: 1, shares); }
                        catch
                        {
                            shares.Abandon(item);            // no helper waits for a block that failed
                            throw;
                        }
                    }
                }, () => shares.Help((block, first, last) => OutputTransform<TTile>(y, place, plan, block.Shape, (float*)block.Products, epilogue, first, last)));
            }
            else
                for (int item = 0; item < plan.Blocks; item++) Block<TTile>(x, y, place, weights, plan, epilogue, item, Parallelism.MaxDegree);
        }
        finally { WinogradWeights.Release(weights); }
    }

    /// <summary>Runs block <paramref name="item"/> alone of the tiling that <paramref name="threads"/> threads would
    /// give <paramref name="g"/> with F(<paramref name="tile"/>×<paramref name="tile"/>, 3×3), into y (nothing else of y
    /// may be written: blocks run in parallel), no epilogue; returns the block's tile rows (first, over the batch's tile
    /// rows one image after another; count) and the tile rows per image, or null when the item is not a block. For the
    /// tests of what a block writes.</summary>
    internal static (int First, int Count, int TilesH)? RunBlock(float[] x, float[] w, float[] y, ConvGeometry g, int tile, int threads, int item)
    {
        bool wide = Gemm.BestPath == GemmPath.Vector512;
        return tile == 4 && wide ? RunBlock<WinogradF4>(x, w, y, g, threads, item)
            : tile == 4 ? RunBlock<WinogradF4Avx2>(x, w, y, g, threads, item)
            : wide ? RunBlock<WinogradF2>(x, w, y, g, threads, item)
            : RunBlock<WinogradF2Avx2>(x, w, y, g, threads, item);
    }

    private static (int First, int Count, int TilesH)? RunBlock<TTile>(float[] x, float[] w, float[] y, in ConvGeometry g, int threads, int item) where TTile : struct, IWinogradTile
    {
        var plan = Plan.Of(g, TTile.M, 2 * TTile.Lanes, threads);
        if (item < 0 || item >= plan.Blocks) return null;
        var weights = WinogradWeights.Get<TTile>(w, g.OutChannels, g.InChannels, flipped: false);
        try { Block<TTile>(x, y, default, weights, plan, default, item, threads: 1); }
        finally { WinogradWeights.Release(weights); }
        int first = item * plan.Rows;
        return (first, Math.Min(plan.Rows, g.Batch * plan.TilesH - first), plan.TilesH);
    }

    /// <summary>A call's tiling: the batch's rows of tiles one after the other (image by image), cut into
    /// <see cref="Blocks"/> blocks of <see cref="Rows"/> tile rows (the last may have fewer), each of about
    /// <see cref="BlockFloats"/> of V and M (<see cref="SharedBlockFloats"/> on several threads) and at least one GEMM
    /// panel of <see cref="Panel"/> tiles; a block may span
    /// images (small planes at larger batches fill whole GEMM panels so).</summary>
    private readonly record struct Plan(ConvGeometry G, int TilesH, int TilesW, int Rows, int Blocks, int Panel)
    {
        /// <summary>The tiling of <paramref name="g"/> for F(m×m, 3×3) on <paramref name="threads"/> threads, GEMM panels
        /// of <paramref name="panel"/> tiles (32 on AVX-512, 16 on AVX2): blocks of the cache target's height, or, of
        /// the heights from a third to twice that, the one whose busiest thread has the least work (whole panels, a
        /// ragged panel costing a full one, plus half a panel a block) when
        /// that saves at least 3 %. E.g. a 56² plane of 16 → 128 channels (14 × 14 tiles) on two threads: 5 blocks of 3
        /// tile rows (64 panel columns each) run 3 + 2, 7 of 2 rows (32 each) 4 + 3: 240 → 192; 28² planes (7 tiles a
        /// row) at batch 16: blocks of 5 rows fill 35 of 64 columns, of 9 rows 63. Blocks never change a tile's sums
        /// (each is one GEMM column), so results do not depend on the threads or the batch.</summary>
        public static Plan Of(in ConvGeometry g, int m, int panel, int threads = 1)
        {
            int tilesH = CeilDiv(g.OutHeight, m), tilesW = CeilDiv(g.OutWidth, m), total = g.Batch * tilesH;
            int target = Math.Max(panel, (threads > 1 ? SharedBlockFloats : BlockFloats) / ((m + 2) * (m + 2) * (g.InChannels + g.OutChannels)));
            int tallest = Math.Clamp(CeilDiv(target, tilesW), 1, total), best = Evened(total, tallest);
            long bestCost = Busiest(total, best, tilesW, threads, panel);
            for (int candidate = Math.Min(total, 2 * tallest); candidate >= Math.Max(1, tallest / 3); candidate--)
            {
                int rows = Evened(total, candidate);
                long cost = Busiest(total, rows, tilesW, threads, panel);
                if (cost * 100 < bestCost * 97) (best, bestCost) = (rows, cost);
            }
            // at least a block a thread where there are the tile rows: their output transforms are shared out
            // (SharedChunks), where one block's three steps split over the threads wait for each other between them
            // (SqueezeNet's 13² layers of 48 → 192 channels, 7 tile rows: 4 + 3 instead of one block of 7, the forward
            // on two threads 0.4–0.9 % faster, Tiny Darknet 0.1–0.2 %)
            if (threads > 1 && CeilDiv(total, best) < threads && total >= threads) best = Evened(total, CeilDiv(total, threads));
            return new Plan(g, tilesH, tilesW, best, CeilDiv(total, best), panel);
        }

        /// <summary>Blocks of at most <paramref name="rows"/> tile rows evened out over as many blocks.</summary>
        private static int Evened(int total, int rows) => CeilDiv(total, CeilDiv(total, rows));

        /// <summary>The busiest thread's work, in panel columns: one thread does every block; several claim the blocks
        /// one at a time; fewer blocks than threads share each block's steps (the threads wait for each other between
        /// them: +20 %).</summary>
        private static long Busiest(int total, int rows, int tilesW, int threads, int panel)
        {
            int blocks = CeilDiv(total, rows), last = total - (blocks - 1) * rows;
            long full = RoundUp(rows * tilesW, panel) + panel / 2, all = (blocks - 1) * full + RoundUp(last * tilesW, panel) + panel / 2;
            if (threads <= 1) return all;
            if (blocks < threads) return all * 12 / (10 * threads);
            return CeilDiv(blocks, threads) * full;
        }

        /// <summary>Panels of <see cref="Panel"/> tiles that the GEMMs of all blocks compute (the cost of the tiling, per position).</summary>
        public long Panels
        {
            get
            {
                int total = G.Batch * TilesH, last = total - (Blocks - 1) * Rows;
                return (long)(Blocks - 1) * CeilDiv(Rows * TilesW, Panel) + CeilDiv(last * TilesW, Panel);
            }
        }
    }

    /// <summary>One block of tile rows, its three steps on <paramref name="threads"/> threads; its output transform
    /// shared out by channel chunks with idle threads when <paramref name="shares"/> is given: published once its GEMMs
    /// are done, so that a thread that has no block left transforms chunks of it too and the threads finish together
    /// where the blocks' work differs (SqueezeNet's 27² planes: 7 rows of F(4,3) tiles, 4 + 3 on two threads). Each
    /// chunk is the same operations on the same values whoever runs it.</summary>
    private static void Block<TTile>(float[] x, float[] y, ConvPlacement place, GemmPackedA[] weights, Plan plan, ConvEpilogue epilogue, int item, int threads,
        SharedChunks<(BlockShape Shape, nint Products)>? shares = null) where TTile : struct, IWinogradTile
    {
        var g = plan.G;
        int positions = TTile.Alpha * TTile.Alpha, cin = g.InChannels, cout = g.OutChannels;
        int first = item * plan.Rows, tileRows = Math.Min(plan.Rows, g.Batch * plan.TilesH - first);
        int tiles = tileRows * plan.TilesW, tq = RoundUp(tiles, TTile.Lanes), tp = RoundUp(tiles, plan.Panel);
        var block = new BlockShape(first, tileRows, tiles, tq, tp);
        long vFloats = (long)positions * cin * tp, mFloats = (long)positions * cout * tq;
        var scratch = GemmBuffers.Columns(checked((int)(vFloats + mFloats)));
        fixed (float* ps = scratch)
        {
            nint v = (nint)ps, products = (nint)(ps + vFloats);
            Run(threads, cin, (long)positions * TTile.Lanes * tq, (start, end) => InputTransform<TTile>(x, plan, block, (float*)v, start, end));
            Run(threads, positions, (long)cin * cout * tiles, (start, end) =>
            {
                for (int position = start; position < end; position++)
                {
                    var a = weights[position];
                    Gemm.MultiplyPackedB(a.Data, a, new ReadOnlySpan<float>((float*)v + (nint)position * cin * tp, cin * tp),
                        new Span<float>((float*)products + (nint)position * cout * tq, cout * tq), tq, cout, tiles, cin,
                        false, false, 1, TTile.Path, default);
                }
            });
            if (shares is null)
            {
                Run(threads, cout, (long)positions * TTile.Lanes * tq, (start, end) => OutputTransform<TTile>(y, place, plan, block, (float*)products, epilogue, start, end));
                return;
            }
            shares.Publish(item, (block, products));
            while (shares.Claim(item) is (int start, int end))
            {
                OutputTransform<TTile>(y, place, plan, block, (float*)products, epilogue, start, end);
                shares.Finished(item, end - start);
            }
            shares.AwaitDone(item);                      // a helper may still read the products (this thread's scratch)
        }
    }

    /// <summary>Block <see cref="Block{TTile}"/> works on: first tile row of the batch (image·TilesH + row), tile rows,
    /// tiles (row by row), and the tiles rounded up to L (a vector) and to 2L (a GEMM panel).</summary>
    private readonly record struct BlockShape(int FirstRow, int TileRows, int Tiles, int Tq, int Tp);

    private static void Run(int threads, int count, long workPerItem, Action<int, int> body)
    {
        if (threads == 1) body(0, count);
        else Parallelism.For(count, workPerItem, body);
    }

    /// <summary>V_ξ[c, tile] for input channels [<paramref name="first"/>, <paramref name="last"/>) of the block,
    /// written into the α² packed B operands at <paramref name="v"/> (each C·Tp floats: depth blocks of
    /// <see cref="Gemm.PanelShapeB"/>, panels of 2L tiles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputTransform<TTile>(float[] x, Plan plan, BlockShape block, float* v, int first, int last) where TTile : struct, IWinogradTile
    {
        var g = plan.G;
        int m = TTile.M, alpha = TTile.Alpha, lanes = TTile.Lanes, cin = g.InChannels, tilesW = plan.TilesW;
        var (depthBlock, nr) = Gemm.PanelShapeB(TTile.Path, cin);
        nint vStride = (nint)cin * block.Tp, phaseStride = block.Tq + lanes;
        // phases: α² vectors of the block's tiles (+L lanes that the last row's group may spill into); the 2-D
        // transform's intermediate (α² vectors); α input rows zero-padded to whole groups of L tiles, and a zero row
        int rowWidth = RoundUp(Math.Max(m * RoundUp(tilesW, lanes) + lanes, g.PadLeft + g.InWidth), lanes);
        int phaseFloats = alpha * alpha * (int)phaseStride, tempFloats = alpha * alpha * lanes;
        float* phases = GemmBuffers.Transform(phaseFloats + tempFloats + (alpha + 1) * rowWidth);
        float* temp = phases + phaseFloats, rowBuffers = temp + tempFloats, zero = rowBuffers + alpha * rowWidth;
        new Span<float>(rowBuffers, (alpha + 1) * rowWidth).Clear();
        new Span<float>(phases, phaseFloats).Clear();      // lanes no row fills stay finite (they feed unused columns)
        float** rowsOf = stackalloc float*[alpha];
        fixed (float* px = x)
            for (int c = first; c < last; c++)
            {
                for (int lt = 0; lt < block.TileRows; lt++)
                {
                    int n = (block.FirstRow + lt) / plan.TilesH, ty = (block.FirstRow + lt) % plan.TilesH;
                    float* plane = px + ((nint)n * cin + c) * g.InPlane;
                    int iy0 = ty * m - g.PadTop;
                    for (int r = 0; r < alpha; r++)
                    {
                        int iy = iy0 + r;
                        if ((uint)iy >= (uint)g.InHeight) { rowsOf[r] = zero; continue; }
                        float* buffer = rowBuffers + r * rowWidth;
                        Buffer.MemoryCopy(plane + (nint)iy * g.InWidth, buffer + g.PadLeft, g.InWidth * sizeof(float), g.InWidth * sizeof(float));
                        rowsOf[r] = buffer;
                    }
                    for (int tx0 = 0; tx0 < tilesW; tx0 += lanes)
                        for (int r = 0; r < alpha; r++)
                            TTile.Split(rowsOf[r] + m * tx0, phases + r * alpha * phaseStride + lt * tilesW + tx0, phaseStride);
                }
                int pc = c / depthBlock * depthBlock, kc = Math.Min(depthBlock, cin - pc);
                float* row = v + (nint)pc * block.Tp + (c - pc) * nr;
                for (int j0 = 0; j0 < block.Tq; j0 += lanes)
                {
                    // Bᵀ·d down each column c of the tile, then ·B along each row i
                    for (int col = 0; col < alpha; col++)
                        TTile.InputColumn(phases + col * phaseStride + j0, alpha * phaseStride, temp + col * lanes, alpha * lanes);
                    float* panel = row + (nint)(j0 & -nr) * kc + (j0 & (nr - 1));
                    for (int i = 0; i < alpha; i++)
                        TTile.InputColumn(temp + i * alpha * lanes, lanes, panel + i * alpha * vStride, vStride);
                }
                if (block.Tq < block.Tp)                      // the last panel's unused lanes: zeros, as packing pads
                    for (int position = 0; position < alpha * alpha; position++)
                        new Span<float>(row + position * vStride + (nint)(block.Tq & -nr) * kc + lanes, lanes).Clear();
            }
    }

    /// <summary>y for output channels [<paramref name="first"/>, <paramref name="last"/>) of the block: Aᵀ·M·A of each
    /// tile from the α² products at <paramref name="products"/> ([O, Tq] each), merged into the output rows with the
    /// bias and activation applied in registers (SqueezeNet 0.3–0.8 % faster on two threads, Tiny Darknet 1.5 %, than a
    /// pass over each channel's rows afterwards; a residual or a watched clamp still takes that pass). A group of L
    /// tiles merges m·L values; the last group of a row, when ragged, goes straight into the row as long as what it
    /// spills past the row lands on later rows of the block's own (which it then writes over, before their epilogue),
    /// else through a scratch row. At 55, 27 and 13 columns every row is a ragged group; straight merges made
    /// SqueezeNet's forward 1.3–2.8 % faster on two threads, Tiny Darknet's 1.7 % (passes alternated in one process).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OutputTransform<TTile>(float[] y, ConvPlacement place, Plan plan, BlockShape block, float* products, ConvEpilogue epilogue, int first, int last)
        where TTile : struct, IWinogradTile
    {
        var g = plan.G;
        int m = TTile.M, alpha = TTile.Alpha, lanes = TTile.Lanes, cout = g.OutChannels, tilesW = plan.TilesW, ow = g.OutWidth;
        nint mStride = (nint)cout * block.Tq, phaseStride = block.Tq + lanes;
        int phaseFloats = m * m * (int)phaseStride, tempFloats = alpha * alpha * lanes;
        float* phases = GemmBuffers.Transform(phaseFloats + tempFloats + lanes * m);
        float* temp = phases + phaseFloats, tail = temp + tempFloats;
        bool afterwards = epilogue.HasResidual || epilogue.WatchesTies;
        var finish = afterwards ? default : epilogue;      // bias and activation in registers as each group is merged
        fixed (float* py = y)
            for (int o = first; o < last; o++)
            {
                float* source = products + (nint)o * block.Tq;
                for (int j0 = 0; j0 < block.Tq; j0 += lanes)
                {
                    // Aᵀ·M down each column j, then ·A along each of the m rows
                    for (int col = 0; col < alpha; col++)
                        TTile.OutputColumn(source + col * mStride + j0, alpha * mStride, temp + col * lanes, alpha * lanes);
                    for (int r = 0; r < m; r++)
                        TTile.OutputColumn(temp + r * alpha * lanes, lanes, phases + r * m * phaseStride + j0, phaseStride);
                }
                // a residual or a watched clamp: the epilogue once per run of consecutive output rows (the block's rows
                // of one image), not per tile row (a call per 4 rows of 55 values cost about as much as the values'
                // operations); otherwise it is in the merges
                float* run = null;
                int runLength = 0;
                for (int lt = 0; lt < block.TileRows; lt++)
                {
                    int n = (block.FirstRow + lt) / plan.TilesH, ty = (block.FirstRow + lt) % plan.TilesH;
                    int y0 = ty * m, rows = Math.Min(m, g.OutHeight - y0);
                    // floats from this tile row's start that the block writes in this channel (its rows of image n):
                    // a ragged group may be merged straight into the row when what it spills past the row stays in them
                    int lastTy = Math.Min(plan.TilesH - 1, ty + block.TileRows - 1 - lt);
                    nint written = (nint)(Math.Min(g.OutHeight, (lastTy + 1) * m) - y0) * ow;
                    float* start = py + place.ImageStart(g, n) + ((nint)o * g.OutHeight + y0) * ow;
                    if (start != run + runLength)
                    {
                        if (runLength > 0 && afterwards) epilogue.Apply(run, 0, o, 1, runLength);
                        run = start;
                        runLength = 0;
                    }
                    runLength += rows * ow;
                    for (int r = 0; r < rows; r++)
                    {
                        float* target = start + (nint)r * ow;
                        for (int tx0 = 0; tx0 < tilesW; tx0 += lanes)
                        {
                            float* phase = phases + r * m * phaseStride + lt * tilesW + tx0;
                            int ox = m * tx0, count = Math.Min(lanes * m, ow - ox);
                            if (count == lanes * m || (nint)r * ow + ox + lanes * m <= written) { TTile.Merge(phase, phaseStride, target + ox, finish, o); continue; }
                            TTile.Merge(phase, phaseStride, tail, finish, o);
                            TTile.CopyTail(tail, target + ox, count);
                        }
                    }
                }
                if (runLength > 0 && afterwards) epilogue.Apply(run, 0, o, 1, runLength);
            }
    }
}
