using System.Globalization;
using Lumen.NN;
using Lumen.NN.IO;
using Lumen.NN.Layers;
using Lumen.NN.Models.Llama;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Mechanistic;

/// <summary>The tuned lens: the logit lens with a learned affine <em>translator</em> per layer, trained so that each
/// layer's decoded distribution matches the model's final one (<see cref="TunedLensTrainer"/>).</summary>
/// <remarks>
/// <c>lens_ℓ(h) = log softmax(RMSNorm_final(h + A_ℓ h + b_ℓ) · W_U)</c> for ℓ = embed, block 0 … block L−2, with the
/// final norm and unembedding frozen; the last block's residual stream is decoded as is (it is the model's output).
/// <c>A_ℓ</c> and <c>b_ℓ</c> start at zero, so an untrained tuned lens is the logit lens exactly. The translators are
/// the parameters of this module (<c>translators.{ℓ}.weight</c> <c>[Dim, Dim]</c> = <c>A_ℓ</c>,
/// <c>translators.{ℓ}.bias</c> <c>[Dim]</c>); its <see cref="Module.Call(Tensor)"/> decodes a stack of residual streams
/// <c>[L+1, .., Dim]</c>, one per layer, to log-probabilities <c>[L+1, .., Vocab]</c>.
/// Belrose et al. 2023, "Eliciting Latent Predictions from Transformers with the Tuned Lens",
/// https://arxiv.org/abs/2303.08112.
/// </remarks>
/// <example><code>
/// var lens = new TunedLensTrainer().Fit(model, SampledCorpus.Generate(model, 64, 96, seed: 0)).Lens;
/// lens.Save("stories260K.tuned-lens.safetensors");
/// var result = TunedLens.Load(model, "stories260K.tuned-lens.safetensors").Run(tokens);   // a LogitLensResult
/// </code></example>
public sealed class TunedLens : Module
{
    /// <summary>The <c>format</c> value in the metadata of a saved lens.</summary>
    public const string Format = "lumen-tuned-lens";

    /// <summary>Positions decoded at once by <see cref="Evaluate"/>, which bounds its memory for large vocabularies.</summary>
    private const int EvaluationChunk = 256;

    private readonly LogitLens logitLens;
    private readonly Sequential translators;

    /// <summary>An untrained tuned lens over <paramref name="model"/> (all translators zero: the logit lens).</summary>
    public TunedLens(Llama model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        logitLens = new LogitLens(model);
        translators = Register("translators", new Sequential());
        for (int l = 0; l < model.Config.Layers; l++)
        {
            var translator = new Linear(model.Config.Dim, model.Config.Dim);
            translator.Weight.Value.AsSpan().Clear();
            translator.Bias!.Value.AsSpan().Clear();
            translators.Append(translator);
        }
    }

    /// <summary>The model whose final norm and unembedding decode every layer (frozen; not part of this module).</summary>
    public Llama Model { get; }

    /// <summary>Number of layers read: the embedding and every block (<c>L + 1</c>).</summary>
    public int Layers => Model.Config.Layers + 1;

    /// <summary>Number of translators: every layer but the last (<c>L</c>).</summary>
    public int TranslatorCount => Model.Config.Layers;

    /// <summary>The translator of layer <paramref name="layer"/> (0 = embed): <c>x·A_ℓᵀ + b_ℓ</c>, added to the residual stream.</summary>
    public Linear Translator(int layer)
    {
        if ((uint)layer >= (uint)TranslatorCount)
            throw new ArgumentOutOfRangeException(nameof(layer), $"TunedLens: layer {layer} has no translator; translators are 0..{TranslatorCount - 1} (the last block is decoded as is).");
        return (Linear)translators[layer];
    }

    /// <summary><c>h + A_ℓ h + b_ℓ</c> for layer <paramref name="layer"/> (0 = embed … <c>L</c> = last block, which is returned unchanged).</summary>
    public Tensor Translate(int layer, Tensor residual)
    {
        ArgumentNullException.ThrowIfNull(residual);
        if ((uint)layer > (uint)TranslatorCount) throw new ArgumentOutOfRangeException(nameof(layer), $"TunedLens: layer {layer} is outside 0..{TranslatorCount}.");
        return layer == TranslatorCount ? residual : residual + Translator(layer).Call(residual); // [.., Dim]
    }

    /// <summary>Log-probabilities <c>[.., Vocab]</c> that layer <paramref name="layer"/>'s residual stream <c>[.., Dim]</c> predicts.</summary>
    public Tensor Decode(int layer, Tensor residual) => logitLens.Decode(Translate(layer, residual));

    /// <summary>Runs <paramref name="tokens"/> once and decodes every layer through its translator.</summary>
    public LogitLensResult Run(IReadOnlyList<int> tokens) => logitLens.Run(tokens, Decode);

    /// <summary>Mean KL divergence to the final distribution and next-token cross-entropy per layer, for the logit
    /// lens and this lens, over positions 1… of <paramref name="sequences"/> (see <see cref="LensEvaluation"/>).</summary>
    public LensEvaluation Evaluate(IReadOnlyList<IReadOnlyList<int>> sequences)
    {
        var samples = LensSamples.Collect(Model, sequences);
        var sums = new double[4, Layers];                                        // KL logit, KL tuned, CE logit, CE tuned
        int predicted = 0;
        using var _ = GradMode.Off();
        foreach (var chunk in samples.Chunks(EvaluationChunk))
        {
            var final = chunk.Final();                                            // [n, V]
            for (int l = 0; l < Layers; l++)
            {
                // The last layer has no translator and is what Final() decoded: both lenses are the final distribution.
                var plain = l == TranslatorCount ? final : logitLens.Decode(chunk.Residuals[l]);   // [n, V]
                var translated = l == TranslatorCount ? final : Decode(l, chunk.Residuals[l]);     // [n, V]
                sums[0, l] += Divergence(final, plain).Sum().Item();
                sums[1, l] += Divergence(final, translated).Sum().Item();
                sums[2, l] += chunk.CrossEntropy(plain).Sum;
                sums[3, l] += chunk.CrossEntropy(translated).Sum;
            }
            predicted += chunk.CrossEntropy(final).Count;
        }
        double[] Row(int r, int count) => [.. Enumerable.Range(0, Layers).Select(l => count == 0 ? double.NaN : sums[r, l] / count)];
        return new LensEvaluation(LogitLens.LayerLabels(Model.Config), Row(0, samples.Count), Row(1, samples.Count), Row(2, predicted), Row(3, predicted), samples.Count);
    }

    /// <summary>Per row, <c>KL(p ‖ q) = Σ_v p_v (log p_v − log q_v)</c> from log-probabilities <c>[N, V]</c>; differentiable in both.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Tensor Divergence(Tensor target, Tensor prediction)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(prediction);
        if (target.Shape != prediction.Shape) throw new ArgumentException($"TunedLens.Divergence: target {target.Shape} and prediction {prediction.Shape} differ.", nameof(prediction));
        return (target.Exp() * (target - prediction)).Sum(-1);                   // [N]
    }

    /// <summary>Decodes residual streams <c>[L+1, .., Dim]</c> (axis 0: embed, block 0, …) to log-probabilities <c>[L+1, .., Vocab]</c>.</summary>
    protected override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 2 || x.Shape[0] != Layers || x.Shape[-1] != Model.Config.Dim)
            throw new ArgumentException($"{Describe()}: input must be [{Layers}, .., {Model.Config.Dim}] (one residual stream per layer), got {x.Shape}.", nameof(x));
        return Tensor.Concat([.. Enumerable.Range(0, Layers).Select(l => Decode(l, x.Slice(0, l, l + 1)))], axis: 0);
    }

    /// <summary>Writes the translators as safetensors, with the model's shape in the metadata.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Safetensors.Write(stream, StateDict(), new Dictionary<string, string>
        {
            ["format"] = Format,
            ["layers"] = Model.Config.Layers.ToString(CultureInfo.InvariantCulture),
            ["dim"] = Model.Config.Dim.ToString(CultureInfo.InvariantCulture),
            ["vocab"] = Model.Config.VocabSize.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Writes the translators to a safetensors file (created or overwritten).</summary>
    public void Save(string path)
    {
        using var stream = File.Create(path);
        Save(stream);
    }

    /// <summary>A tuned lens over <paramref name="model"/> with the translators read from <paramref name="stream"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a tuned lens, or was trained for another model shape.</exception>
    public static TunedLens Load(Llama model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        var file = Safetensors.Read(stream);
        if (!file.Metadata.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"TunedLens: the file is not a tuned lens (metadata format '{format}', expected '{Format}').");
        string expected = $"{model.Config.Layers} layers, dim {model.Config.Dim}, vocab {model.Config.VocabSize}";
        string found = $"{file.Metadata.GetValueOrDefault("layers")} layers, dim {file.Metadata.GetValueOrDefault("dim")}, vocab {file.Metadata.GetValueOrDefault("vocab")}";
        if (found != expected) throw new InvalidDataException($"TunedLens: the file was trained for a model with {found}; this model has {expected}.");
        var lens = new TunedLens(model);
        try { lens.LoadStateDict(file.Tensors); }
        catch (ArgumentException e) { throw new InvalidDataException($"TunedLens: {e.Message}", e); }
        return lens;
    }

    /// <summary>A tuned lens over <paramref name="model"/> with the translators read from a file.</summary>
    public static TunedLens Load(Llama model, string path)
    {
        using var stream = File.OpenRead(path);
        return Load(model, stream);
    }
}
