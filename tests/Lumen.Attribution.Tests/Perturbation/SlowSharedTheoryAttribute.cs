namespace Lumen.Attribution.Tests.Perturbation;

/// <summary>A theory that needs files from the shared data folder and LUMEN_SLOW_TESTS=1 (cases of 10 s or more).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SlowSharedTheoryAttribute(params string[] relatives) : TheoryAttribute
{
    /// <inheritdoc/>
    public override string? Skip
    {
        get => base.Skip ?? SharedData.SkipReason(relatives)
            ?? (Environment.GetEnvironmentVariable("LUMEN_SLOW_TESTS") == "1" ? null : "skipped: slow test; set LUMEN_SLOW_TESTS=1 to run it.");
        set => base.Skip = value;
    }
}
