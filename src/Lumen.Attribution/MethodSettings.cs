namespace Lumen.Attribution;

/// <summary>
/// Per-method options given as text, <c>method.option=value</c> (e.g. <c>ig.steps=100</c>,
/// <c>occlusion.window=8</c>, <c>lime.mask=slic:50</c>), as <c>lumen explain --set</c> takes them. The method is a
/// catalog name or alias and the option a kebab-case or PascalCase property name, both case-insensitive; the value
/// is read as the option's type (<see cref="MethodOptions"/>, <c>lumen methods --options NAME</c>).
/// </summary>
/// <remarks>Everything is checked when parsed: an unknown method, an unknown option, a value that does not parse or
/// is out of range throws an <see cref="ArgumentException"/> naming the method, the option and the value and listing
/// the method's options with their types and defaults. Nothing is ignored. When an option is set twice the last
/// value wins.</remarks>
/// <example><code>
/// var settings = MethodSettings.Parse(["ig.steps=100", "occlusion.window=8"]);
/// var ig = KnownAttributionMethods.Find("ig").Create(model, settings);
/// </code></example>
public sealed class MethodSettings
{
    /// <summary>No settings: every method keeps its defaults.</summary>
    public static MethodSettings None { get; } = new([]);

    private MethodSettings(IReadOnlyList<MethodSetting> items) => Items = items;

    /// <summary>The settings in canonical form (catalog name, kebab-case option), in the order given, one per option.</summary>
    public IReadOnlyList<MethodSetting> Items { get; }

    /// <summary>Whether no option is set.</summary>
    public bool IsEmpty => Items.Count == 0;

    /// <summary>The catalog names of the methods that have settings.</summary>
    public IReadOnlyList<string> Methods => [.. Items.Select(s => s.Method).Distinct()];

    /// <summary>The settings of the method named <paramref name="method"/> (its catalog name).</summary>
    public IReadOnlyList<MethodSetting> For(string method) => [.. Items.Where(s => string.Equals(s.Method, method, StringComparison.Ordinal))];

    /// <summary>Parses and checks <c>method.option=value</c> assignments against the catalog.</summary>
    public static MethodSettings Parse(IEnumerable<string> assignments)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        var items = new List<MethodSetting>();
        foreach (var assignment in assignments)
        {
            var setting = ParseOne(assignment);
            items.RemoveAll(s => s.Method == setting.Method && s.Option == setting.Option);
            items.Add(setting);
        }
        return items.Count == 0 ? None : new MethodSettings(items);
    }

    /// <summary>Throws unless every method with settings is among <paramref name="methods"/> (catalog names): a setting
    /// for a method that does not run would otherwise be silently ignored.</summary>
    public void RequireAmong(IEnumerable<string> methods)
    {
        ArgumentNullException.ThrowIfNull(methods);
        var run = methods.ToList();
        var stray = Items.FirstOrDefault(s => !run.Contains(s.Method, StringComparer.Ordinal));
        if (stray is not null)
            throw new ArgumentException($"{stray}: {stray.Method} is not among the methods to run ({string.Join(", ", run)}); add it to the methods or drop the setting.");
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(" ", Items);

    private static MethodSetting ParseOne(string assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        int equals = assignment.IndexOf('=', StringComparison.Ordinal);
        int dot = equals < 0 ? -1 : assignment.LastIndexOf('.', equals);
        if (equals < 0 || dot <= 0 || dot + 1 >= equals)
            throw new ArgumentException($"Method setting '{assignment}': expected METHOD.OPTION=VALUE, e.g. ig.steps=100 (see `lumen methods --options METHOD`).");
        AttributionMethodInfo info;
        try { info = KnownAttributionMethods.Find(assignment[..dot].Trim()); }
        catch (ArgumentException e) { throw new ArgumentException($"Method setting '{assignment}': {e.Message}", e); }
        var option = assignment[(dot + 1)..equals].Trim();
        var value = assignment[(equals + 1)..].Trim();
        var canonical = info.Options.List().FirstOrDefault(o => o.IsNamed(option))?.Name ?? option;
        var setting = new MethodSetting(info.Name, canonical, value);
        info.Options.Check(info.Name, setting);
        return setting;
    }
}
