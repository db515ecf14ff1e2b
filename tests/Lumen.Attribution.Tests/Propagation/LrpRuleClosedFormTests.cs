using Lumen.Attribution.Propagation;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests.Propagation;

/// <summary>Each LRP rule on a random dense layer equals its closed-form matrix formula (Zennit's test design).
/// The layer is the whole model and the output relevance is the output itself (target Σₖ fₖ).</summary>
public sealed class LrpRuleClosedFormTests
{
    private const int Batch = 3, In = 6, Out = 5;
    private const float Eps = 1e-6f;

    public static TheoryData<string> RuleNames => ["epsilon", "gamma", "alpha2-beta1", "alpha1-beta0", "z-plus", "z-box", "flat", "w-square", "pass"];

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void Rule_EqualsClosedForm(string rule)
    {
        var rng = new Random(rule.Length * 7919 + 3);
        int outputs = rule == "pass" ? In : Out;
        var layer = new Linear(In, outputs, bias: true, rng: rng);
        float[] w = layer.Weight.Value.ToArray(), b = layer.Bias!.Value.ToArray();
        var x = new float[Batch * In];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        var composite = new Composite(rule, (_, _) => Make(rule));
        var actual = new Lrp(layer, new() { Composite = composite })
            .Explain(Tensor.FromArray(x, Batch, In), Target.Custom("sum", o => o.Sum(1))).Map.ToArray();
        var expected = ClosedForm(rule, x, w, b, outputs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * (1 + Math.Abs(expected[i])), $"{rule} at {i}: expected {expected[i]}, actual {actual[i]}");
    }

    private static Rule Make(string rule) => rule switch
    {
        "epsilon" => Rules.Epsilon(Eps),
        "gamma" => Rules.Gamma(0.25f, Eps),
        "alpha2-beta1" => Rules.AlphaBeta(2f, 1f, Eps),
        "alpha1-beta0" => Rules.AlphaBeta(1f, 0f, Eps),
        "z-plus" => Rules.ZPlus(Eps),
        "z-box" => Rules.ZBox(-1f, 1f, Eps),
        "flat" => Rules.Flat(Eps),
        "w-square" => Rules.WSquare(Eps),
        "pass" => Rules.Pass,
        _ => throw new ArgumentException(rule),
    };

    private static double Stab(double z) => z + (z >= 0 ? Eps : -Eps);

    private static double Pos(double v) => Math.Max(v, 0);

    private static double Neg(double v) => Math.Min(v, 0);

    /// <summary>Rᵢ = Σⱼ cⱼᵢ Rⱼ / zⱼ with the contribution matrix c and z of each rule, written out with loops.</summary>
    private static float[] ClosedForm(string rule, float[] x, float[] w, float[] b, int outputs)
    {
        var result = new float[x.Length];
        for (int n = 0; n < Batch; n++)
        {
            double Xi(int i) => x[n * In + i];
            double W(int j, int i) => w[j * In + i];
            var z = new double[outputs];
            for (int j = 0; j < outputs; j++)
            {
                z[j] = b[j];
                for (int i = 0; i < In; i++) z[j] += W(j, i) * Xi(i);
            }
            if (rule == "pass")
            {
                for (int i = 0; i < In; i++) result[n * In + i] = (float)z[i];
                continue;
            }
            // Each part: contribution cⱼᵢ, bias term, and weight in the sum.
            var parts = rule switch
            {
                "epsilon" => [((Func<int, int, double>)((j, i) => W(j, i) * Xi(i)), (Func<int, double>)(j => b[j]), 1.0)],
                "gamma" => [((j, i) => (W(j, i) + 0.25 * Pos(W(j, i))) * Xi(i), j => b[j] + 0.25 * Pos(b[j]), 1.0)],
                "alpha2-beta1" => [((j, i) => Pos(Xi(i)) * Pos(W(j, i)) + Neg(Xi(i)) * Neg(W(j, i)), j => Pos(b[j]), 2.0),
                                   ((j, i) => Pos(Xi(i)) * Neg(W(j, i)) + Neg(Xi(i)) * Pos(W(j, i)), j => Neg(b[j]), -1.0)],
                "alpha1-beta0" => [((j, i) => Pos(Xi(i)) * Pos(W(j, i)) + Neg(Xi(i)) * Neg(W(j, i)), j => Pos(b[j]), 1.0)],
                "z-plus" => [((j, i) => Pos(Xi(i)) * Pos(W(j, i)) + Neg(Xi(i)) * Neg(W(j, i)), _ => 0.0, 1.0)],
                "z-box" => [((j, i) => Xi(i) * W(j, i) - (-1) * Pos(W(j, i)) - 1 * Neg(W(j, i)), _ => 0.0, 1.0)],
                "flat" => [((j, i) => 1.0, _ => 0.0, 1.0)],
                "w-square" => new (Func<int, int, double>, Func<int, double>, double)[] { ((j, i) => W(j, i) * W(j, i), _ => 0.0, 1.0) },
                _ => throw new ArgumentException(rule),
            };
            foreach (var (c, bias, weight) in parts)
            {
                for (int j = 0; j < outputs; j++)
                {
                    double zj = bias(j);
                    for (int i = 0; i < In; i++) zj += c(j, i);
                    for (int i = 0; i < In; i++) result[n * In + i] += (float)(weight * c(j, i) * z[j] / Stab(zj));
                }
            }
        }
        return result;
    }
}
