using Lumen.Tensors;

namespace Lumen.Mechanistic;

/// <summary>One activation (or part of one) to overwrite during a run: the hook, and optionally one position
/// (axis 1) and one head (axis 2, for <c>[B, T, H, d]</c> hooks such as <c>attn.z</c> and <c>attn.q</c>).</summary>
/// <param name="Hook">The hook name.</param>
/// <param name="Position">Only this position (null: all).</param>
/// <param name="Head">Only this head (null: all).</param>
public sealed record ActivationPatch(string Hook, int? Position = null, int? Head = null)
{
    /// <summary>A copy of <paramref name="target"/> with the selected part taken from <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException">The shapes differ, or the position or head is outside the activation.</exception>
    public Tensor Apply(Tensor target, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        if (target.Shape != source.Shape) throw new ArgumentException($"ActivationPatch '{Hook}': the activation is {target.Shape} but the patch source is {source.Shape}.", nameof(source));
        if (Position is null && Head is null) return source;
        if (target.Rank < 3 || (Head is not null && target.Rank < 4)) throw new ArgumentException($"ActivationPatch '{Hook}': cannot select position/head in an activation of shape {target.Shape}.", nameof(target));
        int b = target.Shape[0], t = target.Shape[1], h = target.Rank >= 4 ? target.Shape[2] : 1, inner = target.Size / (b * t * h);
        if (Position is int p && (uint)p >= (uint)t) throw new ArgumentException($"ActivationPatch '{Hook}': position {p} is outside 0..{t - 1}.", nameof(target));
        if (Head is int hh && (uint)hh >= (uint)h) throw new ArgumentException($"ActivationPatch '{Hook}': head {hh} is outside 0..{h - 1}.", nameof(target));
        var mask = new bool[target.Size];
        for (int bi = 0; bi < b; bi++)
            for (int ti = 0; ti < t; ti++)
            {
                if (Position is int pos && ti != pos) continue;
                for (int hi = 0; hi < h; hi++)
                {
                    if (Head is int head && hi != head) continue;
                    Array.Fill(mask, true, ((bi * t + ti) * h + hi) * inner, inner);
                }
            }
        return Tensor.Where(Tensor.FromArray(mask, target.Shape.Dims.ToArray()), source, target);
    }
}
