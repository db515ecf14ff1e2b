using Lumen.Tensors;

namespace Lumen.Mechanistic;

/// <summary>The final residual stream split into the contributions written by each component.</summary>
/// <param name="Names">Component names in model order: "embed", then per layer "attn i" (or heads "LiHh") and "mlp i".</param>
/// <param name="Vectors">Contributions <c>[Components, T, Dim]</c>.</param>
/// <param name="Final">The final residual stream (output of the last block) <c>[T, Dim]</c>.</param>
public sealed record ResidualComponents(IReadOnlyList<string> Names, Tensor Vectors, Tensor Final)
{
    /// <summary>Σ of the components, added in model order in float32 (exactly how the model adds them when the
    /// components are whole layers).</summary>
    public float[] Sum()
    {
        int c = Vectors.Shape[0], size = Vectors.Shape[1] * Vectors.Shape[2];
        var total = new float[size];
        var values = Vectors.AsReadOnlySpan();
        for (int k = 0; k < c; k++)
            for (int i = 0; i < size; i++) total[i] += values[k * size + i];
        return total;
    }

    /// <summary>Component <paramref name="index"/> at <paramref name="position"/> <c>[Dim]</c>.</summary>
    public ReadOnlySpan<float> At(int index, int position)
    {
        int t = Vectors.Shape[1], d = Vectors.Shape[2];
        return Vectors.AsReadOnlySpan().Slice((index * t + position) * d, d);
    }
}
