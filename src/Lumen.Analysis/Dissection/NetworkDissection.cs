using Lumen.Analysis.Recording;
using Lumen.NN;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Analysis.Dissection;

/// <summary>
/// Network dissection (Bau, Zhou, Khosla, Oliva &amp; Torralba 2017, "Network Dissection: Quantifying
/// Interpretability of Deep Visual Representations", CVPR, https://arxiv.org/abs/1704.05796): matches every unit of a
/// layer with the concept whose pixel masks its high activations overlap best, over a <see cref="ConceptSet"/>.
/// </summary>
/// <remarks>
/// For unit k: T_k is the top-q quantile of its activations over every image and position (q = 0.005: exactly a
/// fraction q of them exceed T_k, see <see cref="DissectionOptions.Quantile"/>). Each image's activation map is
/// upsampled bilinearly (half-pixel centres) to the mask size and binarised, M_k = [S_k &gt; T_k] (or [S_k ≥ T_k] when
/// T_k is a tie at the unit's maximum, as with ReLU6 saturating at 6, see <see cref="UnitDissection.Saturated"/>);
/// IoU_{k,c} = Σ|M_k ∩ L_c| / Σ|M_k ∪ L_c| with sums over all images (every image counts as fully annotated). A unit's
/// label is argmax_c IoU_{k,c}; it is interpretable when that IoU exceeds 0.04. Images stream in batches, twice (pass 1
/// thresholds and top examples through the <see cref="Recording"/> accumulators, pass 2 counts), in memory bounded by
/// q·images·positions per unit plus one image's upsampled maps. With <see cref="DissectionOptions.Net2Vec"/>, a third pass over the odd images scores
/// <see cref="Net2Vec"/> combinations fitted on pixels sampled from the even images (features a_k/T_k), against the
/// unit that is best on the even images. Forward passes stop after the last dissected hook point.
/// </remarks>
/// <example><code>
/// var set = GeneratedConcepts.Create(count: 300, size: 112);
/// var result = new NetworkDissection(model, new() { HookPoints = ["conv1"] }).Dissect(set, rgb => (rgb - 0.45f) / 0.225f);
/// foreach (var unit in result["conv1"].Units.Where(u => u.Interpretable))
///     Console.WriteLine($"{unit.Unit}: {result.Concepts[unit.Concept].Name} {unit.Iou:F3}");
/// </code></example>
public sealed class NetworkDissection
{
    private readonly Module model;
    private readonly DissectionOptions options;

    /// <summary>Creates a dissection; the hook points are checked against the model now.</summary>
    /// <exception cref="ArgumentException">No hook point, an unknown or repeated one, or an option out of range.</exception>
    public NetworkDissection(Module model, DissectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (options.HookPoints.Count == 0) throw new ArgumentException("NetworkDissection: name at least one hook point.", nameof(options));
        var repeated = options.HookPoints.GroupBy(h => h).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new ArgumentException($"NetworkDissection: hook point '{repeated.Key}' is named twice.", nameof(options));
        if (!(options.Quantile > 0 && options.Quantile < 1)) throw new ArgumentException($"NetworkDissection: the quantile must be in (0, 1), got {options.Quantile}.", nameof(options));
        if (options.BatchSize < 1 || options.ExamplesPerUnit < 0)
            throw new ArgumentException($"NetworkDissection: batch size ({options.BatchSize}) must be ≥ 1 and examples per unit ({options.ExamplesPerUnit}) ≥ 0.", nameof(options));
        if (options.Net2Vec is { } n && (n.PixelsPerImage < 1 || n.Steps < 0))
            throw new ArgumentException($"NetworkDissection: Net2Vec needs PixelsPerImage ≥ 1 and Steps ≥ 0, got {n.PixelsPerImage} and {n.Steps}.", nameof(options));
        foreach (var hook in options.HookPoints) model.Hooks.Resolve(hook);
        this.model = model;
        this.options = options;
    }

    /// <summary>Dissects the hook points over <paramref name="set"/>; <paramref name="toInput"/> turns a batch of
    /// RGB images in [0, 1] ([B, 3, H, W]) into the model's input (normalisation, channel order);
    /// <paramref name="progress"/> hears the fraction of the work done.</summary>
    /// <exception cref="InvalidOperationException">A hook point did not run, or gave no spatial map.</exception>
    public DissectionResult Dissect(ConceptSet set, Func<Tensor, Tensor> toInput, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(toInput);
        var net2vec = set.Count >= 2 ? options.Net2Vec : null;
        double total = 2.0 * set.Count + (net2vec is null ? 0 : set.Count / 2), done = 0;
        var layers = new DissectionLayer[options.HookPoints.Count];

        foreach (var (start, _, activations) in Stream(set, toInput, _ => true, cancellation))
        {
            for (int h = 0; h < layers.Length; h++)
            {
                layers[h] ??= new DissectionLayer(options.HookPoints[h], activations[h], set.Count, set.Concepts.Count, options);
                layers[h].Observe(start, activations[h]);
            }
            progress?.Report((done += activations[0].Shape[0]) / total);
        }
        foreach (var layer in layers) layer.Thresholds();

        foreach (var (start, samples, activations) in Stream(set, toInput, _ => true, cancellation))
        {
            for (int h = 0; h < layers.Length; h++) layers[h].Count(start, samples, activations[h], a => Upsample(a, set), net2vec);
            progress?.Report((done += samples.Length) / total);
        }

        var fits = new Net2Vec?[layers.Length];
        if (net2vec is not null)
        {
            for (int h = 0; h < layers.Length; h++) fits[h] = layers[h].Fit(net2vec);
            foreach (var (_, samples, activations) in Stream(set, toInput, i => i % 2 == 1, cancellation))
            {
                for (int h = 0; h < layers.Length; h++) if (fits[h] is { } fit) layers[h].Evaluate(samples, activations[h], a => Upsample(a, set), fit);
                progress?.Report((done += samples.Length) / total);
            }
        }
        return new DissectionResult(set, options, [.. layers.Select((l, h) => l.Result(options, fits[h]))]);
    }

    /// <summary>The chosen images in batches, with the activations of every hook point.</summary>
    private IEnumerable<(int Start, ConceptSample[] Samples, Tensor[] Activations)> Stream(ConceptSet set, Func<Tensor, Tensor> toInput, Func<int, bool> chosen, CancellationToken cancellation)
    {
        var indices = Enumerable.Range(0, set.Count).Where(chosen).ToArray();
        for (int at = 0; at < indices.Length; at += options.BatchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            var batch = indices[at..Math.Min(indices.Length, at + options.BatchSize)];
            var samples = batch.Select(set.Sample).ToArray();
            Tensor[] activations;
            using (GradMode.Off())
                activations = ActivationCapture.Run(model, options.HookPoints, toInput(Tensor.Stack([.. samples.Select(s => s.Image)])), needOutput: false, "NetworkDissection").Activations;
            yield return (batch[0], samples, activations);
        }
    }

    /// <summary>Bilinear upsampling of [B, K, h, w] maps to the masks' size (PyTorch <c>interpolate(mode="bilinear")</c>).</summary>
    private static Tensor Upsample(Tensor activation, ConceptSet set)
    {
        using (GradMode.Off()) return activation.Resize(set.Height, set.Width);
    }
}
