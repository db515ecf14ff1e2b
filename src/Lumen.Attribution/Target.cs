using Lumen.Tensors;

namespace Lumen.Attribution;

/// <summary>
/// What is explained: a function from the model's output [B, …] to one scalar per sample [B], differentiable.
/// </summary>
/// <example><code>Target.Class(207); Target.Probability(207); Target.Classes([3, 5]); Target.Custom("margin", o => …);
/// Target.Neuron("layer4.1.conv2", 12, 3, 3); Target.Channel("layer4.1.conv2", 12)</code></example>
public abstract record Target
{
    /// <summary>Maps the value the target reads (the model output, or the activation at <see cref="Hook"/>) [B, …]
    /// to the explained score per sample [B].</summary>
    public abstract Tensor Select(Tensor output);

    /// <summary>The hook point whose activation the target reads, or null for the model output. Methods run the model
    /// with a forward hook there and pass that activation to <see cref="Select"/>.</summary>
    public virtual string? Hook => null;

    /// <summary>Whether <see cref="Select"/> keeps no tensor it is given or computes (the built-in class targets; a
    /// custom function might), so that a method may reuse a pass's storage once it has copied the scores.</summary>
    internal virtual bool KeepsNoTensors => false;

    /// <summary>The raw output (logit) of class <paramref name="index"/>, for every sample.</summary>
    public static Target Class(int index) => new ClassTarget([index], Softmax: false);

    /// <summary>The logit of one class per sample (<paramref name="indices"/>[b] for sample b).</summary>
    public static Target Classes(int[] indices) => new ClassTarget(indices, Softmax: false);

    /// <summary>Alias of <see cref="Class"/>: the pre-softmax score.</summary>
    public static Target Logit(int index) => Class(index);

    /// <summary>The softmax probability of class <paramref name="index"/> (for models that output logits).</summary>
    public static Target Probability(int index) => new ClassTarget([index], Softmax: true);

    /// <summary>Any differentiable function of the output returning one value per sample.</summary>
    public static Target Custom(string name, Func<Tensor, Tensor> select) => new CustomTarget(name, select);

    /// <summary>One unit of the activation at hook point <paramref name="hook"/>: the element at
    /// <paramref name="index"/> (all dimensions after the batch) of each sample (Captum's Neuron* methods).</summary>
    /// <example><code>Target.Neuron("features.3", 7, 2, 2) // channel 7 at row 2, column 2 of a [B, C, H, W] activation</code></example>
    public static Target Neuron(string hook, params int[] index)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentNullException.ThrowIfNull(index);
        if (index.Length == 0) throw new ArgumentException("Target.Neuron: give the neuron's index along every dimension after the batch.", nameof(index));
        return new NeuronTarget(hook, index);
    }

    /// <summary>The sum of channel <paramref name="channel"/> (dimension 1) of the activation at hook point
    /// <paramref name="hook"/>, per sample: Σ_{h,w} A[b, c, h, w].</summary>
    public static Target Channel(string hook, int channel)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        return new ChannelTarget(hook, channel);
    }

    /// <summary>The same target for <paramref name="copies"/> copies of a batch of <paramref name="samples"/> samples
    /// stacked along the batch axis (row r is a copy of sample r mod <paramref name="samples"/>): per-sample targets
    /// are tiled, the rest are unchanged. Lets callers explain many perturbed copies of a batch in one call.</summary>
    /// <example><code>method.Explain(Tensor.Concat([x1, x2]), target.Tiled(x1.Shape[0], 2))</code></example>
    public Target Tiled(int samples, int copies)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(copies, 1);
        return ForRows([.. Enumerable.Range(0, samples * copies).Select(r => r % samples)]);
    }

    /// <summary>The same target for an expanded batch in which row r belongs to sample <paramref name="sampleOfRow"/>[r]
    /// (steps or noise samples of each input). Per-sample targets are re-indexed; the rest are unchanged.</summary>
    internal virtual Target ForRows(int[] sampleOfRow) => this;

    /// <summary>Flattens the output to [B, K] (a [B, K, 1, 1] classifier head becomes [B, K]).</summary>
    internal static Tensor Flatten(Tensor output)
    {
        if (output.Rank == 0) throw new ArgumentException("Target: the model output is a scalar; expected a batch dimension [B, …].");
        return output.Reshape(output.Shape[0], -1);
    }
}

/// <summary>Selects class columns of the flattened output, optionally after a softmax.</summary>
internal sealed record ClassTarget(int[] Indices, bool Softmax) : Target
{
    internal override bool KeepsNoTensors => true;

    public override Tensor Select(Tensor output)
    {
        var flat = Flatten(output); // [B, K]
        int batch = flat.Shape[0], classes = flat.Shape[1];
        if (Indices.Length != 1 && Indices.Length != batch)
            throw new ArgumentException($"Target.Classes: {Indices.Length} class indices for a batch of {batch}.");
        var mask = new float[batch * classes];
        for (int b = 0; b < batch; b++)
        {
            int c = Indices.Length == 1 ? Indices[0] : Indices[b];
            if (c < 0 || c >= classes) throw new ArgumentOutOfRangeException(nameof(output), $"Target.Class: class {c} is out of range for an output with {classes} classes (shape {output.Shape}).");
            mask[b * classes + c] = 1f;
        }
        var scores = Softmax ? (flat - flat.LogSumExp(1, keepDims: true)).Exp() : flat;
        return (scores * Tensor.FromArray(mask, batch, classes)).Sum(1); // [B]
    }

    internal override Target ForRows(int[] sampleOfRow) =>
        Indices.Length == 1 ? this : this with { Indices = [.. sampleOfRow.Select(s => Indices[s])] };

    public override string ToString() => (Softmax ? "probability " : "class ") + string.Join(",", Indices);
}

/// <summary>A user-supplied scoring function.</summary>
internal sealed record CustomTarget(string Name, Func<Tensor, Tensor> Function) : Target
{
    public override Tensor Select(Tensor output)
    {
        var score = Function(output);
        if (score.Rank != 1 || score.Shape[0] != output.Shape[0])
            throw new ArgumentException($"Target.Custom '{Name}': must return one value per sample, shape [{output.Shape[0]}], got {score.Shape}.");
        return score;
    }

    public override string ToString() => Name;
}

/// <summary>One element of a hooked activation per sample.</summary>
internal sealed record NeuronTarget(string HookName, int[] Index) : Target
{
    public override string? Hook => HookName;

    public override Tensor Select(Tensor output)
    {
        if (output.Rank != Index.Length + 1)
            throw new ArgumentException($"Target.Neuron: index [{string.Join(", ", Index)}] has {Index.Length} dimensions but '{HookName}' produces {output.Shape} ({output.Rank - 1} after the batch).");
        int flat = 0;
        for (int d = 0; d < Index.Length; d++)
        {
            int size = output.Shape[d + 1];
            if (Index[d] < 0 || Index[d] >= size)
                throw new ArgumentOutOfRangeException(nameof(output), $"Target.Neuron: index {Index[d]} is out of range for dimension {d + 1} of '{HookName}' {output.Shape}.");
            flat = flat * size + Index[d];
        }
        int batch = output.Shape[0], row = output.Size / Math.Max(batch, 1);
        var mask = new float[row];
        mask[flat] = 1f;
        return (output.Reshape(batch, row) * Tensor.FromArray(mask, 1, row)).Sum(1); // [B]
    }

    public override string ToString() => $"neuron {HookName}[{string.Join(", ", Index)}]";
}

/// <summary>The sum of one channel of a hooked activation per sample.</summary>
internal sealed record ChannelTarget(string HookName, int ChannelIndex) : Target
{
    public override string? Hook => HookName;

    public override Tensor Select(Tensor output)
    {
        if (output.Rank < 2 || ChannelIndex >= output.Shape[1])
            throw new ArgumentOutOfRangeException(nameof(output), $"Target.Channel: channel {ChannelIndex} is out of range for '{HookName}' {output.Shape}.");
        int batch = output.Shape[0], channels = output.Shape[1], plane = output.Size / Math.Max(batch * channels, 1);
        var mask = new float[channels];
        mask[ChannelIndex] = 1f;
        var perChannel = output.Reshape(batch, channels, plane).Sum(2); // [B, C]
        return (perChannel * Tensor.FromArray(mask, 1, channels)).Sum(1); // [B]
    }

    public override string ToString() => $"channel {HookName}[{ChannelIndex}]";
}
