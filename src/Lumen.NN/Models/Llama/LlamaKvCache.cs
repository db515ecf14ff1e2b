using Lumen.Tensors;

namespace Lumen.NN.Models.Llama;

/// <summary>The keys and values of every layer for the tokens seen so far, so that generation runs each new token
/// through the model once instead of re-running the whole prefix.</summary>
/// <remarks>Keys are stored after the rotary embedding, per layer as <c>[B, KvHeads, T, HeadDim]</c>; a forward pass
/// with the cache attends over the stored positions plus its own and then appends its keys and values.</remarks>
/// <example><code>var cache = new LlamaKvCache(model.Config.Layers); var logits = model.Forward(prompt, cache); logits = model.Forward(next, cache);</code></example>
public sealed class LlamaKvCache
{
    private readonly Tensor?[] keys, values;

    /// <summary>An empty cache for a model with <paramref name="layers"/> blocks.</summary>
    public LlamaKvCache(int layers)
    {
        if (layers <= 0) throw new ArgumentOutOfRangeException(nameof(layers), $"LlamaKvCache: layers must be positive, got {layers}.");
        keys = new Tensor?[layers];
        values = new Tensor?[layers];
    }

    /// <summary>Number of layers.</summary>
    public int Layers => keys.Length;

    /// <summary>Number of positions stored (in the last layer, which is written last).</summary>
    public int Length => Positions(keys.Length - 1);

    /// <summary>Number of positions stored for <paramref name="layer"/>.</summary>
    public int Positions(int layer) => keys[layer]?.Shape[2] ?? 0;

    /// <summary>Appends this step's keys and values <c>[B, KvHeads, T, HeadDim]</c> for <paramref name="layer"/> and
    /// returns all stored keys and values including them.</summary>
    /// <exception cref="ArgumentException">The batch, head or size dimensions differ from what is stored.</exception>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor newKeys, Tensor newValues)
    {
        ArgumentNullException.ThrowIfNull(newKeys);
        ArgumentNullException.ThrowIfNull(newValues);
        if ((uint)layer >= (uint)keys.Length) throw new ArgumentOutOfRangeException(nameof(layer), $"LlamaKvCache: layer {layer} is outside 0..{keys.Length - 1}.");
        var stored = keys[layer];
        if (stored is not null && (stored.Shape[0] != newKeys.Shape[0] || stored.Shape[1] != newKeys.Shape[1] || stored.Shape[3] != newKeys.Shape[3]))
            throw new ArgumentException($"LlamaKvCache: layer {layer} holds keys {stored.Shape} but got {newKeys.Shape}.", nameof(newKeys));
        keys[layer] = stored is null ? newKeys : Tensor.Concat([stored, newKeys], axis: 2);
        values[layer] = values[layer] is { } v ? Tensor.Concat([v, newValues], axis: 2) : newValues;
        return (keys[layer]!, values[layer]!);
    }

    /// <summary>Forgets every stored position.</summary>
    public void Clear()
    {
        Array.Clear(keys);
        Array.Clear(values);
    }
}
