using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>
/// RNN, GRU and LSTM (forward, reverse and bidirectional; layout 0 and 1; sequence_lens; initial states; peepholes;
/// clip; GRU's linear_before_reset; LSTM's input_forget) unrolled over time with differentiable tensor ops, so
/// gradients reach inputs, weights and initial states by composition.
/// </summary>
/// <remarks>
/// With gate blocks of W [dirs, G·H, I], R [dirs, G·H, H] and B = [Wb ‖ Rb] (ONNX operator docs):
/// RNN H = f(XWᵀ + HRᵀ + b). GRU (z, r, h): z = f(·), r = f(·), h̃ = g(XW_hᵀ + (r⊙H)R_hᵀ + b), or with
/// linear_before_reset h̃ = g(XW_hᵀ + r⊙(HR_hᵀ + Rb_h) + Wb_h); H' = (1 − z)⊙h̃ + z⊙H. LSTM (i, o, f, c):
/// i = f(· + P_i⊙C), f = f(· + P_f⊙C), c̃ = g(·), C' = f⊙C + i⊙c̃, o = f(· + P_o⊙C'), H' = o⊙h(C').
/// Past a batch entry's sequence length the state is held and Y is zero. Hochreiter and Schmidhuber, 1997;
/// Cho et al., 2014.
/// </remarks>
internal static class RecurrentOps
{
    private enum Cell { Rnn, Gru, Lstm }

    public static void Register()
    {
        OnnxOps.Register("RNN", 7, node => Convert(node, Cell.Rnn));
        OnnxOps.Register("GRU", 7, node => Convert(node, Cell.Gru));
        OnnxOps.Register("LSTM", 7, node => Convert(node, Cell.Lstm));
    }

    private sealed record Settings(Cell Cell, int Hidden, int Gates, string Direction, bool BatchFirst, float? Clip, bool LinearBeforeReset,
        bool InputForget, Func<Tensor, Tensor>[][] Activations);

    private static OnnxKernel Convert(OnnxNode node, Cell cell)
    {
        int hidden = (int)node.Int("hidden_size");
        string direction = node.String("direction", "forward");
        if (direction is not ("forward" or "reverse" or "bidirectional")) throw node.Unsupported($"direction '{direction}'");
        if (node.Has("activation_alpha") || node.Has("activation_beta")) throw node.Unsupported("activation_alpha/activation_beta");
        int dirs = direction == "bidirectional" ? 2 : 1;
        string[] defaults = cell switch { Cell.Rnn => ["Tanh"], Cell.Gru => ["Sigmoid", "Tanh"], _ => ["Sigmoid", "Tanh", "Tanh"] };
        string[] names = node.Strings("activations") ?? [.. Enumerable.Range(0, dirs).SelectMany(_ => defaults)];
        if (names.Length != defaults.Length * dirs) throw node.Error($"{names.Length} activations for {dirs} direction(s) of {defaults.Length}.");
        var activations = Enumerable.Range(0, dirs).Select(d => names.Skip(d * defaults.Length).Take(defaults.Length).Select(n => Activation(node, n)).ToArray()).ToArray();
        var settings = new Settings(cell, hidden, cell switch { Cell.Rnn => 1, Cell.Gru => 3, _ => 4 }, direction, node.Int("layout", 0) != 0,
            node.Has("clip") ? node.Float("clip", 0f) : null, node.Int("linear_before_reset", 0) != 0, node.Int("input_forget", 0) != 0, activations);
        return inputs => Run(settings, inputs);
    }

    private static Func<Tensor, Tensor> Activation(OnnxNode node, string name) => name.ToLowerInvariant() switch
    {
        "tanh" => t => t.Tanh(),
        "sigmoid" => t => t.Sigmoid(),
        "relu" => t => t.Relu(),
        "leakyrelu" => t => t.LeakyRelu(),
        "hardsigmoid" => t => t.HardSigmoid(),
        "elu" => t => ActivationOps.Elu(t, 1f),
        "softsign" => ActivationOps.Softsign,
        "softplus" => ActivationOps.Softplus,
        _ => throw node.Unsupported($"activation '{name}'"),
    };

    private static Tensor[] Run(Settings s, Tensor?[] inputs)
    {
        var x = inputs.Arg(0);
        if (s.BatchFirst) x = x.Transpose(0, 1); // → [T, B, I]
        if (x.Rank != 3) throw new ArgumentException($"{s.Cell}: expected X of rank 3, got {x.Shape}.");
        int steps = x.Shape[0], batch = x.Shape[1], h = s.Hidden;
        var w = inputs.Arg(1);
        var r = inputs.Arg(2);
        var bias = inputs.Optional(3);
        long[]? lengths = inputs.Optional(4) is { } lens ? OpHelpers.Longs(lens) : null;
        var initialH = inputs.Optional(5);
        var initialC = inputs.Optional(6);
        var peepholes = inputs.Optional(7);
        if (s.BatchFirst)
        {
            initialH = initialH?.Transpose(0, 1);
            initialC = initialC?.Transpose(0, 1);
        }
        int dirs = w.Shape[0];
        if (w.Shape[1] != s.Gates * h) throw new ArgumentException($"{s.Cell}: W {w.Shape} does not hold {s.Gates} gates of hidden size {h}.");
        var ys = new Tensor[dirs];
        var hs = new Tensor[dirs];
        var cs = new Tensor[dirs];
        for (int d = 0; d < dirs; d++)
        {
            bool reverse = s.Direction == "reverse" || d == 1;
            var wd = w.Slice(0, d, d + 1).Squeeze(0);
            var rdT = r.Slice(0, d, d + 1).Squeeze(0).Transpose(0, 1); // [H, G·H]
            var xw = x.MatMul(wd.Transpose(0, 1)); // [T, B, G·H]
            Tensor? wb = null, rb = null;
            if (bias is not null)
            {
                var bd = bias.Slice(0, d, d + 1).Squeeze(0);
                (wb, rb) = (bd.Slice(0, 0, s.Gates * h), bd.Slice(0, s.Gates * h, 2 * s.Gates * h));
            }
            var state = initialH?.Slice(0, d, d + 1).Squeeze(0) ?? Tensor.Zeros(batch, h);
            var cell = initialC?.Slice(0, d, d + 1).Squeeze(0) ?? Tensor.Zeros(batch, h);
            var p = peepholes?.Slice(0, d, d + 1).Squeeze(0);
            var outputs = new Tensor[steps];
            for (int i = 0; i < steps; i++)
            {
                int t = reverse ? steps - 1 - i : i;
                var xt = xw.Slice(0, t, t + 1).Squeeze(0);
                if (wb is not null) xt = xt + wb;
                var (newState, newCell) = Step(s, s.Activations[d], xt, state, cell, rdT, rb, p, h);
                if (lengths is not null)
                {
                    var valid = OpHelpers.BoolTensor([.. lengths.Select(l => t < l)], new Shape(batch, 1));
                    newState = Tensor.Where(valid, newState, state);
                    newCell = Tensor.Where(valid, newCell, cell);
                    outputs[t] = Tensor.Where(valid, newState, Tensor.Zeros(batch, h));
                }
                else outputs[t] = newState;
                (state, cell) = (newState, newCell);
            }
            ys[d] = Tensor.Stack(outputs, 0); // [T, B, H]
            (hs[d], cs[d]) = (state, cell);
        }
        var y = Tensor.Stack(ys, 1); // [T, dirs, B, H]
        var yh = Tensor.Stack(hs, 0); // [dirs, B, H]
        var yc = Tensor.Stack(cs, 0);
        if (s.BatchFirst) (y, yh, yc) = (y.Permute(2, 0, 1, 3), yh.Transpose(0, 1), yc.Transpose(0, 1));
        return s.Cell == Cell.Lstm ? [y, yh, yc] : [y, yh];
    }

    private static (Tensor State, Tensor Cell) Step(Settings s, Func<Tensor, Tensor>[] f, Tensor xt, Tensor state, Tensor cell, Tensor rT, Tensor? rb, Tensor? p, int h)
    {
        Tensor Gate(Tensor all, int g) => all.Slice(1, g * h, (g + 1) * h);
        Tensor Clip(Tensor t) => s.Clip is { } c ? t.Clamp(-c, c) : t;
        var hr = state.MatMul(rT);
        if (rb is not null) hr = hr + rb;
        switch (s.Cell)
        {
            case Cell.Rnn:
                return (f[0](Clip(xt + hr)), cell);
            case Cell.Gru:
            {
                var z = f[0](Clip(Gate(xt, 0) + Gate(hr, 0)));
                var r = f[0](Clip(Gate(xt, 1) + Gate(hr, 1)));
                Tensor candidate;
                if (s.LinearBeforeReset) candidate = Gate(xt, 2) + r * Gate(hr, 2);
                else
                {
                    candidate = Gate(xt, 2) + (r * state).MatMul(rT.Slice(1, 2 * h, 3 * h));
                    if (rb is not null) candidate = candidate + rb.Slice(0, 2 * h, 3 * h);
                }
                var hTilde = f[1](Clip(candidate));
                return ((1f - z) * hTilde + z * state, cell);
            }
            default:
            {
                var pre = xt + hr;
                // Gate blocks are ordered i, o, f, c and peepholes i, o, f, so gate g peeks through peephole block g.
                Tensor Peep(int g, Tensor c) => p is null ? Gate(pre, g) : Gate(pre, g) + p.Slice(0, g * h, (g + 1) * h) * c;
                var i = f[0](Clip(Peep(0, cell)));
                var forget = s.InputForget ? 1f - i : f[0](Clip(Peep(2, cell)));
                var candidate = f[1](Clip(Gate(pre, 3)));
                var newCell = forget * cell + i * candidate;
                var o = f[0](Clip(Peep(1, newCell)));
                return (o * f[2](newCell), newCell);
            }
        }
    }
}
