using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Cam;

/// <summary>Eigen-CAM: the activation projected on its first principal component; it needs no gradient and does not
/// depend on the target.</summary>
/// <remarks>
/// With X [hw, K] the activation of one sample (positions × channels) centred per channel, map = X v₁ where v₁ is the
/// first right singular vector of X (computed as σ₁u₁ by power iteration on XXᵀ). The singular vector's sign is
/// arbitrary; it is chosen so that the map correlates positively with the channel-summed activation.
/// Muhammad, Yeasin, "Eigen-CAM: Class Activation Map using Principal Components" (IJCNN 2020),
/// https://arxiv.org/abs/2008.00299
/// </remarks>
/// <example><code>var map = new EigenCam(model).Explain(input, Target.Class(207)).Map;</code></example>
public sealed class EigenCam(Module model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <inheritdoc/>
    public override string Name => "eigen-cam";

    /// <inheritdoc/>
    protected override bool UsesGradient => false;

    /// <inheritdoc/>
    protected override Tensor Combine(Tensor activation, Tensor? gradient)
    {
        ArgumentNullException.ThrowIfNull(activation);
        int batch = activation.Shape[0], channels = activation.Shape[1];
        int positions = activation.Size / Math.Max(batch * channels, 1);
        var a = activation.AsReadOnlySpan();
        var map = new float[batch * positions];
        for (int b = 0; b < batch; b++)
        {
            var x = new double[positions * channels]; // [hw, K], centred per channel
            var summed = new double[positions];
            for (int k = 0; k < channels; k++)
            {
                var plane = a.Slice((b * channels + k) * positions, positions);
                double mean = 0;
                foreach (var v in plane) mean += v;
                mean /= positions;
                for (int p = 0; p < positions; p++) { x[p * channels + k] = plane[p] - mean; summed[p] += plane[p]; }
            }
            var projection = FirstComponent(x, positions, channels);
            double correlation = 0;
            for (int p = 0; p < positions; p++) correlation += projection[p] * summed[p];
            double sign = correlation < 0 ? -1 : 1;
            for (int p = 0; p < positions; p++) map[b * positions + p] = (float)(sign * projection[p]);
        }
        return Tensor.FromArray(map, [batch, 1, .. activation.Shape.Dims[2..]]);
    }

    /// <summary>X v₁ = σ₁ u₁ for X [rows, columns], by power iteration u ← XXᵀu / ‖XXᵀu‖ from the row norms.</summary>
    private static double[] FirstComponent(double[] x, int rows, int columns)
    {
        var u = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double s = 0;
            for (int c = 0; c < columns; c++) s += x[r * columns + c] * x[r * columns + c];
            u[r] = Math.Sqrt(s) + 1e-3 * (r % 7); // a deterministic start with a component along every direction
        }
        Normalize(u);
        var v = new double[columns];
        var next = new double[rows];
        for (int iteration = 0; iteration < 1000; iteration++)
        {
            MultiplyTransposed(x, rows, columns, u, v); // v = Xᵀu
            Multiply(x, rows, columns, v, next);        // next = XXᵀu
            if (Normalize(next) == 0) return new double[rows];
            double change = 0;
            for (int r = 0; r < rows; r++) change = Math.Max(change, Math.Abs(next[r] - u[r]));
            (u, next) = (next, u);
            if (change < 1e-12) break;
        }
        MultiplyTransposed(x, rows, columns, u, v);
        double sigma = Math.Sqrt(v.Sum(e => e * e)); // ‖Xᵀu‖ = σ₁
        for (int r = 0; r < rows; r++) u[r] *= sigma;
        return u;
    }

    private static void MultiplyTransposed(double[] x, int rows, int columns, double[] u, double[] v)
    {
        Array.Clear(v);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) v[c] += x[r * columns + c] * u[r];
    }

    private static void Multiply(double[] x, int rows, int columns, double[] v, double[] result)
    {
        for (int r = 0; r < rows; r++)
        {
            double s = 0;
            for (int c = 0; c < columns; c++) s += x[r * columns + c] * v[c];
            result[r] = s;
        }
    }

    private static double Normalize(double[] u)
    {
        double norm = Math.Sqrt(u.Sum(e => e * e));
        if (norm == 0) return 0;
        for (int i = 0; i < u.Length; i++) u[i] /= norm;
        return norm;
    }
}
