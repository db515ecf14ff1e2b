using Lumen.NN;

namespace Lumen.Attribution.Propagation;

/// <summary>Rewrites a model into an equivalent form that propagation rules handle better (Zennit's canonizers),
/// until the returned handle is disposed.</summary>
public interface ICanonizer
{
    /// <summary>Applies the rewrite to <paramref name="model"/>; disposing the result restores the model exactly.</summary>
    IDisposable Apply(Module model);
}
