using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Tensors.Tests;

/// <summary>Finite-difference gradient checking: compares autograd against central differences of
/// L = Σ w ⊙ f(inputs) for a fixed random weighting w, computed in float32 with a relative tolerance.</summary>
public static class GradCheck
{
    /// <summary>Asserts that every input's autograd gradient matches central differences (all coordinates up to
    /// <paramref name="maxCoordinates"/> per input, a seeded sample beyond that).</summary>
    public static void Assert(Func<Tensor[], Tensor> f, Tensor[] inputs, float eps = 1e-2f, float rtol = 2e-2f, float atol = 2e-3f, int maxCoordinates = 64, int seed = 1)
    {
        foreach (var x in inputs) x.RequiresGrad = x.DType == DType.Float32;
        var output = f(inputs);
        var weights = Tensor.Randn(output.Shape, seed + 7);
        var loss = (output * weights).Sum();
        var differentiable = inputs.Where(x => x.DType == DType.Float32).ToArray();
        var grads = Gradients.Of(loss, differentiable);
        var rng = new Random(seed);
        for (int t = 0; t < differentiable.Length; t++)
        {
            var x = differentiable[t];
            var data = x.AsSpan();
            var analytic = grads[t].ToArray();
            IEnumerable<int> coords = x.Size <= maxCoordinates ? Enumerable.Range(0, x.Size) : Enumerable.Range(0, maxCoordinates).Select(_ => rng.Next(x.Size));
            foreach (var i in coords)
            {
                float saved = data[i];
                data[i] = saved + eps;
                double plus = Evaluate(f, inputs, weights);
                data[i] = saved - eps;
                double minus = Evaluate(f, inputs, weights);
                data[i] = saved;
                double numeric = (plus - minus) / (2 * eps);
                double diff = Math.Abs(numeric - analytic[i]);
                if (diff > atol + rtol * Math.Max(Math.Abs(numeric), Math.Abs(analytic[i])))
                    throw new Xunit.Sdk.XunitException($"Gradient of input {t} (shape {x.Shape}) at flat index {i}: autograd {analytic[i]}, finite difference {numeric}.");
            }
        }
    }

    private static double Evaluate(Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor weights)
    {
        using var _ = GradMode.Off();
        var o = f(inputs).AsReadOnlySpan();
        var w = weights.AsReadOnlySpan();
        double s = 0;
        for (int i = 0; i < o.Length; i++) s += (double)o[i] * w[i];
        return s;
    }

    /// <summary>Asserts two float spans are equal within an absolute-plus-relative tolerance, naming the first bad index.</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float atol = 1e-5f, float rtol = 1e-5f)
    {
        if (expected.Length != actual.Length) throw new Xunit.Sdk.XunitException($"Lengths differ: expected {expected.Length}, actual {actual.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            if (float.IsNaN(e) && float.IsNaN(a)) continue;
            if (!(Math.Abs(e - a) <= atol + rtol * Math.Abs(e)))
                throw new Xunit.Sdk.XunitException($"At index {i}: expected {e}, actual {a}.");
        }
    }
}
