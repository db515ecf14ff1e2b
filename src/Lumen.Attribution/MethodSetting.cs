namespace Lumen.Attribution;

/// <summary>One <c>method.option=value</c> assignment, with the method's catalog name and the option's kebab-case
/// name resolved (so reports record the canonical form whatever alias or casing was typed).</summary>
/// <param name="Method">The catalog name, e.g. <c>integrated-gradients</c> for <c>ig</c>.</param>
/// <param name="Option">The option's kebab-case name, e.g. <c>steps</c>.</param>
/// <param name="Value">The value text as given (trimmed).</param>
public sealed record MethodSetting(string Method, string Option, string Value)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Method}.{Option}={Value}";
}
