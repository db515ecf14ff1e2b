namespace Lumen.Tensors.Autograd;

/// <summary>Backward rules of the broadcasting arithmetic ops. Each gradient is summed back to its input's shape.</summary>
public static partial class Gradients
{
    // d(a+b) = g, g
    internal static BackwardRule AddRule(Tensor a, Tensor b) => (g, needs) =>
        [needs[0] ? g.SumTo(a.Shape) : null, needs[1] ? g.SumTo(b.Shape) : null];

    // d(a-b) = g, -g
    internal static BackwardRule SubRule(Tensor a, Tensor b) => (g, needs) =>
        [needs[0] ? g.SumTo(a.Shape) : null, needs[1] ? g.Neg().SumTo(b.Shape) : null];

    // d(a·b) = g·b, g·a
    internal static BackwardRule MulRule(Tensor a, Tensor b) => (g, needs) =>
        [needs[0] ? (g * b).SumTo(a.Shape) : null, needs[1] ? (g * a).SumTo(b.Shape) : null];

    // d(a/b) = g/b, −g·a/b²
    internal static BackwardRule DivRule(Tensor a, Tensor b) => (g, needs) =>
        [needs[0] ? (g / b).SumTo(a.Shape) : null, needs[1] ? (g * a / (b * b)).Neg().SumTo(b.Shape) : null];

    // d(a^b) = g·b·a^(b−1), g·a^b·ln a   (the exponent gradient is taken as 0 where a ≤ 0)
    internal static BackwardRule PowRule(Tensor a, Tensor b) => (g, needs) =>
        [
            needs[0] ? (g * b * a.Pow(b - 1f)).SumTo(a.Shape) : null,
            needs[1] ? (g * a.Pow(b) * SafeLog(a)).SumTo(b.Shape) : null,
        ];

    // the larger input receives g; ties split it evenly
    internal static BackwardRule MaximumRule(Tensor a, Tensor b) => (g, needs) => SelectRule(g, needs, a, b, larger: true);

    internal static BackwardRule MinimumRule(Tensor a, Tensor b) => (g, needs) => SelectRule(g, needs, a, b, larger: false);

    private static Tensor?[] SelectRule(Tensor g, bool[] needs, Tensor a, Tensor b, bool larger)
    {
        var shape = g.Shape;
        var wa = new float[shape.Size];
        var av = a.AsReadOnlySpan(); var bv = b.AsReadOnlySpan();
        Kernels.Broadcasting.ApplyScalar<float, float, float>(av, a.Shape, bv, b.Shape, wa, shape,
            (x, y) => x == y ? 0.5f : (larger ? x > y : x < y) ? 1f : 0f);
        var weightA = new Tensor(shape, wa);
        return [needs[0] ? (g * weightA).SumTo(a.Shape) : null, needs[1] ? (g * (1f - weightA)).SumTo(b.Shape) : null];
    }

    private static Tensor SafeLog(Tensor a)
    {
        var src = a.AsReadOnlySpan();
        var data = new float[a.Size];
        for (int i = 0; i < data.Length; i++) data[i] = src[i] > 0 ? MathF.Log(src[i]) : 0f;
        return new Tensor(a.Shape, data);
    }
}
