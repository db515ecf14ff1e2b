using Lumen.NN;
using Lumen.NN.Hooks;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Analysis.Concepts;

/// <summary>
/// Testing with concept activation vectors (Kim et al. 2018, https://arxiv.org/abs/1711.11279): a concept's CAV is
/// the normal of a linear classifier separating the layer activations of concept examples from random examples; the
/// TCAV score of a class is the fraction of inputs whose class logit increases along the CAV. Significance: the
/// concept is tested against several random sets and compared with random-vs-random CAVs by a two-sided t-test.
/// </summary>
/// <remarks>CAV: logistic regression on activations (centred by the pooled mean), v = w/‖w‖.
/// S(x) = ∇_h f_k(h(x))·v; TCAV = |{x : S(x) &gt; 0}| / |X|. p-value: Welch t-test between the concept's scores
/// over the random sets and the scores of CAVs trained on random set i vs random set j.</remarks>
/// <example><code>
/// var tcav = new Tcav(model, "layer3");
/// var result = tcav.Test(stripes, randomSets, inputs, classIndex: 340);   // p &lt; 0.05: significant
/// </code></example>
public sealed class Tcav(Module model, string layer, int epochs = 200, float learningRate = 0.1f)
{
    /// <summary>Layer activations of <paramref name="inputs"/> [N, …], flattened to [N, D].</summary>
    public Tensor Activations(Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        model.Hooks.Resolve(layer);
        using (GradMode.Off()) return model.RunWithCache(inputs, n => n == layer, detach: true).Cache[layer].Flatten(1);
    }

    /// <summary>The unit CAV separating <paramref name="concept"/> from <paramref name="random"/> activations ([N, D]
    /// each), and its training accuracy.</summary>
    public (Tensor Cav, double Accuracy) Fit(Tensor concept, Tensor random, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(concept);
        ArgumentNullException.ThrowIfNull(random);
        var x = Tensor.Concat([concept, random]);
        var y = Tensor.FromArray([.. Enumerable.Repeat(1f, concept.Shape[0]).Concat(Enumerable.Repeat(0f, random.Shape[0]))], x.Shape[0], 1);
        var centred = x - x.Mean(0, keepDims: true);
        var scale = 1f / Math.Max(1e-6f, centred.Abs().Max().Item());
        var z = centred * scale;
        var w = (Tensor.Randn(new Shape(x.Shape[1], 1), seed) * 0.01f).RequireGrad();
        var b = Tensor.Zeros(1).RequireGrad();
        for (int step = 0; step < epochs; step++)
        {
            var p = z.MatMul(w).Add(b).Sigmoid().Clamp(1e-6f, 1 - 1e-6f);
            var loss = -(y * p.Log() + (1f - y) * (1f - p).Log()).Mean();
            var g = Gradients.Of(loss, new[] { w, b });
            using (GradMode.Off())
            {
                w = (w - g[0] * learningRate).Detach().RequireGrad();
                b = (b - g[1] * learningRate).Detach().RequireGrad();
            }
        }
        Tensor predicted;
        using (GradMode.Off()) predicted = z.MatMul(w).Add(b);
        var ps = predicted.ToArray();
        var ys = y.ToArray();
        double accuracy = ps.Where((v, i) => (v > 0) == (ys[i] > 0.5f)).Count() / (double)ps.Length;
        var direction = w.Detach().Reshape(-1);
        return (direction / direction.Mul(direction).Sum().Sqrt(), accuracy);
    }

    /// <summary>Directional derivatives ∇_h f_k · v of class <paramref name="classIndex"/>'s logit along
    /// <paramref name="cav"/> at the layer, one per input of <paramref name="inputs"/> [N, …].</summary>
    public float[] Sensitivities(Tensor inputs, int classIndex, Tensor cav)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(cav);
        Tensor? leaf = null;
        Tensor output;
        using (var scope = new HookScope())
        {
            scope.Add(model.Hooks.OnForward(layer, (a, context) => context.Index != 0 ? a : leaf = a.Detach().RequireGrad()));
            output = model.Call(inputs);
        }
        if (leaf is null) throw new InvalidOperationException($"Tcav: layer '{layer}' did not run.");
        var logits = output.Flatten(1);
        if (classIndex < 0 || classIndex >= logits.Shape[1]) throw new ArgumentOutOfRangeException(nameof(classIndex), $"Tcav: class {classIndex} is out of range; the output has {logits.Shape[1]}.");
        var grad = Gradients.Of(logits.Slice(1, classIndex, classIndex + 1).Sum(), leaf).Flatten(1); // [N, D]
        if (grad.Shape[1] != cav.Shape[0]) throw new ArgumentException($"Tcav: the CAV has {cav.Shape[0]} dimensions but '{layer}' has {grad.Shape[1]}.");
        return grad.MatMul(cav.Reshape(-1, 1)).Reshape(-1).ToArray();
    }

    /// <summary>The TCAV score: fraction of <paramref name="inputs"/> with a positive directional derivative.</summary>
    public double Score(Tensor inputs, int classIndex, Tensor cav) => Sensitivities(inputs, classIndex, cav).Count(s => s > 0) / (double)inputs.Shape[0];

    /// <summary>Tests <paramref name="concept"/> inputs against each of <paramref name="randomSets"/> (at least 3) for
    /// class <paramref name="classIndex"/> on <paramref name="inputs"/>, with random-vs-random CAVs as the null.</summary>
    public TcavResult Test(Tensor concept, IReadOnlyList<Tensor> randomSets, Tensor inputs, int classIndex, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(randomSets);
        if (randomSets.Count < 3) throw new ArgumentException($"Tcav: the t-test needs at least 3 random sets, got {randomSets.Count}.");
        var conceptActs = Activations(concept);
        var randomActs = randomSets.Select(Activations).ToList();
        var scores = new List<double>();
        var accuracies = new List<double>();
        for (int i = 0; i < randomActs.Count; i++)
        {
            var (cav, accuracy) = Fit(conceptActs, randomActs[i], seed: i);
            scores.Add(Score(inputs, classIndex, cav));
            accuracies.Add(accuracy);
            progress?.Report(i + 1);
        }
        var nulls = new List<double>();
        for (int i = 0; i < randomActs.Count; i++)
        {
            var (cav, _) = Fit(randomActs[i], randomActs[(i + 1) % randomActs.Count], seed: 100 + i);
            nulls.Add(Score(inputs, classIndex, cav));
            progress?.Report(randomActs.Count + i + 1);
        }
        var (t, _, p) = WelchTest.Run(scores, nulls);
        return new TcavResult(scores, nulls, accuracies, t, p);
    }
}
