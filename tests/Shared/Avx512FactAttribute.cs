using System.Runtime.Intrinsics.X86;

namespace Lumen.TestSupport;

/// <summary>A fact about a kernel that only AVX-512 machines run: skipped, with that reason, elsewhere (an AVX2
/// machine runs the same operation through another kernel, which its own tests check).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class Avx512FactAttribute : FactAttribute
{
    /// <summary>Why the test is skipped on this machine, or null.</summary>
    public static string? SkipReason => Avx512F.IsSupported ? null : "skipped: tests an AVX-512 kernel, and this machine has no AVX-512.";

    /// <inheritdoc/>
    public override string? Skip
    {
        get => base.Skip ?? SkipReason;
        set => base.Skip = value;
    }
}

/// <summary>A theory that only AVX-512 machines run (see <see cref="Avx512FactAttribute"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class Avx512TheoryAttribute : TheoryAttribute
{
    /// <inheritdoc/>
    public override string? Skip
    {
        get => base.Skip ?? Avx512FactAttribute.SkipReason;
        set => base.Skip = value;
    }
}
