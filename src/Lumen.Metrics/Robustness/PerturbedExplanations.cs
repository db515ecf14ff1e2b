using Lumen.Metrics.Common;

namespace Lumen.Metrics.Robustness;

/// <summary>Perturbed inputs x + δ of every sample and their explanations, drawn once per evaluation. The noise is
/// drawn run by run and sample by sample from one seeded generator; the runs are then explained in stacked, batched
/// Explain calls (<see cref="Reexplainer.ExplainVariants"/>).</summary>
internal sealed record PerturbedExplanations(float[] Input, float[] Map, float[][] Inputs, float[][] Maps, int RowSize)
{
    public static PerturbedExplanations Draw(MetricInput input, SensitivityOptions options, CancellationToken cancellation)
    {
        var method = Reexplainer.MethodFor(input);
        var rng = new Random(options.Seed);
        var x = input.Input.AsReadOnlySpan().ToArray();
        int runs = Math.Max(1, options.Runs), rowSize = x.Length / input.Samples;
        var inputs = new float[runs][];
        for (int r = 0; r < runs; r++)
        {
            inputs[r] = (float[])x.Clone();
            for (int b = 0; b < input.Samples; b++) options.Noise.Add(inputs[r].AsSpan(b * rowSize, rowSize), rng);
        }
        var maps = Reexplainer.ExplainVariants(method, input, runs,
            (r, b, row) => inputs[r].AsSpan(b * rowSize, rowSize).CopyTo(row), options, cancellation);
        return new PerturbedExplanations(x, input.Attribution.AsReadOnlySpan().ToArray(), inputs, maps, rowSize);
    }

    public ReadOnlySpan<float> Row(float[] all, int sample) => all.AsSpan(sample * RowSize, RowSize);
}
