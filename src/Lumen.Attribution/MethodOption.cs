namespace Lumen.Attribution;

/// <summary>One option of a catalog method, as <c>lumen methods --options NAME</c> lists it.</summary>
/// <param name="Name">Kebab-case name, set as <c>method.name=value</c> (PascalCase is accepted too).</param>
/// <param name="Type">The accepted text, e.g. <c>int</c>, <c>riemann-left|…|gauss-legendre</c>, <c>int|auto</c>.</param>
/// <param name="Default">The default in the same text form, which parses back to the default value.</param>
/// <param name="Record">The options record that holds it, e.g. <c>IntegratedGradientsOptions</c>.</param>
public sealed record MethodOption(string Name, string Type, string Default, string Record)
{
    /// <summary>Other names accepted for it, e.g. <c>sigma</c> for SmoothGrad's <c>noise-level</c>.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Whether <paramref name="name"/> (kebab-case or PascalCase, any case) is this option's name or an alias.</summary>
    public bool IsNamed(string name)
    {
        var key = OptionText.Normalise(name);
        return OptionText.Normalise(Name) == key || Aliases.Any(a => OptionText.Normalise(a) == key);
    }
}
