using System.Reflection;
using Lumen.NN;
using Module = Lumen.NN.Module;

namespace Lumen.Attribution;

/// <summary>
/// How a catalog method is built from its options records: a factory of fresh default records (so defaults read at
/// creation, such as <see cref="Common.Batching.DefaultMemoryBudgetBytes"/>, follow their scope), the constructor that
/// takes them, and the settable options those records expose — their init-only properties of a type that
/// <see cref="MethodSettings"/> can parse, with properties of nested <c>…Options</c> records (Score-CAM's
/// <c>Cam</c>) listed under their own names.
/// </summary>
/// <remarks>A wrapper may expose its inner method's record too: SmoothGrad lists its own options and Saliency's
/// (<c>smooth-grad.samples=10</c>, <c>smooth-grad.absolute=false</c>). Two records may not share an option name.
/// A setting is applied by reflection on the fresh record (init setters are ordinary setters at run time); nothing
/// is cached, and an unknown option, an unparsable value or one out of range throws naming all of them.</remarks>
/// <example><code>MethodOptions.Of(() => new IntegratedGradientsOptions(), (model, o) => new IntegratedGradients(model, o))</code></example>
public sealed class MethodOptions
{
    private readonly Func<object>[] defaults;
    private readonly Func<Module, object[], IAttributionMethod> create;
    private readonly (string Alias, string Option)[] aliases;

    private MethodOptions(Func<object>[] defaults, Func<Module, object[], IAttributionMethod> create, (string, string)[]? aliases = null) =>
        (this.defaults, this.create, this.aliases) = (defaults, create, aliases ?? []);

    /// <summary>The same options, with other accepted names for some of them (e.g. <c>("sigma", "noise-level")</c>).</summary>
    public MethodOptions WithAliases(params (string Alias, string Option)[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return new(defaults, create, [.. aliases, .. names]);
    }

    /// <summary>A method without options (its listing is explicitly empty).</summary>
    public static MethodOptions None(Func<Module, IAttributionMethod> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        return new([], (model, _) => create(model));
    }

    /// <summary>A method built from one options record.</summary>
    public static MethodOptions Of<T>(Func<T> defaults, Func<Module, T, IAttributionMethod> create) where T : class
    {
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(create);
        return new([defaults], (model, records) => create(model, (T)records[0]));
    }

    /// <summary>A wrapper built from its own options record and its inner method's.</summary>
    public static MethodOptions Of<T, TInner>(Func<T> defaults, Func<TInner> innerDefaults, Func<Module, T, TInner, IAttributionMethod> create)
        where T : class where TInner : class
    {
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(innerDefaults);
        ArgumentNullException.ThrowIfNull(create);
        return new([defaults, innerDefaults], (model, records) => create(model, (T)records[0], (TInner)records[1]));
    }

    /// <summary>The settable options with their types and current defaults, in declaration order.</summary>
    public IReadOnlyList<MethodOption> List() => [.. Slots(Fresh()).Select(s => s.Option)];

    /// <summary>Builds the method for <paramref name="model"/> with <paramref name="settings"/> applied to fresh
    /// default records; <paramref name="method"/> names it in errors.</summary>
    internal IAttributionMethod Create(Module model, string method, IReadOnlyList<MethodSetting> settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        var records = Fresh();
        if (settings.Count == 0) return create(model, records);
        var slots = Slots(records);
        foreach (var setting in settings) Apply(slots, method, setting);
        try { return create(model, records); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new ArgumentException($"{method}: the settings {string.Join(", ", settings)} are not accepted: {e.Message}", e);
        }
    }

    /// <summary>Throws as <see cref="Create"/> would for an unknown option or a bad value, without building anything.</summary>
    internal void Check(string method, MethodSetting setting) => Apply(Slots(Fresh()), method, setting);

    private object[] Fresh() => [.. defaults.Select(d => d() ?? throw new InvalidOperationException("MethodOptions: a defaults factory returned null."))];

    /// <summary>A settable option: the record holding it, the property chain from the top record, and its listing.</summary>
    private sealed record Slot(object Top, PropertyInfo[] Path, MethodOption Option)
    {
        public PropertyInfo Property => Path[^1];
    }

    private List<Slot> Slots(object[] records)
    {
        var slots = new List<Slot>();
        foreach (var record in records) Collect(record, record, [], slots);
        foreach (var (alias, option) in aliases)
        {
            int i = slots.FindIndex(s => s.Option.IsNamed(option));
            if (i < 0) throw new InvalidOperationException($"MethodOptions: the alias '{alias}' names no option '{option}'.");
            slots[i] = slots[i] with { Option = slots[i].Option with { Aliases = [.. slots[i].Option.Aliases, alias] } };
        }
        var clash = slots.SelectMany(s => s.Option.Aliases.Append(s.Option.Name).Select(n => (Name: OptionText.Normalise(n), s.Option.Record)))
            .GroupBy(n => n.Name).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null) throw new InvalidOperationException($"MethodOptions: the option name '{clash.Key}' is used twice, by {string.Join(" and ", clash.Select(n => n.Record))}.");
        return slots;
    }

    private static void Collect(object top, object record, PropertyInfo[] path, List<Slot> slots)
    {
        foreach (var p in record.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.SetMethod is not { IsPublic: true } || p.GetIndexParameters().Length > 0) continue;
            if (OptionText.Supports(p.PropertyType))
            {
                var value = p.GetValue(record);
                var text = OptionText.Format(value);
                if (text is null) continue; // e.g. a tensor baseline given in code: no text form, so not settable here
                slots.Add(new Slot(top, [.. path, p], new MethodOption(OptionText.Kebab(p.Name), OptionText.Describe(p.PropertyType), text, record.GetType().Name)));
            }
            else if (IsNestedOptions(p.PropertyType) && p.GetValue(record) is { } nested)
                Collect(top, nested, [.. path, p], slots);
        }
    }

    private static bool IsNestedOptions(Type type) =>
        type.IsClass && type.IsSealed && type.Assembly == typeof(MethodOptions).Assembly && type.Name.EndsWith("Options", StringComparison.Ordinal);

    private static void Apply(List<Slot> slots, string method, MethodSetting setting)
    {
        var slot = slots.FirstOrDefault(s => s.Option.IsNamed(setting.Option))
            ?? throw new ArgumentException($"{method}.{setting.Option}={setting.Value}: {method} has no option '{setting.Option}'. {Listing(method, slots)}");
        // Walk to the record that holds the property, cloning nested records so a shared default is never changed.
        object holder = slot.Top;
        foreach (var p in slot.Path[..^1])
        {
            var nested = p.GetValue(holder)!;
            var copy = nested.GetType().GetMethod("<Clone>$")?.Invoke(nested, null) ?? nested;
            p.SetValue(holder, copy);
            holder = copy;
        }
        object? value;
        try { value = OptionText.Parse(slot.Property.PropertyType, setting.Value, slot.Property.GetValue(holder)); }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            var expected = e is FormatException f ? f.Message : e.Message;
            throw new ArgumentException($"{method}.{slot.Option.Name}={setting.Value}: cannot read '{setting.Value}' as {slot.Option.Type} (expected {expected}). {Listing(method, slots)}", e);
        }
        if (OptionText.RangeViolation(slot.Property.Name, value) is string range)
            throw new ArgumentException($"{method}.{slot.Option.Name}={setting.Value}: out of range, {slot.Option.Name} must be {range}. {Listing(method, slots)}");
        slot.Property.SetValue(holder, value);
    }

    private static string Listing(string method, List<Slot> slots) => slots.Count == 0
        ? $"{method} has no settable options."
        : $"Options of {method}: {string.Join("; ", slots.Select(s => $"{s.Option.Name}{(s.Option.Aliases.Count > 0 ? " or " + string.Join(" or ", s.Option.Aliases) : "")} ({s.Option.Type}, default {s.Option.Default})"))}.";
}
