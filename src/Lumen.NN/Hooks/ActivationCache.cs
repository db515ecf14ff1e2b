using Lumen.Tensors;

namespace Lumen.NN.Hooks;

/// <summary>Activations recorded by <see cref="Module.RunWithCache"/>, by module name, in the order produced.
/// A module called several times (or with several outputs) has several entries.</summary>
public sealed class ActivationCache
{
    private readonly OrderedDictionary<string, List<Tensor>> entries = new(StringComparer.Ordinal);

    /// <summary>The cached module names, in first-recorded order.</summary>
    public IEnumerable<string> Names => entries.Keys;

    /// <summary>Number of cached names.</summary>
    public int Count => entries.Count;

    /// <summary>The most recent activation recorded for <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">Nothing was recorded under that name; the message lists the names.</exception>
    public Tensor this[string name] => All(name)[^1];

    /// <summary>Every activation recorded for <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<Tensor> All(string name) =>
        entries.TryGetValue(name, out var list) ? list
            : throw new KeyNotFoundException($"ActivationCache: nothing recorded for '{name}'; recorded: {string.Join(", ", entries.Keys.Take(20))}{(entries.Count > 20 ? ", …" : "")}.");

    /// <summary>True when something was recorded for <paramref name="name"/>.</summary>
    public bool Contains(string name) => entries.ContainsKey(name);

    /// <summary>Records an activation under <paramref name="name"/>.</summary>
    public void Add(string name, Tensor activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        if (!entries.TryGetValue(name, out var list)) entries.Add(name, list = []);
        list.Add(activation);
    }
}
