using System.Text;
using Lumen.Tensors;

namespace Lumen.NN;

/// <summary>The tree of a module: registered submodules, parameters and buffers, their dotted names,
/// train/eval mode and the state dictionary.</summary>
public abstract partial class Module
{
    private readonly List<(string Name, Module Module)> children = [];
    private readonly List<(string Name, Parameter Parameter)> parameters = [];
    private readonly List<(string Name, Tensor Tensor)> buffers = [];

    /// <summary>The dotted path of this module from the root that holds it (e.g. <c>layer3.0.relu</c>);
    /// empty for a root. Stamped whenever the module, or one of its ancestors, is registered.</summary>
    public string Name { get; private set; } = "";

    /// <summary>True in training mode (dropout active, batch norm using batch statistics); see <see cref="Train"/>.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>The direct submodules with their local names, in registration order.</summary>
    public IReadOnlyList<(string Name, Module Module)> Children => children;

    /// <summary>Registers <paramref name="module"/> as the child <paramref name="name"/> and returns it.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains a dot, or is already taken.</exception>
    protected T Register<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckNewName(name);
        if (ReferenceEquals(module, this)) throw new ArgumentException($"{Describe()}: cannot register a module as its own child '{name}'.", nameof(module));
        children.Add((name, module));
        module.Stamp(Join(Name, name));
        return module;
    }

    /// <summary>Registers a learnable tensor as the parameter <paramref name="name"/> and returns it.</summary>
    protected Parameter RegisterParameter(string name, Tensor value)
    {
        CheckNewName(name);
        var parameter = new Parameter(value, Join(Name, name));
        parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>Registers a non-learnable state tensor (e.g. batch-norm running statistics) saved in the
    /// state dictionary, and returns it.</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CheckNewName(name);
        buffers.Add((name, value));
        return value;
    }

    /// <summary>This module (named "") and every descendant, depth-first in registration order, each once,
    /// with names relative to this module.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(string, Module)>();
        stack.Push(("", this));
        while (stack.Count > 0)
        {
            var (name, module) = stack.Pop();
            if (!seen.Add(module)) continue;
            yield return (name, module);
            for (int i = module.children.Count - 1; i >= 0; i--)
                stack.Push((Join(name, module.children[i].Name), module.children[i].Module));
        }
    }

    /// <summary>Every parameter of this module and its descendants, each once, with dotted names relative to this module.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, module) in NamedModules())
            foreach (var (name, parameter) in module.parameters)
                if (seen.Add(parameter)) yield return (Join(prefix, name), parameter);
    }

    /// <summary>Every parameter of this module and its descendants, each once.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Every buffer of this module and its descendants with dotted names relative to this module.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedBuffers()
    {
        foreach (var (prefix, module) in NamedModules())
            foreach (var (name, buffer) in module.buffers)
                yield return (Join(prefix, name), buffer);
    }

    /// <summary>Sets training mode on this module and all descendants; returns this module.</summary>
    public Module Train(bool training = true)
    {
        foreach (var (_, module) in NamedModules()) module.Training = training;
        return this;
    }

    /// <summary>Sets evaluation mode (<c>Train(false)</c>) on this module and all descendants; returns this module.</summary>
    public Module Eval() => Train(false);

    /// <summary>Parameters then buffers by dotted name (module order), sharing storage with the module (no copy).</summary>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        var state = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (prefix, module) in NamedModules())
        {
            foreach (var (name, parameter) in module.parameters) state.TryAdd(Join(prefix, name), parameter.Value.Detach());
            foreach (var (name, buffer) in module.buffers) state.TryAdd(Join(prefix, name), buffer);
        }
        return state;
    }

    /// <summary>Copies values into this module's parameters and buffers, in place.</summary>
    /// <param name="state">Tensors by dotted name, as produced by <see cref="StateDict"/> or a safetensors file.</param>
    /// <param name="strict">When true, a missing or unexpected name is an error; otherwise such names are skipped.</param>
    /// <exception cref="ArgumentException">A shape or dtype differs, or (strict) names do not match; the message lists them.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var targets = StateDict();
        if (strict)
        {
            var missing = targets.Keys.Where(k => !state.ContainsKey(k)).ToList();
            var unexpected = state.Keys.Where(k => !targets.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException($"LoadStateDict: {Describe()} state does not match: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}].", nameof(state));
        }
        var readOnly = targets.Where(t => t.Value.IsReadOnly && state.ContainsKey(t.Key)).Select(t => t.Key).ToList();
        if (readOnly.Count > 0)
            throw new InvalidOperationException($"LoadStateDict: {Describe()} has read-only weights (a loaded model's are), [{string.Join(", ", readOnly.Take(5))}{(readOnly.Count > 5 ? ", …" : "")}]; call MakeWeightsWritable() first.");
        foreach (var (name, target) in targets)
        {
            if (!state.TryGetValue(name, out var source)) continue;
            if (source.Shape != target.Shape || source.DType != target.DType)
                throw new ArgumentException($"LoadStateDict: '{name}' is {target.DType} {target.Shape} in {Describe()} but {source.DType} {source.Shape} in the state.", nameof(state));

            switch (target.DType)
            {
                case DType.Float32: source.AsReadOnlySpan().CopyTo(target.AsSpan()); break;
                case DType.Int64: source.AsInt64Span().CopyTo(target.AsInt64Span()); break;
                default: source.AsBoolSpan().CopyTo(target.AsBoolSpan()); break;
            }
        }
    }

    /// <summary>The module tree, one line per module: <c>(name) Type  param [shape], …</c>, children indented.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        AppendTree(text, "", 0);
        return text.ToString().TrimEnd();
    }

    private void AppendTree(StringBuilder text, string label, int depth)
    {
        text.Append(' ', 2 * depth);
        if (label.Length > 0) text.Append('(').Append(label).Append(") ");
        text.Append(GetType().Name);
        if (parameters.Count > 0) text.Append("  ").AppendJoin(", ", parameters.Select(p => $"{p.Name} {p.Parameter.Shape}"));
        text.AppendLine();
        foreach (var (name, child) in children) child.AppendTree(text, name, depth + 1);
    }

    /// <summary>The type and dotted name, for messages: <c>Conv2d 'layer1.0.conv1'</c>.</summary>
    protected string Describe() => Name.Length == 0 ? GetType().Name : $"{GetType().Name} '{Name}'";

    private void Stamp(string path)
    {
        foreach (var (prefix, module) in NamedModules())
        {
            module.Name = Join(path, prefix);
            foreach (var (name, parameter) in module.parameters) parameter.Name = Join(module.Name, name);
        }
    }

    private void CheckNewName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Contains('.', StringComparison.Ordinal))
            throw new ArgumentException($"{Describe()}: member name '{name}' must be non-empty and contain no '.'.", nameof(name));
        if (children.Any(c => c.Name == name) || parameters.Any(p => p.Name == name) || buffers.Any(b => b.Name == name))
            throw new ArgumentException($"{Describe()}: a member named '{name}' is already registered.", nameof(name));
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : name.Length == 0 ? prefix : prefix + "." + name;
}
