using Lumen.Analysis.Recording;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Analysis.Tests;

public class ActivationRecorderTests
{
    private static Sequential Model() => new(new Conv2d(2, 4, 3, padding: 1, rng: new Random(3)), new Relu(), new Flatten(), new Linear(4 * 5 * 5, 3, rng: new Random(4)));

    private static List<Tensor> Batches(params int[] sizes) =>
        [.. sizes.Select((b, i) => Tensor.Randn(new Shape(b, 2, 5, 5), seed: 100 + i))];

    [Fact]
    public void Top_examples_and_statistics_equal_a_brute_force_pass()
    {
        var model = Model();
        var batches = Batches(3, 5, 1, 4);
        var recorder = new ActivationRecorder(model, new() { HookPoints = ["1", "3"], TopK = 4 });
        var record = recorder.Record(batches);
        Assert.Equal(13, record.Examples);

        foreach (var (hook, score) in new[] { ("1", ChannelScore.Max), ("3", ChannelScore.Max) })
        {
            var all = Tensor.Concat([.. batches.Select(b => model.RunWithCache(b, n => n == hook, detach: true).Cache[hook])]); // [13, C, …]
            int n = all.Shape[0], c = all.Shape[1], positions = all.Size / (n * c);
            var values = all.ToArray();
            var got = record[hook];
            Assert.Equal(c, got.Channels);
            for (int ch = 0; ch < c; ch++)
            {
                var perExample = Enumerable.Range(0, n).Select(e =>
                {
                    var map = values.AsSpan((e * c + ch) * positions, positions).ToArray();
                    int arg = Array.IndexOf(map, map.Max());
                    return (Example: e, Score: map.Max(), Arg: arg, Map: map);
                }).ToList();
                var expected = perExample.OrderByDescending(p => p.Score).ThenBy(p => p.Example).Take(4).ToList();
                var top = got.TopExamples[ch];
                Assert.Equal(expected.Select(p => p.Example), top.Select(t => t.Example));
                Assert.Equal(expected.Select(p => p.Score), top.Select(t => t.Score));
                Assert.Equal(expected.Select(p => p.Arg), top.Select(t => t.Y * t.Width + t.X));
                Assert.Equal(expected[0].Map, top[0].Map);

                var flat = perExample.SelectMany(p => p.Map).Select(v => (double)v).ToList();
                double mean = flat.Average(), sd = Math.Sqrt(flat.Select(v => (v - mean) * (v - mean)).Average());
                var stats = got.Statistics[ch];
                Assert.Equal(flat.Count, stats.Count);
                Assert.Equal(mean, stats.Mean, 1e-9);
                Assert.Equal(sd, stats.StandardDeviation, 1e-9);
                Assert.Equal((float)flat.Min(), stats.Min);
                Assert.Equal((float)flat.Max(), stats.Max);
                Assert.Equal(flat.Count(v => v > 0) / (double)flat.Count, stats.PositiveFraction, 1e-12);
                Assert.Equal(perExample.Average(p => (double)p.Score), stats.MeanScore, 1e-6);
            }
        }
    }

    [Fact]
    public void Ties_keep_the_earliest_examples_and_mean_scores_rank_by_mean()
    {
        var model = new Sequential(new Identity());
        var x = Tensor.FromArray([1f, 3f, 2f, 2f, 3f, 1f, 0f, 0f], 4, 1, 2); // example means 2, 2, 2, 0; maxima 3, 2, 3, 0
        var byMean = new ActivationRecorder(model, new() { HookPoints = ["0"], TopK = 2, Score = ChannelScore.Mean }).Record([x]);
        Assert.Equal([0, 1], byMean["0"].TopExamples[0].Select(t => t.Example));
        var byMax = new ActivationRecorder(model, new() { HookPoints = ["0"], TopK = 2 }).Record([x]);
        Assert.Equal([0, 2], byMax["0"].TopExamples[0].Select(t => t.Example));
        Assert.Equal((0, 1), (byMax["0"].TopExamples[0][0].Y, byMax["0"].TopExamples[0][0].X));
    }

    [Fact]
    public void Region_is_the_cell_of_the_strongest_position_stretched_over_the_input()
    {
        var top = new TopExample(0, 1f, Y: 1, X: 2, null, Height: 4, Width: 4);
        Assert.Equal((112, 56, 56, 56), top.Region(224, 224));
    }

    [Fact]
    public void Bad_requests_are_refused_with_the_reason()
    {
        var model = Model();
        var unknown = Assert.Throws<ArgumentException>(() => new ActivationRecorder(model, new() { HookPoints = ["nope"] }));
        Assert.Contains("nope", unknown.Message);
        Assert.Throws<ArgumentException>(() => new ActivationRecorder(model, new() { HookPoints = [] }));
        Assert.Throws<ArgumentException>(() => new ActivationRecorder(model, new() { HookPoints = ["1", "1"] }));
        var budget = Assert.Throws<InvalidOperationException>(() => new ActivationRecorder(model, new() { HookPoints = ["1"], MapMemoryBudget = 100 }).Add(Batches(2)[0]));
        Assert.Contains("budget", budget.Message);
        Assert.Throws<InvalidOperationException>(() => new ActivationRecorder(model, new() { HookPoints = ["1"] }).Result());
    }

    [Fact]
    public void Recording_leaves_no_hook_behind()
    {
        var model = Model();
        new ActivationRecorder(model, new() { HookPoints = ["0", "1"] }).Add(Batches(2)[0]);
        Assert.Equal(0, model.Hooks.Count);
    }
}

public class ActivationRecorderCheckpointTests
{
    private static Sequential Model() => new(new Conv2d(2, 4, 3, padding: 1, rng: new Random(3)), new Relu(), new Flatten(), new Linear(4 * 5 * 5, 3, rng: new Random(4)));

    private static void AssertSame(ActivationRecord expected, ActivationRecord actual)
    {
        Assert.Equal(expected.Examples, actual.Examples);
        for (int h = 0; h < expected.HookPoints.Count; h++)
        {
            var (e, a) = (expected.HookPoints[h], actual.HookPoints[h]);
            Assert.Equal(e.ExampleShape, a.ExampleShape);
            Assert.Equal(e.Statistics, a.Statistics);                      // records: exact doubles and floats
            for (int c = 0; c < e.Channels; c++)
            {
                Assert.Equal(e.TopExamples[c].Select(t => (t.Example, t.Score, t.Y, t.X)), a.TopExamples[c].Select(t => (t.Example, t.Score, t.Y, t.X)));
                Assert.Equal(e.TopExamples[c].Select(t => t.Map), a.TopExamples[c].Select(t => t.Map));
            }
        }
    }

    [Theory]
    [InlineData(ChannelScore.Max, true)]
    [InlineData(ChannelScore.Mean, false)]
    public void Recording_A_saving_loading_and_recording_B_equals_recording_A_and_B(ChannelScore score, bool keepMaps)
    {
        var options = new ActivationRecorderOptions { HookPoints = ["1", "3"], TopK = 3, Score = score, KeepMaps = keepMaps };
        var a = Enumerable.Range(0, 3).Select(i => Tensor.Randn(new Shape(4, 2, 5, 5), seed: 10 + i)).ToList();
        var b = Enumerable.Range(0, 2).Select(i => Tensor.Randn(new Shape(3, 2, 5, 5), seed: 20 + i)).ToList();
        var whole = new ActivationRecorder(Model(), options).Record([.. a, .. b]);

        var first = new ActivationRecorder(Model(), options);
        first.Record(a);
        var file = new MemoryStream();
        first.Save(file, source: "digits 0-11");
        file.Position = 0;
        var second = new ActivationRecorder(Model(), options);           // a fresh recorder, as in another process
        Assert.Equal("digits 0-11", second.Load(file));
        Assert.Equal(12, second.Examples);
        AssertSame(whole, second.Record(b));
    }

    [Fact]
    public void A_checkpoint_of_other_options_or_a_used_recorder_is_refused()
    {
        var options = new ActivationRecorderOptions { HookPoints = ["1"], TopK = 2 };
        var recorder = new ActivationRecorder(Model(), options);
        recorder.Add(Tensor.Randn(new Shape(2, 2, 5, 5), seed: 1));
        var file = new MemoryStream();
        recorder.Save(file);
        file.Position = 0;
        Assert.Contains("other options", Assert.Throws<InvalidDataException>(() => new ActivationRecorder(Model(), options with { TopK = 3 }).Load(file)).Message);
        file.Position = 0;
        Assert.Contains("fresh recorder", Assert.Throws<InvalidOperationException>(() => recorder.Load(file)).Message);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => new ActivationRecorder(Model(), options).Load(new MemoryStream(file.ToArray()[..40]))).Message);
        Assert.Contains("not a recorder checkpoint", Assert.Throws<InvalidDataException>(() => new ActivationRecorder(Model(), options).Load(new MemoryStream([5, 65, 66, 67, 68, 69]))).Message);
    }
}
