using Lumen.Tensors;

namespace Lumen.Analysis.Similarity;

/// <summary>
/// CKA accumulated over minibatches (Nguyen, Raghu &amp; Kornblith 2021, https://arxiv.org/abs/2010.15327): the
/// unbiased HSIC of each batch is averaged, so a dataset of any size is compared in memory bounded by one batch's
/// n × n Gram matrices.
/// </summary>
/// <remarks>CKA = (1/k Σ_b HSIC₁(K_b, L_b)) / √((1/k Σ_b HSIC₁(K_b, K_b))·(1/k Σ_b HSIC₁(L_b, L_b))), with the unbiased
/// HSIC₁ of <see cref="Cka"/>. The estimate is unbiased in each HSIC term, so it does not drift with the batch size.</remarks>
/// <example><code>
/// var cka = new MinibatchCka();
/// foreach (var (a, b) in batches) cka.Add(a, b);     // [B, …] activations of the same B examples
/// double similarity = cka.Value;
/// </code></example>
public sealed class MinibatchCka(CkaOptions? options = null)
{
    private readonly CkaOptions options = (options ?? new CkaOptions()) with { Unbiased = true };
    private double xy, xx, yy;

    /// <summary>Number of batches added.</summary>
    public int Batches { get; private set; }

    /// <summary>Adds one batch: the two representations of the same ≥ 4 examples.</summary>
    public void Add(Tensor x, Tensor y)
    {
        var (mx, my) = Cka.Examples(x, y, options);
        var k = Cka.KernelMatrix(mx, options);
        var l = Cka.KernelMatrix(my, options);
        xy += Cka.Hsic(k, l, true);
        xx += Cka.Hsic(k, k, true);
        yy += Cka.Hsic(l, l, true);
        Batches++;
    }

    /// <summary>The CKA estimate over the batches so far.</summary>
    /// <exception cref="InvalidOperationException">No batch was added.</exception>
    public double Value => Batches == 0 ? throw new InvalidOperationException("MinibatchCka: add at least one batch.") : Cka.FromHsic(xy, xx, yy);
}
