using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>
/// The opset-27 streaming sequence ops that carry a state between calls: LinearAttention (linear, gated, delta and
/// gated-delta recurrences with grouped-query heads) and CausalConvWithState (a depthwise causal 1-D convolution
/// whose left context is the previous call's tail). Both are composites of differentiable tensor ops.
/// </summary>
internal static class StreamingOps
{
    public static void Register()
    {
        OnnxOps.Register("LinearAttention", 27, LinearAttention);
        OnnxOps.Register("CausalConvWithState", 27, node =>
        {
            string activation = node.String("activation", "none");
            if (activation is not ("none" or "silu" or "swish")) throw node.Unsupported($"activation '{activation}'");
            return inputs =>
            {
                var (y, state) = CausalConv(inputs.Arg(0), inputs.Arg(1), inputs.Optional(2), inputs.Optional(3));
                return [activation == "none" ? y : y.Silu(), state];
            };
        });
    }

    private static OnnxKernel LinearAttention(OnnxNode node)
    {
        string rule = node.String("update_rule", "gated_delta");
        if (rule is not ("linear" or "gated" or "delta" or "gated_delta")) throw node.Unsupported($"update_rule '{rule}'");
        int qHeads = (int)node.Int("q_num_heads", 0), kvHeads = (int)node.Int("kv_num_heads", 0);
        if (qHeads <= 0 || kvHeads <= 0 || qHeads % kvHeads != 0)
            throw node.Error($"q_num_heads ({qHeads}) must be a positive multiple of kv_num_heads ({kvHeads}).");
        float? scale = node.Has("scale") && node.Float("scale", 0f) != 0f ? node.Float("scale", 0f) : null;
        bool gated = rule.StartsWith("gated", StringComparison.Ordinal), delta = rule.EndsWith("delta", StringComparison.Ordinal);
        return inputs =>
        {
            var decay = gated ? inputs.Optional(4) ?? throw new ArgumentException($"LinearAttention: update_rule '{rule}' needs the decay input.") : null;
            var beta = delta ? inputs.Optional(5) ?? throw new ArgumentException($"LinearAttention: update_rule '{rule}' needs the beta input.") : null;
            var (y, state) = Recur(inputs.Arg(0), inputs.Arg(1), inputs.Arg(2), inputs.Optional(3), decay, beta, qHeads, kvHeads, scale);
            return [y, state];
        };
    }

    /// <summary>
    /// LinearAttention over [B, T, H·d] inputs with state S [B, H_kv, d_k, d_v], one step per position t:
    /// gated S ← exp(g_t)·S (g is a log-decay per key feature or per head); delta S ← S + k_t·(β_t·(v_t − Sᵀk_t))ᵀ,
    /// otherwise S ← S + k_t·v_tᵀ; the output is o_t = scale·q_tᵀS with query head h reading kv head ⌊h / (H_q/H_kv)⌋
    /// and scale 1/√d_k by default. Katharopoulos et al., "Transformers are RNNs", 2020; Yang et al., "Gated Delta
    /// Networks", 2024.
    /// </summary>
    internal static (Tensor Output, Tensor State) Recur(Tensor query, Tensor key, Tensor value, Tensor? past, Tensor? decay, Tensor? beta,
        int qHeads, int kvHeads, float? scale)
    {
        if (query.Rank != 3 || key.Rank != 3 || value.Rank != 3)
            throw new ArgumentException($"LinearAttention: expected [batch, sequence, hidden] query, key and value, got {query.Shape}, {key.Shape}, {value.Shape}.");
        int b = query.Shape[0], t = query.Shape[1], dk = query.Shape[2] / qHeads, dv = value.Shape[2] / kvHeads, group = qHeads / kvHeads;
        if (key.Shape[2] != kvHeads * dk) throw new ArgumentException($"LinearAttention: key {key.Shape} does not hold {kvHeads} heads of size {dk}.");
        var q = AttentionOps.Heads(query, qHeads);
        var k = AttentionOps.Heads(key, kvHeads);
        var v = AttentionOps.Heads(value, kvHeads);
        var g = decay is null ? null : AttentionOps.Heads(decay, kvHeads).Exp(); // [B, Hkv, T, d_k or 1]
        var bt = beta is null ? null : beta.Reshape(b, t, -1, 1).Permute(0, 2, 1, 3); // [B, Hkv or 1, T, 1]
        var state = past ?? Tensor.Zeros(b, kvHeads, dk, dv);
        float s = scale ?? 1f / MathF.Sqrt(dk);
        var outputs = new Tensor[t];
        for (int i = 0; i < t; i++)
        {
            var kt = k.Slice(2, i, i + 1); // [B, Hkv, 1, dk]
            var vt = v.Slice(2, i, i + 1); // [B, Hkv, 1, dv]
            if (g is not null) state = state * g.Slice(2, i, i + 1).Transpose(2, 3);
            var write = bt is null ? vt : bt.Slice(2, i, i + 1) * (vt - kt.MatMul(state));
            state = state + kt.Transpose(2, 3).MatMul(write);
            var read = group == 1 ? state : AttentionOps.RepeatHeads(state, group);
            outputs[i] = q.Slice(2, i, i + 1).MatMul(read) * s; // [B, Hq, 1, dv]
        }
        var y = Tensor.Concat(outputs, 2).Permute(0, 2, 1, 3).Reshape(b, t, qHeads * dv);
        return (y, state);
    }

    /// <summary>
    /// CausalConvWithState: y = depthwise_conv1d([past ‖ x], w) + bias over [N, C, T] with weight [C, 1, K]; the
    /// missing left context is zeros, and the new state is the last K − 1 columns of [past ‖ x].
    /// </summary>
    internal static (Tensor Output, Tensor State) CausalConv(Tensor x, Tensor weight, Tensor? bias, Tensor? past)
    {
        if (x.Rank != 3 || weight.Rank != 3)
            throw new ArgumentException($"CausalConvWithState: expected input [N, C, T] and weight [C, 1, K], got {x.Shape} and {weight.Shape}.");
        int n = x.Shape[0], c = x.Shape[1], kernel = weight.Shape[2];
        var padded = Tensor.Concat([past ?? Tensor.Zeros(n, c, kernel - 1), x], 2);
        var y = padded.Conv1d(weight, bias, groups: c);
        int length = padded.Shape[2];
        return (y, padded.Slice(2, length - (kernel - 1), length));
    }
}
