using Lumen.Analysis.Similarity;
using Lumen.Tensors;

namespace Lumen.Analysis.Tests;

public class SimilarityTests
{
    private static readonly float[] X1 = [1, -1, 1, -1], X2 = [1, 1, -1, -1], X3 = [1, -1, -1, 1];

    /// <summary>A [4, columns] tensor whose columns are the given vectors.</summary>
    private static Tensor Columns(params float[][] columns)
    {
        var data = new float[4 * columns.Length];
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < columns.Length; c++) data[r * columns.Length + c] = columns[c][r];
        return Tensor.FromArray(data, 4, columns.Length);
    }

    private static float[] Scaled(float[] v, float s) => [.. v.Select(x => x * s)];

    /// <summary>A random d × d orthogonal matrix (Gram–Schmidt on Gaussian columns).</summary>
    private static Tensor RandomOrthogonal(int d, int seed)
    {
        var a = Tensor.Randn(new Shape(d, d), seed).ToArray().Select(v => (double)v).ToArray();
        for (int j = 0; j < d; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < d; i++) dot += a[i * d + j] * a[i * d + k];
                for (int i = 0; i < d; i++) a[i * d + j] -= dot * a[i * d + k];
            }
            double norm = Math.Sqrt(Enumerable.Range(0, d).Sum(i => a[i * d + j] * a[i * d + j]));
            for (int i = 0; i < d; i++) a[i * d + j] /= norm;
        }
        return Tensor.FromArray([.. a.Select(v => (float)v)], d, d);
    }

    public static TheoryData<CkaKernel, bool> Variants => new() { { CkaKernel.Linear, false }, { CkaKernel.Linear, true }, { CkaKernel.Rbf, false }, { CkaKernel.Rbf, true } };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Cka_of_a_representation_with_itself_is_one(CkaKernel kernel, bool unbiased)
    {
        var x = Tensor.Randn(new Shape(40, 12), 1);
        Assert.Equal(1.0, Cka.Compare(x, x, new() { Kernel = kernel, Unbiased = unbiased }), 1e-9);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Cka_is_invariant_to_orthogonal_transforms_and_isotropic_scaling(CkaKernel kernel, bool unbiased)
    {
        var options = new CkaOptions { Kernel = kernel, Unbiased = unbiased };
        var x = Tensor.Randn(new Shape(40, 12), 2);
        var y = Tensor.Randn(new Shape(40, 8), 3) + x.Slice(1, 0, 8) * 0.5f; // related but different
        double reference = Cka.Compare(x, y, options);
        Assert.InRange(reference, 0.05, 0.95);
        Assert.Equal(reference, Cka.Compare(x.MatMul(RandomOrthogonal(12, 4)), y, options), 1e-5);
        Assert.Equal(reference, Cka.Compare(x * 3.7f, y.MatMul(RandomOrthogonal(8, 5)) * 0.2f, options), 1e-5);
    }

    [Fact]
    public void Linear_cka_matches_a_hand_computed_case_and_its_gram_twin()
    {
        // X = [x1, x2], Y = [x1] with orthogonal centred columns of squared norm 4:
        // ‖YᵀX‖² = 16, ‖XᵀX‖_F = 4√2, ‖YᵀY‖_F = 4 → CKA = 1/√2.
        Assert.Equal(1 / Math.Sqrt(2), Cka.Compare(Columns(X1, X2), Columns(X1)), 12);
        Assert.Equal(0.0, Cka.Compare(Columns(X1), Columns(X2)), 12);
        var x = Tensor.Randn(new Shape(30, 5), 6);
        var y = Tensor.Randn(new Shape(30, 40), 7);
        Assert.Equal(Cka.LinearThroughGram(x, y), Cka.Compare(x, y), 1e-10);
    }

    [Fact]
    public void Minibatch_cka_of_one_batch_is_unbiased_cka_and_of_identical_streams_is_one()
    {
        var x = Tensor.Randn(new Shape(32, 6), 8);
        var y = Tensor.Randn(new Shape(32, 5), 9) + x.Slice(1, 0, 5);
        var one = new MinibatchCka();
        one.Add(x, y);
        Assert.Equal(Cka.Compare(x, y, new() { Unbiased = true }), one.Value, 1e-12);
        var same = new MinibatchCka(new() { Kernel = CkaKernel.Rbf });
        foreach (var chunk in x.Chunk(4)) same.Add(chunk, chunk);
        Assert.Equal(4, same.Batches);
        Assert.Equal(1.0, same.Value, 1e-9);
    }

    [Fact]
    public void Svcca_drops_low_variance_directions_before_cca()
    {
        // X spans x1, x2 and a tiny 0.01·x3; Y spans x1, x3. Plain CCA finds ρ = (1, 1); SVCCA at 99 % variance keeps
        // only x1, x2 of X, so ρ = (1, 0) and the mean is 0.5.
        var x = Columns(X1, X2, Scaled(X3, 0.01f));
        var y = Columns(X1, X3);
        var svcca = Svcca.Compare(x, y);
        Assert.Equal((2, 2), (svcca.DimensionsX, svcca.DimensionsY));
        Assert.Equal([1.0, 0.0], svcca.Correlations.Select(r => Math.Round(r, 9)));
        Assert.Equal(0.5, svcca.Value, 9);
        var cca = Svcca.Compare(x, y, new() { VarianceKept = 1 });
        Assert.Equal([1.0, 1.0], cca.Correlations.Select(r => Math.Round(r, 6)));
    }

    [Fact]
    public void Pwcca_weights_correlations_by_how_much_of_x_they_carry()
    {
        // X = [x1, x1, x2], Y = [x1, x3]: ρ = (1, 0). Variate 1 ∝ x1 touches two neurons with |⟨h, xⱼ⟩| = 2 each (α̃ = 4),
        // variate 2 ∝ x2 one neuron (α̃ = 2): PWCCA = (4·1 + 2·0)/6 = 2/3, where SVCCA gives 1/2.
        var p = Pwcca.Compare(Columns(X1, X1, X2), Columns(X1, X3));
        Assert.Equal([1.0, 0.0], p.Correlations.Select(r => Math.Round(r, 9)));
        Assert.Equal([2 / 3.0, 1 / 3.0], p.Weights.Select(w => Math.Round(w, 9)), (a, b) => Math.Abs(a - b) < 1e-8);
        Assert.Equal(2 / 3.0, p.Value, 9);
    }

    [Fact]
    public void Rsa_of_identical_arrangements_is_one_and_matches_a_hand_computed_case()
    {
        var x = Tensor.Randn(new Shape(10, 6), 10);
        Assert.Equal(1.0, Rsa.Compare(x, x * 2f + 1f), 12);
        // Points on a line at 0, 1, 3 vs 0, 2, 3 (Euclidean): distances (1, 3, 2) and (2, 3, 1) → ranks (1, 3, 2), (2, 3, 1): ρ = 0.5.
        var a = Tensor.FromArray([0f, 1f, 3f], 3, 1);
        var b = Tensor.FromArray([0f, 2f, 3f], 3, 1);
        Assert.Equal(0.5, Rsa.Compare(a, b, RdmDistance.Euclidean), 12);
        var rdm = Rsa.DissimilarityMatrix(a, RdmDistance.Euclidean);
        Assert.Equal([0f, 1f, 3f, 1f, 0f, 2f, 3f, 2f, 0f], rdm.ToArray());
    }

    [Fact]
    public void Mismatched_or_degenerate_inputs_are_refused()
    {
        var x = Tensor.Randn(new Shape(10, 3), 11);
        Assert.Contains("examples", Assert.Throws<ArgumentException>(() => Cka.Compare(x, Tensor.Randn(new Shape(9, 3), 12))).Message);
        Assert.Contains("constant", Assert.Throws<ArgumentException>(() => Cka.Compare(x, Tensor.Ones(10, 3))).Message);
        Assert.Throws<ArgumentException>(() => Cka.Compare(x.Slice(0, 0, 3), x.Slice(0, 0, 3), new() { Unbiased = true }));
        Assert.Throws<ArgumentException>(() => Svcca.Compare(x, Tensor.Zeros(10, 2)));
        Assert.Throws<ArgumentException>(() => Svcca.Compare(x, x, new() { VarianceKept = 0 }));
    }
}
