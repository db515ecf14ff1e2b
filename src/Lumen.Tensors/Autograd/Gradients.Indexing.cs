namespace Lumen.Tensors.Autograd;

/// <summary>Backward rules of the index-driven ops (gather and scatter of blocks at computed offsets).</summary>
public static partial class Gradients
{
    // y[s] = x[offsets[s]]: dx[offsets[s]] += g[s]   (repeated offsets accumulate)
    internal static BackwardRule GatherBlocksRule(string op, Shape input, int[] offsets, int block) => (g, needs) =>
        [Tensor.Zeros(input).ScatterBlocks(op + ".Backward", offsets, block, g, add: true)];

    // y = x with y[offsets[s]] = u[s] (or += u[s]):
    //   dx = g, with the overwritten blocks zeroed unless adding;   du[s] = g[offsets[s]]
    internal static BackwardRule ScatterBlocksRule(string op, int[] offsets, int block, Shape updates, bool add) => (g, needs) =>
        [
            needs[0] ? (add ? g : g.ScatterBlocks(op + ".Backward", offsets, block, Tensor.Zeros(updates), add: false)) : null,
            needs[1] ? g.GatherBlocks(op + ".Backward", offsets, block, updates) : null,
        ];
}
