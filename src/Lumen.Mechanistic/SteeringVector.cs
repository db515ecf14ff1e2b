using Lumen.NN.Hooks;
using Lumen.NN.Models.Llama;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Mechanistic;

/// <summary>A steering vector (activation addition): a direction in the residual stream at one block, added with a
/// coefficient at every position while the model runs or generates.</summary>
/// <remarks>
/// <c>v = mean_t resid_pre_ℓ(positive) − mean_t resid_pre_ℓ(negative)</c>; steering replaces
/// <c>resid_pre_ℓ ← resid_pre_ℓ + c·v</c> at every position (the mean-difference form of ActAdd).
/// Turner et al. 2023, Activation Addition, https://arxiv.org/abs/2308.10248; Rimsky et al. 2023 (CAA),
/// https://arxiv.org/abs/2312.06681.
/// </remarks>
/// <example><code>
/// var v = SteeringVector.FromContrast(model, layer: 2, tok.Encode("happy"), tok.Encode("sad"));
/// using (v.Apply(model, coefficient: 4f)) text = generator.Generate(prompt, options);
/// </code></example>
/// <param name="Layer">The block whose input is steered.</param>
/// <param name="Vector">The direction <c>[Dim]</c>.</param>
public sealed record SteeringVector(int Layer, Tensor Vector)
{
    /// <summary>The mean-difference vector between the residual streams of two prompts at <paramref name="layer"/>.</summary>
    public static SteeringVector FromContrast(Llama model, int layer, IReadOnlyList<int> positive, IReadOnlyList<int> negative)
    {
        ArgumentNullException.ThrowIfNull(model);
        if ((uint)layer >= (uint)model.Config.Layers) throw new ArgumentOutOfRangeException(nameof(layer), $"SteeringVector: layer {layer} is outside 0..{model.Config.Layers - 1}.");
        return new SteeringVector(layer, MeanResidual(model, layer, positive) - MeanResidual(model, layer, negative));
    }

    /// <summary>Adds <c>coefficient · Vector</c> to the block's input at every position until disposed.</summary>
    public IDisposable Apply(Llama model, float coefficient)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Vector.Shape != new Shape(model.Config.Dim)) throw new ArgumentException($"SteeringVector: vector {Vector.Shape} does not match the model's width {model.Config.Dim}.", nameof(model));
        var added = Vector * coefficient;
        return model.Hooks.OnForward(LlamaHookNames.ResidPre(Layer), (resid, _) => resid + added);
    }

    /// <summary>Euclidean norm of the vector.</summary>
    public double Norm => Math.Sqrt(Vector.AsReadOnlySpan().ToArray().Sum(v => (double)v * v));

    private static Tensor MeanResidual(Llama model, int layer, IReadOnlyList<int> tokens)
    {
        var name = LlamaHookNames.ResidPre(layer);
        using var _ = GradMode.Off();
        var (_, cache) = model.RunWithCache(TokenSequence.ToTensor(tokens), n => n == name, detach: true);
        return cache[name].Mean([0, 1]);   // [Dim]
    }
}
