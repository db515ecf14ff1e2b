using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>
/// Attention (opset 23) and RotaryEmbedding as composites. Attention: softmax(mask(softcap(scale·Q·Kᵀ)))·V with 3-D or 4-D inputs, grouped-query
/// heads, boolean or additive masks, per-batch key padding (nonpad_kv_seqlen), upper-left causal masking and past
/// key/value concatenation.
/// </summary>
/// <remarks>Outputs: Y, present_key, present_value and the Q·Kᵀ tensor selected by qk_matmul_output_mode
/// (0 raw, 1 soft-capped, 2 soft-capped plus mask, 3 softmax — the order of the ONNX reference).</remarks>
internal static class AttentionOps
{
    public static void Register()
    {
        OnnxOps.Register("Attention", 23, Attention);
        OnnxOps.Register("RotaryEmbedding", 23, node =>
        {
            bool interleaved = node.Int("interleaved", 0) != 0;
            int rotaryDim = (int)node.Int("rotary_embedding_dim", 0), heads = (int)node.Int("num_heads", 0);
            return inputs => [Rotary(inputs.Arg(0), inputs.Arg(1), inputs.Arg(2), inputs.Optional(3), interleaved, rotaryDim, heads)];
        });
    }

    private static OnnxKernel Attention(OnnxNode node)
    {
        bool causal = node.Int("is_causal", 0) != 0;
        int qHeads = (int)node.Int("q_num_heads", 0), kvHeads = (int)node.Int("kv_num_heads", 0);
        long mode = node.Int("qk_matmul_output_mode", 0);
        float? scale = node.Has("scale") ? node.Float("scale", 1f) : null;
        float softcap = node.Float("softcap", 0f);
        if (mode is < 0 or > 3) throw node.Unsupported($"qk_matmul_output_mode {mode}");
        return inputs => Attend(inputs, causal, qHeads, kvHeads, mode, scale, softcap);
    }

    // RotaryEmbedding: the first `rotaryDim` features of each head turn by the angle of their position,
    // (x1, x2) → (x1·cos − x2·sin, x2·cos + x1·sin), pairing feature i with i + rot/2 (or 2i with 2i+1 interleaved).
    private static Tensor Rotary(Tensor x, Tensor cosCache, Tensor sinCache, Tensor? positions, bool interleaved, int rotaryDim, int heads)
    {
        bool flat = x.Rank == 3;
        if (flat)
        {
            if (heads <= 0) throw new ArgumentException("RotaryEmbedding: a 3-D input needs num_heads.");
            x = Heads(x, heads);
        }
        if (x.Rank != 4) throw new ArgumentException($"RotaryEmbedding: expected [batch, heads, sequence, head_size] or [batch, sequence, hidden], got {x.Shape}.");
        int b = x.Shape[0], h = x.Shape[1], s = x.Shape[2], d = x.Shape[3];
        int rot = rotaryDim > 0 ? rotaryDim : d, half = rot / 2;
        Tensor cos = cosCache, sin = sinCache;
        if (positions is not null)
        {
            var index = CastOps.To(positions, DType.Int64).Reshape(-1);
            cos = cos.IndexSelect(0, index).Reshape(b, s, -1);
            sin = sin.IndexSelect(0, index).Reshape(b, s, -1);
        }
        if (cos.Shape[cos.Rank - 1] < half) throw new ArgumentException($"RotaryEmbedding: caches of width {cos.Shape[cos.Rank - 1]} for {rot} rotated features.");
        cos = cos.Slice(cos.Rank - 1, 0, half).Unsqueeze(1); // [B, 1, S, rot/2]
        sin = sin.Slice(sin.Rank - 1, 0, half).Unsqueeze(1);
        var rotated = x.Slice(3, 0, rot);
        Tensor x1, x2;
        if (interleaved)
        {
            var pairs = rotated.Reshape(b, h, s, half, 2);
            x1 = pairs.Slice(4, 0, 1).Squeeze(4);
            x2 = pairs.Slice(4, 1, 2).Squeeze(4);
        }
        else
        {
            x1 = rotated.Slice(3, 0, half);
            x2 = rotated.Slice(3, half, rot);
        }
        var y1 = x1 * cos - x2 * sin;
        var y2 = x2 * cos + x1 * sin;
        var y = interleaved ? Tensor.Concat([y1.Unsqueeze(4), y2.Unsqueeze(4)], 4).Reshape(b, h, s, rot) : Tensor.Concat([y1, y2], 3);
        if (rot < d) y = Tensor.Concat([y, x.Slice(3, rot, d)], 3);
        return flat ? y.Permute(0, 2, 1, 3).Reshape(b, s, h * d) : y;
    }

    private static Tensor[] Attend(Tensor?[] inputs, bool causal, int qHeads, int kvHeads, long mode, float? scale, float softcap)
    {
        var q = inputs.Arg(0);
        var k = inputs.Arg(1);
        var v = inputs.Arg(2);
        bool flat = q.Rank == 3;
        if (flat)
        {
            if (qHeads == 0 || kvHeads == 0) throw new ArgumentException("Attention: 3-D inputs need q_num_heads and kv_num_heads.");
            q = Heads(q, qHeads);
            k = Heads(k, kvHeads);
            v = Heads(v, kvHeads);
        }
        int past = inputs.Optional(4) is { } p ? p.Shape[2] : 0;
        if (inputs.Optional(4) is { } pastKey) k = Tensor.Concat([pastKey, k], 2);
        if (inputs.Optional(5) is { } pastValue) v = Tensor.Concat([pastValue, v], 2);
        var presentKey = k;
        var presentValue = v;
        int hq = q.Shape[1], hkv = k.Shape[1];
        if (hq != hkv)
        {
            if (hq % hkv != 0) throw new ArgumentException($"Attention: {hq} query heads are not a multiple of {hkv} key/value heads.");
            k = RepeatHeads(k, hq / hkv);
            v = RepeatHeads(v, hq / hkv);
        }
        int s = q.Shape[2], l = k.Shape[2];
        float factor = scale ?? 1f / MathF.Sqrt(q.Shape[3]);
        var scores = q.MatMul(k.Transpose(2, 3)) * factor; // [B, H, S, L]
        var qk = scores;
        // Soft-capping bounds the raw scores before masking, so masked (−∞) entries stay masked.
        if (softcap > 0f) scores = (scores / softcap).Tanh() * softcap;
        var capped = scores;
        if (inputs.Optional(3) is { } mask)
        {
            var additive = mask.DType == DType.Bool
                ? Tensor.Where(mask, Tensor.Scalar(0f), Tensor.Scalar(float.NegativeInfinity))
                : mask;
            if (additive.Shape[additive.Rank - 1] < l)
            {
                // A mask shorter than the keys (padded key/value caches) leaves the extra keys masked out.
                var dims = additive.Shape.ToArray();
                dims[^1] = l - dims[^1];
                additive = Tensor.Concat([additive, Tensor.Full(new Shape(dims), float.NegativeInfinity)], additive.Rank - 1);
            }
            scores = scores + additive;
        }
        long[]? validLengths = inputs.Optional(6) is { } lengthTensor ? OpHelpers.Longs(lengthTensor) : null;
        if (validLengths is not null && validLengths.Length != scores.Shape[0])
            throw new ArgumentException($"Attention: nonpad_kv_seqlen has {validLengths.Length} entries for batch {scores.Shape[0]}.");
        if (causal || validLengths is not null)
            scores = scores + PositionBias(scores.Shape[0], s, l, causal, past, validLengths);
        if (mode == 1) qk = capped;
        if (mode == 2) qk = scores;
        var probabilities = SafeSoftmax(scores);
        if (mode == 3) qk = probabilities;
        var y = probabilities.MatMul(v); // [B, H, S, Dv]
        if (flat) y = y.Permute(0, 2, 1, 3).Reshape(y.Shape[0], s, -1);
        return [y, presentKey, presentValue, qk];
    }

    // −∞ where query i may not see key j: keys at or beyond the valid length of batch b (nonpad_kv_seqlen), and
    // with is_causal keys after the query's position — upper-left aligned after `past` cached keys, or aligned to
    // the end of the valid keys when nonpad_kv_seqlen is given (the queries are the last tokens of that sequence).
    private static Tensor PositionBias(int batch, int s, int l, bool causal, int past, long[]? validLengths)
    {
        int batches = validLengths is null ? 1 : batch;
        var bias = new float[batches * s * l];
        for (int b = 0; b < batches; b++)
        {
            int valid = validLengths is null ? l : (int)Math.Clamp(validLengths[b], 0, l);
            int offset = validLengths is null ? past : valid - s;
            for (int i = 0; i < s; i++)
                for (int j = 0; j < l; j++)
                    if (j >= valid || (causal && j > i + offset)) bias[(b * s + i) * l + j] = float.NegativeInfinity;
        }
        return OpHelpers.FloatTensor(bias, validLengths is null ? new Shape(s, l) : new Shape(batch, 1, s, l));
    }

    // Softmax over keys where a fully masked row (all −∞) gives zeros instead of NaN.
    private static Tensor SafeSoftmax(Tensor scores)
    {
        var max = scores.Detach().Max(3, keepDims: true);
        var finiteMax = Tensor.Where(max.Equal(Tensor.Scalar(float.NegativeInfinity)), Tensor.Scalar(0f), max);
        var e = (scores - finiteMax).Exp();
        return e / e.Sum(3, keepDims: true).Maximum(Tensor.Scalar(float.Epsilon));
    }

    // [B, S, H·D] → [B, H, S, D]
    internal static Tensor Heads(Tensor x, int heads) =>
        x.Reshape(x.Shape[0], x.Shape[1], heads, x.Shape[2] / heads).Permute(0, 2, 1, 3);

    // [B, Hkv, L, D] → [B, Hkv·g, L, D], each key/value head shared by g consecutive query heads.
    internal static Tensor RepeatHeads(Tensor x, int g)
    {
        int b = x.Shape[0], h = x.Shape[1], l = x.Shape[2], d = x.Shape[3];
        return x.Reshape(b, h, 1, l, d).BroadcastTo(new Shape(b, h, g, l, d)).Reshape(b, h * g, l, d);
    }
}
