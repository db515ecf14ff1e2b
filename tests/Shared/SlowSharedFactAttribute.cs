namespace Lumen.TestSupport;

/// <summary>A <see cref="SharedFactAttribute"/> that also needs LUMEN_SLOW_TESTS=1 (tests of a minute or more).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SlowSharedFactAttribute(params string[] relatives) : FactAttribute
{
    /// <inheritdoc/>
    public override string? Skip
    {
        get => base.Skip ?? SharedData.SkipReason(relatives)
            ?? (Environment.GetEnvironmentVariable("LUMEN_SLOW_TESTS") == "1" ? null : "skipped: slow test; set LUMEN_SLOW_TESTS=1 to run it.");
        set => base.Skip = value;
    }
}
