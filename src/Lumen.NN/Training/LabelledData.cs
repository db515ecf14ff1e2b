using Lumen.Tensors;

namespace Lumen.NN.Training;

/// <summary>A labelled data set held in memory: inputs [Count, …SampleShape] row-major and one class label each.</summary>
/// <example><code>var (train, test) = Idx.LoadLabelledImages("data/mnist", 0.1307f, 0.3081f).Split(heldOut: 2000, seed: 1);</code></example>
public sealed class LabelledData
{
    /// <summary>Wraps <paramref name="inputs"/> (Count × product(sampleShape) values) and their labels.</summary>
    /// <exception cref="ArgumentException">The input count does not match the labels and the sample shape.</exception>
    public LabelledData(float[] inputs, long[] labels, int[] sampleShape)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(sampleShape);
        SampleSize = sampleShape.Aggregate(1, (a, d) => d > 0 ? a * d : throw new ArgumentException($"LabelledData: sample shape [{string.Join(", ", sampleShape)}] has a non-positive dimension.", nameof(sampleShape)));
        if (inputs.Length != labels.Length * SampleSize)
            throw new ArgumentException($"LabelledData: {inputs.Length} input values are not {labels.Length} samples of shape [{string.Join(", ", sampleShape)}].", nameof(inputs));
        Inputs = inputs;
        Labels = labels;
        SampleShape = [.. sampleShape];
    }

    /// <summary>The inputs, sample after sample.</summary>
    public float[] Inputs { get; }

    /// <summary>The class of each sample.</summary>
    public long[] Labels { get; }

    /// <summary>The shape of one sample, e.g. [1, 28, 28].</summary>
    public int[] SampleShape { get; }

    /// <summary>Values per sample.</summary>
    public int SampleSize { get; }

    /// <summary>The number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>The samples at <paramref name="indices"/>, in that order.</summary>
    public LabelledData Subset(ReadOnlySpan<int> indices)
    {
        var inputs = new float[indices.Length * SampleSize];
        var labels = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"LabelledData: index {indices[i]} is outside 0…{Count - 1}.");
            Inputs.AsSpan(indices[i] * SampleSize, SampleSize).CopyTo(inputs.AsSpan(i * SampleSize));
            labels[i] = Labels[indices[i]];
        }
        return new LabelledData(inputs, labels, SampleShape);
    }

    /// <summary>The first <paramref name="count"/> samples (all when there are fewer).</summary>
    public LabelledData Take(int count) => Subset([.. Enumerable.Range(0, Math.Clamp(count, 0, Count))]);

    /// <summary>Splits into (kept, held-out) after a seeded shuffle, holding out <paramref name="heldOut"/> samples.</summary>
    public (LabelledData Kept, LabelledData HeldOut) Split(int heldOut, int seed)
    {
        if (heldOut < 0 || heldOut > Count) throw new ArgumentOutOfRangeException(nameof(heldOut), $"LabelledData: cannot hold out {heldOut} of {Count} samples.");
        var order = Enumerable.Range(0, Count).ToArray();
        new Random(seed).Shuffle(order);
        return (Subset(order[heldOut..]), Subset(order[..heldOut]));
    }

    /// <summary>The same inputs with other labels (e.g. shuffled, for the data randomisation test).</summary>
    public LabelledData WithLabels(long[] labels) => new(Inputs, labels, SampleShape);

    /// <summary>The same labels with other inputs of the same size.</summary>
    public LabelledData WithInputs(float[] inputs) => new(inputs, Labels, SampleShape);

    /// <summary>Samples <paramref name="start"/> … <paramref name="start"/> + <paramref name="count"/> − 1 as a tensor [count, …].</summary>
    public Tensor InputTensor(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count) throw new ArgumentOutOfRangeException(nameof(count), $"LabelledData: samples {start}…{start + count - 1} are outside 0…{Count - 1}.");
        return Tensor.FromArray(Inputs.AsSpan(start * SampleSize, count * SampleSize).ToArray(), [count, .. SampleShape]);
    }
}
