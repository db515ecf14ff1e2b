using System.Globalization;
using System.Numerics;
using Lumen.Attribution.Common;
using Lumen.Attribution.Perturbation;
using Lumen.Attribution.Propagation;

namespace Lumen.Attribution;

/// <summary>
/// The text form of an option value, both ways: what <see cref="MethodSettings"/> parses from <c>name.option=value</c>
/// and what <see cref="MethodOptions"/> shows as a default. Every supported type formats to a text that parses back
/// to an equal value, so "set an option to its listed default" never changes a result.
/// </summary>
/// <remarks>
/// Supported: int, long, float, double, bool (true/false, yes/no, on/off, 1/0), enums (by name, case and dashes
/// ignored), string, <c>Nullable</c> of those (<c>auto</c> is null), int[] (<c>8</c>, <c>8x8</c> or <c>8,8</c>; a
/// single value fills the default's length), lists of double (<c>0.05,0.1</c>), <see cref="Baseline"/>
/// (<c>zero</c>, <c>constant:V</c>, <c>blur:σ</c>, <c>uniform[:low:high[:seed]]</c>), lists of baselines (comma-separated,
/// or <c>distribution:N</c>), <see cref="FeatureMask"/> (<c>elements</c>, <c>pixels</c>, <c>grid:N</c>, <c>grid:HxW</c>,
/// <c>slic:N[:compactness]</c>), <see cref="AttributeTo"/> (<c>input</c>, <c>layer:HOOK</c>) and a
/// <see cref="Composite"/> by its <see cref="Composites.Known"/> name.
/// </remarks>
internal static class OptionText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Whether options of <paramref name="type"/> can be set from text.</summary>
    public static bool Supports(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(int) || t == typeof(long) || t == typeof(float) || t == typeof(double) || t == typeof(bool) || t.IsEnum
            || t == typeof(string) || t == typeof(int[]) || t == typeof(IReadOnlyList<double>) || t == typeof(Baseline)
            || t == typeof(IReadOnlyList<Baseline>) || t == typeof(FeatureMask) || t == typeof(AttributeTo) || t == typeof(Composite);
    }

    /// <summary>A short description of the accepted text for help listings, e.g. <c>int</c> or <c>zero|constant:V|…</c>.</summary>
    public static string Describe(Type type)
    {
        var inner = Nullable.GetUnderlyingType(type);
        if (inner is not null) return Describe(inner) + "|auto";
        if (type.IsEnum) return string.Join("|", Enum.GetNames(type).Select(Kebab));
        if (type == typeof(int[])) return "int[] (8, 8x8 or 8,8)";
        if (type == typeof(IReadOnlyList<double>)) return "double list (a,b,…)";
        if (type == typeof(Baseline)) return "baseline (zero|constant:V|blur:SIGMA|uniform[:LOW:HIGH[:SEED]])";
        if (type == typeof(IReadOnlyList<Baseline>)) return "baselines (B1,B2,… or distribution:N)";
        if (type == typeof(FeatureMask)) return "mask (elements|pixels|grid:N|grid:HxW|slic:N[:COMPACTNESS])";
        if (type == typeof(AttributeTo)) return "input|layer:HOOK";
        if (type == typeof(Composite)) return string.Join("|", Composites.Known.Keys);
        return type == typeof(string) ? "string|auto" : type.Name.ToLowerInvariant() switch { "int32" => "int", "int64" => "long (K, M, G suffixes)", "single" => "float", "boolean" => "bool", var n => n };
    }

    /// <summary>The text of <paramref name="value"/>, which <see cref="Parse"/> reads back; null when the value has no
    /// text form (a tensor baseline or mask, a composite not in <see cref="Composites.Known"/>).</summary>
    public static string? Format(object? value) => value switch
    {
        null => "auto",
        bool b => b ? "true" : "false",
        float f => f.ToString("R", Invariant),
        double d => d.ToString("R", Invariant),
        Enum e => Kebab(e.ToString()),
        int[] a => string.Join("x", a.Select(v => v.ToString(Invariant))),
        IReadOnlyList<double> list => string.Join(",", list.Select(v => v.ToString("R", Invariant))),
        Baseline b => b.Text,
        IReadOnlyList<Baseline> list => list.Any(b => b.Text is null) ? null : string.Join(",", list.Select(b => b.Text)),
        FeatureMask m => m.Text,
        AttributeTo a => a.Hook is string hook ? "layer:" + hook : "input",
        Composite c => Composites.Known.ContainsKey(c.Name) ? c.Name : null,
        IFormattable x => x.ToString(null, Invariant),
        _ => value.ToString(),
    };

    /// <summary>Parses <paramref name="text"/> as a value of <paramref name="type"/>; <paramref name="current"/> (the
    /// value it replaces) gives the length a single number fills in an int[]. Throws <see cref="FormatException"/> with
    /// what was expected.</summary>
    public static object? Parse(Type type, string text, object? current)
    {
        text = text.Trim();
        var inner = Nullable.GetUnderlyingType(type);
        bool nullable = inner is not null || !type.IsValueType;
        if (nullable && type != typeof(string) && text.Length == 0) throw new FormatException("an empty value");
        if (nullable && string.Equals(text, "auto", StringComparison.OrdinalIgnoreCase) && (inner is not null || type == typeof(string))) return null;
        var t = inner ?? type;
        if (t == typeof(int)) return int.Parse(text, NumberStyles.Integer, Invariant);
        if (t == typeof(long)) return ParseLong(text);
        if (t == typeof(float)) return Finite(float.Parse(text, NumberStyles.Float, Invariant));
        if (t == typeof(double)) return Finite(double.Parse(text, NumberStyles.Float, Invariant));
        if (t == typeof(bool)) return ParseBool(text);
        if (t.IsEnum) return ParseEnum(t, text);
        if (t == typeof(string)) return text;
        if (t == typeof(int[])) return ParseInts(text, (current as int[])?.Length ?? 1);
        if (t == typeof(IReadOnlyList<double>)) return (IReadOnlyList<double>)[.. List(text).Select(v => Finite(double.Parse(v, NumberStyles.Float, Invariant)))];
        if (t == typeof(Baseline)) return ParseBaseline(text);
        if (t == typeof(IReadOnlyList<Baseline>)) return ParseBaselines(text);
        if (t == typeof(FeatureMask)) return ParseMask(text);
        if (t == typeof(AttributeTo)) return ParseAttributeTo(text);
        if (t == typeof(Composite)) return Composites.Known.TryGetValue(text, out var make) ? make() : throw new FormatException($"an LRP composite ({Describe(t)})");
        throw new FormatException($"a value of an unsupported type {type.Name}");
    }

    /// <summary>Bounds of the options whose names mean a count, a size or a probability, shared by every record:
    /// (normalised name, lowest, highest).</summary>
    private static readonly (string Name, double Min, double Max)[] Ranges =
    [
        ("steps", 1, int.MaxValue), ("samples", 1, int.MaxValue), ("masks", 1, int.MaxValue), ("cells", 1, int.MaxValue),
        ("maskstride", 1, int.MaxValue), ("batchsize", 1, int.MaxValue), ("memorybudgetbytes", 1, long.MaxValue),
        ("window", 1, int.MaxValue), ("strides", 1, int.MaxValue), ("probability", 0, 1), ("areas", double.Epsilon, 1),
        ("noiselevel", 0, double.MaxValue), ("noise", 0, double.MaxValue), ("learningrate", double.Epsilon, double.MaxValue),
        ("areaweight", 0, double.MaxValue), ("areaweightgrowth", 0, double.MaxValue), ("tvweight", 0, double.MaxValue),
        ("tvexponent", 0, double.MaxValue), ("masksmoothing", 0, double.MaxValue),
    ];

    /// <summary>Why <paramref name="value"/> is out of range for the option <paramref name="property"/> (e.g. "≥ 1"), or
    /// null when it is in range or the option has no bounds. A constructor's own checks still run after this.</summary>
    public static string? RangeViolation(string property, object? value)
    {
        var key = Normalise(property);
        var bounds = Ranges.FirstOrDefault(r => r.Name == key);
        if (bounds.Name is null || value is null) return null;
        IEnumerable<double> numbers = value switch
        {
            int i => [i], long l => [l], float f => [f], double d => [d],
            int[] a => a.Select(v => (double)v), IReadOnlyList<double> list => list,
            _ => [],
        };
        var all = numbers.ToList();
        if (value is int[] or IReadOnlyList<double> && all.Count == 0) return "a non-empty list";
        if (all.All(v => v >= bounds.Min && v <= bounds.Max)) return null;
        bool open = bounds.Min == double.Epsilon; // positive: 0 excluded
        string min = open ? "0" : bounds.Min.ToString(Invariant), max = bounds.Max.ToString(Invariant);
        return bounds.Max >= int.MaxValue ? (open ? "> 0" : $"≥ {min}") : $"in {(open ? "(" : "[")}{min}, {max}]";
    }

    /// <summary>PascalCase → kebab-case (<c>MemoryBudgetBytes</c> → <c>memory-budget-bytes</c>).</summary>
    public static string Kebab(string name)
    {
        var chars = new List<char>(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])))) chars.Add('-');
            chars.Add(char.ToLowerInvariant(c));
        }
        return new string([.. chars]);
    }

    /// <summary>The form names are compared in: lower case without dashes or underscores.</summary>
    public static string Normalise(string name) => name.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private static long ParseLong(string text)
    {
        // Memory budgets read more easily with a binary suffix: 512M, 2G.
        long scale = char.ToUpperInvariant(text[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
        return checked(long.Parse(scale == 1 ? text : text[..^1], NumberStyles.Integer, Invariant) * scale);
    }

    private static T Finite<T>(T value) where T : IFloatingPointIeee754<T> =>
        T.IsFinite(value) ? value : throw new FormatException("a finite number");

    private static bool ParseBool(string text) => text.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" or "1" => true,
        "false" or "no" or "off" or "0" => false,
        _ => throw new FormatException("true or false"),
    };

    private static object ParseEnum(Type type, string text)
    {
        var match = Enum.GetNames(type).FirstOrDefault(n => Normalise(n) == Normalise(text));
        return match is null ? throw new FormatException($"one of {Describe(type)}") : Enum.Parse(type, match);
    }

    private static string[] List(string text) => text.Split(',', StringSplitOptions.TrimEntries);

    private static int[] ParseInts(string text, int length)
    {
        var parts = text.Split([',', 'x', 'X', '×'], StringSplitOptions.TrimEntries);
        var values = parts.Select(p => int.Parse(p, NumberStyles.Integer, Invariant)).ToArray();
        return values.Length == 1 && length > 1 ? Enumerable.Repeat(values[0], length).ToArray() : values;
    }

    private static Baseline ParseBaseline(string text)
    {
        var (kind, args) = Split(text);
        return kind switch
        {
            "zero" when args.Length == 0 => Baseline.Zero,
            "constant" when args.Length == 1 => Baseline.Constant(Float(args[0])),
            "blur" or "blurred" when args.Length <= 1 => Baseline.Blurred(args.Length == 0 ? 10f : Float(args[0])),
            "uniform" when args.Length is 0 or 2 or 3 => args.Length == 0 ? Baseline.UniformNoise()
                : Baseline.UniformNoise(Float(args[0]), Float(args[1]), args.Length == 3 ? int.Parse(args[2], NumberStyles.Integer, Invariant) : 0),
            _ => throw new FormatException($"a {Describe(typeof(Baseline))}"),
        };
    }

    private static IReadOnlyList<Baseline> ParseBaselines(string text)
    {
        var (kind, args) = Split(text);
        if (kind == "distribution" && args.Length == 1) return Baseline.Distribution(int.Parse(args[0], NumberStyles.Integer, Invariant));
        return [.. List(text).Select(ParseBaseline)];
    }

    private static FeatureMask ParseMask(string text)
    {
        var (kind, args) = Split(text);
        return kind switch
        {
            "elements" when args.Length == 0 => FeatureMask.Elements,
            "pixels" when args.Length == 0 => FeatureMask.Pixels,
            "grid" when args.Length == 1 => ParseInts(args[0], 2) is [int h, int w] ? FeatureMask.Grid(h, w) : throw new FormatException("grid:N or grid:HxW"),
            "slic" when args.Length is 1 or 2 => FeatureMask.Slic(int.Parse(args[0], NumberStyles.Integer, Invariant), args.Length == 2 ? double.Parse(args[1], NumberStyles.Float, Invariant) : 10),
            _ => throw new FormatException($"a {Describe(typeof(FeatureMask))}"),
        };
    }

    private static AttributeTo ParseAttributeTo(string text)
    {
        if (string.Equals(text, "input", StringComparison.OrdinalIgnoreCase)) return AttributeTo.Input;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && string.Equals(text[..colon], "layer", StringComparison.OrdinalIgnoreCase) && colon + 1 < text.Length
            ? AttributeTo.Layer(text[(colon + 1)..])
            : throw new FormatException(Describe(typeof(AttributeTo)));
    }

    /// <summary>"kind:a:b" → ("kind", ["a", "b"]); the kind is compared in lower case.</summary>
    private static (string Kind, string[] Args) Split(string text)
    {
        var parts = text.Split(':', StringSplitOptions.TrimEntries);
        return (parts[0].ToLowerInvariant(), parts[1..]);
    }

    private static float Float(string text) => Finite(float.Parse(text, NumberStyles.Float, Invariant));
}
