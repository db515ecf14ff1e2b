using Lumen.Tensors;

namespace Lumen.Attribution;

/// <summary>An attribution method bound to a model and its options.</summary>
public interface IAttributionMethod
{
    /// <summary>The method's catalog name, e.g. <c>integrated-gradients</c>.</summary>
    string Name { get; }

    /// <summary>Explains <paramref name="target"/> for each sample of <paramref name="input"/> [B, …].</summary>
    Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null);
}
