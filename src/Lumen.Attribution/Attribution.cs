using Lumen.Tensors;

namespace Lumen.Attribution;

/// <summary>The result of <see cref="IAttributionMethod.Explain"/>.</summary>
/// <param name="Map">The attribution, shaped like what it is attributed to (the input by default).</param>
/// <param name="Target">What was explained.</param>
/// <param name="Method">The method's catalog name.</param>
/// <param name="Delta">Per-sample completeness error Σ attribution − (f(x) − f(baseline)), where the method has one.</param>
public sealed record Attribution(Tensor Map, Target Target, string Method, Tensor? Delta = null);
