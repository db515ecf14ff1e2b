using Lumen.Tensors;

namespace Lumen.NN;

/// <summary>Runs its children one after another, each through <see cref="Module.Call(Tensor)"/> (so their hooks fire).
/// Children are named "0", "1", … unless names are given.</summary>
/// <example><code>var mlp = new Sequential(new Linear(4, 8), new Relu(), new Linear(8, 2)); // names "0", "1", "2"</code></example>
public sealed class Sequential : Module, Layers.IContainer
{
    private readonly List<Module> layers = [];

    /// <summary>Creates a sequence named "0", "1", ….</summary>
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers) Append(layer);
    }

    /// <summary>Creates a sequence with the given child names.</summary>
    public Sequential(IEnumerable<(string Name, Module Module)> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var (name, layer) in layers) Append(name, layer);
    }

    /// <summary>Number of layers.</summary>
    public int Count => layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Module this[int index] => layers[index];

    /// <summary>Appends <paramref name="layer"/> named by its position; returns this sequence.</summary>
    public Sequential Append(Module layer) => Append(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);

    /// <summary>Appends <paramref name="layer"/> under <paramref name="name"/>; returns this sequence.</summary>
    public Sequential Append(string name, Module layer)
    {
        layers.Add(Register(name, layer));
        return this;
    }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        foreach (var layer in layers) x = layer.Call(x);
        return x;
    }
}
