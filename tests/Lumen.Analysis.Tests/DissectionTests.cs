using Lumen.Analysis.Dissection;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Onnx;
using Lumen.Tensors;
using Lumen.TestSupport;
using Xunit.Abstractions;

namespace Lumen.Analysis.Tests;

public class DissectionTests(ITestOutputHelper output)
{
    /// <summary>A set whose images are given directly; the identity model makes each RGB plane a unit's activation map.</summary>
    private static ConceptSet HandMade(float[][] planes, bool[][][] masks, int side)
    {
        Concept[] concepts = [new("a", "color"), new("b", "shape")];
        return new ConceptSet("hand-made", concepts, planes.Length, side, side, i =>
            new ConceptSample($"#{i}", Tensor.FromArray(planes[i], 3, side, side), [.. masks[i].Select((m, c) => new ConceptMask(c, m)).Where(m => m.Pixels.Any(p => p))]));
    }

    private static bool[] Mask(int side, params int[] on)
    {
        var mask = new bool[side * side];
        foreach (var p in on) mask[p] = true;
        return mask;
    }

    [Fact]
    public void Iou_on_hand_made_masks_is_the_set_ratio_over_the_dataset()
    {
        const int side = 4, plane = side * side;
        // Unit 0 fires (value 1, else 0) on pixels 0–3 of image 0 and 0–3 of image 1: 8 of 32 values = the top 25 %.
        // Unit 1 fires on pixels 8–15 of image 0 only. Unit 2 is constant (never above its threshold).
        var planes = new float[2][];
        for (int i = 0; i < 2; i++)
        {
            planes[i] = new float[3 * plane];
            for (int p = 0; p < 4; p++) planes[i][p] = 1f;
            for (int p = 0; p < plane; p++) planes[i][2 * plane + p] = 0.5f;
        }
        for (int p = 8; p < 16; p++) planes[0][plane + p] = 1f;
        // Concept a: pixels 0, 1, 8, 9 of image 0 and 2, 3, 4, 5 of image 1. Concept b: pixels 8–15 of image 0.
        var masks = new[] { new[] { Mask(side, 0, 1, 8, 9), Mask(side, 8, 9, 10, 11, 12, 13, 14, 15) }, new[] { Mask(side, 2, 3, 4, 5), Mask(side) } };
        var result = new NetworkDissection(new Sequential(new Identity()), new() { HookPoints = ["0"], Quantile = 0.25, Net2Vec = null, ExamplesPerUnit = 1 })
            .Dissect(HandMade(planes, masks, side), x => x);
        var layer = result["0"];
        // unit 0: M = {0..3} ∪ {0..3}; a: ∩ = {0,1} + {2,3} = 4, ∪ = 8 + 8 − 4 = 12 → 1/3; b: ∩ = 0 → 0.
        Assert.Equal(4 / 12.0, layer.Iou[0][0], 12);
        Assert.Equal(0, layer.Iou[0][1]);
        // unit 1: M = {8..15} of image 0; a: ∩ = {8, 9} = 2, ∪ = 8 + 8 − 2 = 14; b: identical masks → 1.
        Assert.Equal(2 / 14.0, layer.Iou[1][0], 12);
        Assert.Equal(1.0, layer.Iou[1][1], 12);
        Assert.Equal(0, layer.Iou[2][0]);
        Assert.Equal((0, 0f), (layer.Units[0].Concept, layer.Units[0].Threshold));
        Assert.Equal((1, 1.0), (layer.Units[1].Concept, layer.Units[1].Iou));
        Assert.True(layer.Units[0].Interpretable && layer.Units[1].Interpretable && !layer.Units[2].Interpretable);
        Assert.Equal([("color", 1, 1), ("shape", 1, 1)], result.InterpretableByCategory(layer));
        Assert.Equal(0, layer.Units[1].Examples[0].Example);
        Assert.Empty(layer.Combinations);
    }

    [Fact]
    public void Net2Vec_in_a_dissection_matches_a_concept_one_unit_draws_exactly()
    {
        const int side = 4, plane = side * side;
        // Unit 1 is 2 + small on concept b (4 pixels per image, a different place in each image) and 0 elsewhere, so
        // its top 25 % is exactly the concept; unit 0 is noise, unit 2 constant. Images 0, 2 train; 1, 3 are held out.
        var rng = new Random(2);
        var planes = new float[4][];
        var masks = new bool[4][][];
        for (int i = 0; i < 4; i++)
        {
            planes[i] = new float[3 * plane];
            for (int p = 0; p < plane; p++) (planes[i][p], planes[i][2 * plane + p]) = ((float)rng.NextDouble(), 0.5f);
            int[] on = [.. Enumerable.Range(0, 4).Select(j => (i * 3 + j * 5) % plane)];
            foreach (var (p, j) in on.Select((p, j) => (p, j))) planes[i][plane + p] = 2f + 0.01f * (i * 4 + j);
            masks[i] = [Mask(side), Mask(side, on)];
        }
        DissectionResult Run() => new NetworkDissection(new Sequential(new Identity()), new() { HookPoints = ["0"], Quantile = 0.25, Net2Vec = new() { PixelsPerImage = 16, Steps = 200 } })
            .Dissect(HandMade(planes, masks, side), x => x);
        var combination = Assert.Single(Run()["0"].Combinations);
        Assert.Equal((1, 1, 1.0), (combination.Concept, combination.BestUnit, combination.BestUnitIou));
        Assert.Equal(1.0, combination.Iou);
        Assert.True(combination.Weights[1] > 0);
        Assert.Equal(combination.Weights, Run()["0"].Combinations[0].Weights);      // seeded pixel sampling: the same fit
    }

    [Fact]
    public void Several_hook_points_are_dissected_in_one_pass_each_as_if_alone()
    {
        var model = new Sequential(new Conv2d(3, 5, 3, padding: 1, rng: new Random(7)), new Relu(), new MaxPool2d(2));
        var set = GeneratedConcepts.Create(count: 7, size: 16, seed: 2);
        DissectionResult Run(params string[] hooks) =>
            new NetworkDissection(model, new() { HookPoints = hooks, Quantile = 0.05, BatchSize = 3, Net2Vec = new() { Steps = 10, PixelsPerImage = 4 } }).Dissect(set, x => x);
        var both = Run("1", "2");
        Assert.Equal([5, 8, 8], both["2"].ExampleShape);
        foreach (var hook in new[] { "1", "2" })
        {
            var alone = Run(hook)[hook];
            Assert.Equal(alone.Iou.SelectMany(r => r), both[hook].Iou.SelectMany(r => r));
            Assert.Equal(alone.Units.Select(u => (u.Threshold, u.Concept)), both[hook].Units.Select(u => (u.Threshold, u.Concept)));
            Assert.Equal(alone.Combinations.Select(c => c.Iou), both[hook].Combinations.Select(c => c.Iou));
        }
        Assert.Equal(0, model.Hooks.Count);
    }

    [Fact]
    public void A_unit_saturated_on_more_than_the_top_quantile_fires_where_it_saturates()
    {
        const int side = 4, plane = side * side;
        // Unit 0 is 6 (ReLU6's ceiling) on 10 of 32 values, more than the top 25 % (8): T_0 = 6 ties at the maximum.
        var planes = new float[2][];
        for (int i = 0; i < 2; i++) planes[i] = new float[3 * plane];
        int[] on = [0, 1, 2, 3, 4];
        foreach (var p in on) { planes[0][p] = 6f; planes[1][p] = 6f; }
        planes[0][10] = 2f;
        var masks = new[] { new[] { Mask(side, on), Mask(side) }, new[] { Mask(side, on), Mask(side) } };
        var layer = new NetworkDissection(new Sequential(new Identity()), new() { HookPoints = ["0"], Quantile = 0.25, Net2Vec = null })
            .Dissect(HandMade(planes, masks, side), x => x)["0"];
        Assert.Equal((6f, true), (layer.Units[0].Threshold, layer.Units[0].Saturated));
        Assert.Equal(1.0, layer.Iou[0][0], 12);
        Assert.True(layer.Units[0].Fires(6f) && !layer.Units[0].Fires(5.9f));
        Assert.False(layer.Units[1].Saturated);                   // a constant unit (all 0) never fires
        Assert.Equal(0, layer.Iou[1][0]);
    }

    [Fact]
    public void Threshold_is_the_top_quantile_of_a_known_distribution()
    {
        var values = Enumerable.Range(1, 1000).Select(v => (float)v).ToArray();
        new Random(5).Shuffle(values);
        var quantile = new TopQuantile(2, 1000, 0.005, 1 << 20, "test");
        for (int at = 0; at < 1000; at += 64) quantile.Add(0, values.AsSpan(at, Math.Min(64, 1000 - at)));
        quantile.Add(1, Enumerable.Repeat(3f, 1000).ToArray());
        Assert.Equal(995f, quantile.Threshold(0));             // exactly 5 = 0.5 % of the values lie above it
        Assert.Equal(5, values.Count(v => v > quantile.Threshold(0)));
        Assert.Equal(3f, quantile.Threshold(1));               // ties: nothing lies above
        Assert.Throws<ArgumentException>(() => new TopQuantile(100, 10_000_000, 0.5, 1 << 20, "test"));
    }

    [Fact]
    public void Net2Vec_recovers_a_concept_that_is_exactly_a_unit_combination()
    {
        // Concept = [a0 + 2·a2 > 1.5] over uniform unit values, pixels within 0.05 of the boundary left out.
        var rng = new Random(11);
        var rows = new List<float[]>();
        while (rows.Count < 2000)
        {
            float[] a = [(float)rng.NextDouble(), (float)rng.NextDouble(), (float)rng.NextDouble()];
            if (Math.Abs(a[0] + 2 * a[2] - 1.5) > 0.05) rows.Add(a);
        }
        var features = Tensor.FromArray([.. rows.SelectMany(r => r)], rows.Count, 3);
        var truth = rows.Select(r => r[0] + 2 * r[2] > 1.5).ToArray();
        var labels = Tensor.FromArray([.. truth.Select(t => t ? 1f : 0f)], rows.Count, 1);
        var fit = Net2Vec.Fit(features, labels, new Net2VecOptions { Steps = 400, LearningRate = 0.1f });
        var predicted = fit.Predict(features);
        int intersection = predicted.Where((p, i) => p && truth[i]).Count(), union = predicted.Where((p, i) => p || truth[i]).Count();
        Assert.Equal(1.0, intersection / (double)union);
        var w = fit.Weights.ToArray();
        Assert.All(w, v => Assert.True(v >= 0));
        Assert.InRange(w[2] / w[0], 1.7, 2.3);
        Assert.True(w[1] < 0.1 * w[0], $"weights {string.Join(", ", w)}");
        Assert.True(fit.Losses[^1] < fit.Losses[0]);
        var again = Net2Vec.Fit(features, labels, new Net2VecOptions { Steps = 400, LearningRate = 0.1f });
        Assert.Equal(w, again.Weights.ToArray());
    }

    [Fact]
    public void Generated_concepts_are_deterministic_and_fully_labelled()
    {
        var set = GeneratedConcepts.Create(count: 9, size: 32, seed: 3);
        int colors = GeneratedConcepts.Colors.Count;
        for (int i = 0; i < set.Count; i++)
        {
            var a = set.Sample(i);
            var b = GeneratedConcepts.Create(count: 9, size: 32, seed: 3).Sample(i);
            Assert.Equal(a.Image.ToArray(), b.Image.ToArray());
            Assert.Equal(a.Masks.Select(m => m.Concept), b.Masks.Select(m => m.Concept));
            // Every pixel carries at most one colour (the background none); texture and shape images carry their concept.
            var perPixel = new int[32 * 32];
            foreach (var m in a.Masks.Where(m => m.Concept < colors))
                for (int p = 0; p < perPixel.Length; p++) if (m.Pixels[p]) perPixel[p]++;
            Assert.All(perPixel, n => Assert.InRange(n, 0, 1));
            Assert.Contains(0, perPixel);
            Assert.Equal(i % 3 == 0 ? 0 : 1, a.Masks.Count(m => m.Concept >= colors));
            Assert.All(a.Image.ToArray(), v => Assert.InRange(v, 0f, 1f));
        }
        Assert.NotEqual(set.Sample(0).Image.ToArray(), GeneratedConcepts.Create(count: 9, size: 32, seed: 4).Sample(0).Image.ToArray());
        // A red region is red: its mean colour is near (200, 30, 30).
        var red = Enumerable.Range(0, 30).Select(i => GeneratedConcepts.Generate(i, 32, 0)).First(s => s.Masks.Any(m => m.Concept == 8 && m.Area > 20));
        var mask = red.Masks.First(m => m.Concept == 8).Pixels;
        var rgb = red.Image.ToArray();
        double Mean(int ch) => Enumerable.Range(0, mask.Length).Where(p => mask[p]).Average(p => rgb[ch * mask.Length + p] * 255.0);
        Assert.Equal("red", GeneratedConcepts.Concepts[8].Name);
        Assert.InRange(Mean(0), 180, 220);
        Assert.InRange(Mean(1), 10, 50);
    }

    [Fact]
    public void Bad_requests_are_refused_with_the_reason()
    {
        var model = new Sequential(new Identity());
        Assert.Contains("at least one hook point", Assert.Throws<ArgumentException>(() => new NetworkDissection(model, new())).Message);
        Assert.Contains("quantile", Assert.Throws<ArgumentException>(() => new NetworkDissection(model, new() { HookPoints = ["0"], Quantile = 1 })).Message);
        var flat = new ConceptSet("flat", [new("a", "x")], 2, 2, 2, i => new ConceptSample("x", Tensor.Zeros(3, 2, 2), []));
        var error = Assert.Throws<InvalidOperationException>(() => new NetworkDissection(new Sequential(new Flatten()), new() { HookPoints = ["0"] }).Dissect(flat, x => x));
        Assert.Contains("spatial maps", error.Message);
        var wrong = new ConceptSet("wrong", [new("a", "x")], 1, 4, 4, i => new ConceptSample("x", Tensor.Zeros(3, 2, 2), []));
        Assert.Contains("expected [3, 4, 4]", Assert.Throws<InvalidDataException>(() => wrong.Sample(0)).Message);
    }

    /// <summary>SqueezeNet's first ReLU dissected on generated concepts at 224² (its input size is fixed).</summary>
    private (DissectionResult Result, double Seconds) DissectSqueezenet(int images, Net2VecOptions? net2vec)
    {
        var model = OnnxModel.Load(SharedData.InRepository("models/imagenet/squeezenet1.0-fp32.onnx"));
        model.Eval();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = new NetworkDissection(model, new() { HookPoints = ["conv1_2"], BatchSize = 15, Net2Vec = net2vec })
            .Dissect(GeneratedConcepts.Create(count: images, size: 224, seed: 0), rgb => rgb.Flip(1) * 255f);   // SqueezeNet: BGR, 0..255
        var layer = result["conv1_2"];
        output.WriteLine($"{images} images, {watch.Elapsed.TotalSeconds:F1} s; {layer.Interpretable} of {layer.Units.Count} units interpretable:");
        foreach (var u in layer.Units.Where(u => u.Interpretable).OrderByDescending(u => u.Iou))
            output.WriteLine($"  unit {u.Unit,3} {result.Concepts[u.Concept].Name,-12} IoU {u.Iou:F3}");
        foreach (var (category, units, concepts) in result.InterpretableByCategory(layer)) output.WriteLine($"  {category}: {units} units, {concepts} concepts");
        foreach (var c in layer.Combinations) output.WriteLine($"  net2vec {result.Concepts[c.Concept].Name,-12} IoU {c.Iou:F3} vs best unit {c.BestUnit,2} {c.BestUnitIou:F3}");
        return (result, watch.Elapsed.TotalSeconds);
    }

    private static List<UnitDissection> ColorUnits(DissectionResult result) =>
        [.. result["conv1_2"].Units.Where(u => u.Interpretable && result.Concepts[u.Concept].Category == "color")];

    [Fact]
    public void Squeezenet_conv1_has_colour_units_on_the_generated_concepts()
    {
        var (result, _) = DissectSqueezenet(images: 30, net2vec: null);
        var colors = ColorUnits(result);
        Assert.True(colors.Count >= 10, $"only {colors.Count} colour units");
        Assert.True(colors.Select(u => u.Concept).Distinct().Count() >= 4);
    }

    [SlowSharedFact]
    public void Squeezenet_conv1_colour_units_and_net2vec_on_300_images()
    {
        var (result, _) = DissectSqueezenet(images: 300, net2vec: new());
        var colors = ColorUnits(result);
        Assert.True(colors.Count >= 10, $"only {colors.Count} colour units");
        var combinations = result["conv1_2"].Combinations.Where(c => result.Concepts[c.Concept].Category == "color").ToList();
        Assert.True(combinations.Count(c => c.Gain > 0) > combinations.Count / 2, "Net2Vec should beat the best single unit on most colours");
    }
}
