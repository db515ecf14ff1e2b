using Lumen.Analysis.Projection;
using Lumen.Tensors;

namespace Lumen.Analysis.Tests;

public class TsneTests
{
    /// <summary>Three well-separated Gaussian clusters in 10 dimensions, <paramref name="perCluster"/> points each.</summary>
    private static (Tensor X, int[] Labels) Clusters(int perCluster, int seed)
    {
        var rng = new Random(seed);
        var values = new List<float>();
        var labels = new List<int>();
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < perCluster; i++)
            {
                for (int d = 0; d < 10; d++) values.Add((d == c ? 20f : 0f) + (float)(rng.NextDouble() * 2 - 1));
                labels.Add(c);
            }
        return (Tensor.FromArray([.. values], 3 * perCluster, 10), [.. labels]);
    }

    private static readonly TsneOptions Fast = new() { Perplexity = 10, Iterations = 300, ExaggerationIterations = 100, Seed = 1 };

    [Fact]
    public void Well_separated_clusters_stay_separated_and_keep_their_neighbours()
    {
        var (x, labels) = Clusters(25, seed: 3);
        var tsne = Tsne.Fit(x, Fast);
        Assert.Equal([75, 2], tsne.Embedding.Shape.ToArray());
        var y = tsne.Embedding.ToArray();
        double Distance(int i, int j) => Math.Sqrt(Math.Pow(y[2 * i] - y[2 * j], 2) + Math.Pow(y[2 * i + 1] - y[2 * j + 1], 2));
        // Each point's 5 nearest neighbours in the map are from its own cluster.
        for (int i = 0; i < labels.Length; i++)
        {
            var nearest = Enumerable.Range(0, labels.Length).Where(j => j != i).OrderBy(j => Distance(i, j)).Take(5);
            Assert.All(nearest, j => Assert.Equal(labels[i], labels[j]));
        }
        // And every cluster is closer to itself than to any other: largest within < smallest between.
        double within = 0, between = double.MaxValue;
        for (int i = 0; i < labels.Length; i++)
            for (int j = i + 1; j < labels.Length; j++)
                if (labels[i] == labels[j]) within = Math.Max(within, Distance(i, j));
                else between = Math.Min(between, Distance(i, j));
        Assert.True(within < between, $"within {within}, between {between}");
        Assert.InRange(tsne.KlDivergence, 0, 1);
    }

    [Fact]
    public void The_same_seed_gives_the_same_map_at_any_thread_count()
    {
        var (x, _) = Clusters(10, seed: 4);
        var a = Tsne.Fit(x, Fast).Embedding.ToArray();
        int threads = Parallelism.MaxDegree;
        float[] b;
        try
        {
            Parallelism.MaxDegree = 1;
            b = Tsne.Fit(x, Fast).Embedding.ToArray();
        }
        finally { Parallelism.MaxDegree = threads; }
        Assert.Equal(a, b);
        Assert.NotEqual(a, Tsne.Fit(x, Fast with { Seed = 2 }).Embedding.ToArray());
    }

    [Fact]
    public void Each_row_of_P_has_the_entropy_of_the_perplexity()
    {
        var (x, _) = Clusters(20, seed: 5);
        var values = x.ToArray();
        foreach (double perplexity in new[] { 5.0, 15.0, 40.0 })
        {
            var tsne = Tsne.Fit(x, Fast with { Perplexity = perplexity, Iterations = 0 });
            for (int i = 0; i < 60; i++)
            {
                // Recompute p_{j|i} from the fitted precision, independently of the implementation.
                var d = Enumerable.Range(0, 60).Select(j => Enumerable.Range(0, 10).Sum(c => Math.Pow(values[i * 10 + c] - values[j * 10 + c], 2))).ToArray();
                var w = d.Select((v, j) => j == i ? 0 : Math.Exp(-tsne.Precisions[i] * (v - d.Where((_, k) => k != i).Min()))).ToArray();
                double sum = w.Sum();
                double entropy = -w.Select(v => v / sum).Where(p => p > 0).Sum(p => p * Math.Log(p));
                Assert.True(Math.Abs(entropy - Math.Log(perplexity)) < 1e-4, $"row {i}: H = {entropy}, ln perplexity = {Math.Log(perplexity)}");
            }
        }
    }

    [Fact]
    public void Bad_requests_are_refused_with_the_reason()
    {
        var (x, _) = Clusters(3, seed: 1);
        Assert.Contains("perplexity must be in (1, 9)", Assert.Throws<ArgumentException>(() => Tsne.Fit(x, new() { Perplexity = 30 })).Message);
        Assert.Contains("at least 3 examples", Assert.Throws<ArgumentException>(() => Tsne.Fit(Tensor.Zeros(2, 4))).Message);
    }
}
