using Lumen.Tensors;

namespace Lumen.Analysis.Common;

/// <summary>A dense row-major matrix of doubles: the small linear algebra the analysis methods need (centring,
/// products, a symmetric eigensolver), in double precision so that similarity indices of nearly equal
/// representations do not drown in float32 rounding.</summary>
internal sealed class Matrix
{
    public Matrix(int rows, int cols, double[]? data = null)
    {
        Rows = rows;
        Cols = cols;
        Data = data ?? new double[rows * cols];
        if (Data.Length != rows * cols) throw new ArgumentException($"Matrix: {Data.Length} values do not fill {rows}×{cols}.");
    }

    public int Rows { get; }

    public int Cols { get; }

    public double[] Data { get; }

    public double this[int r, int c]
    {
        get => Data[r * Cols + c];
        set => Data[r * Cols + c] = value;
    }

    /// <summary>The examples of <paramref name="x"/> ([N, …]) as the rows of an N × (product of the other axes) matrix.</summary>
    /// <exception cref="ArgumentException">The tensor has no batch axis or is not Float32.</exception>
    public static Matrix FromExamples(Tensor x, string what)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.DType != DType.Float32 || x.Rank < 1 || x.Size == 0)
            throw new ArgumentException($"{what}: expected a non-empty Float32 tensor [examples, …], got {x.DType} {x.Shape}.");
        int n = x.Shape[0], d = x.Size / n;
        var values = x.AsReadOnlySpan();
        var data = new double[n * d];
        for (int i = 0; i < data.Length; i++) data[i] = values[i];
        return new Matrix(n, d, data);
    }

    /// <summary>A copy with each column's mean subtracted.</summary>
    public Matrix CenterColumns()
    {
        var result = new Matrix(Rows, Cols, (double[])Data.Clone());
        for (int c = 0; c < Cols; c++)
        {
            double mean = 0;
            for (int r = 0; r < Rows; r++) mean += Data[r * Cols + c];
            mean /= Rows;
            for (int r = 0; r < Rows; r++) result.Data[r * Cols + c] -= mean;
        }
        return result;
    }

    /// <summary>Aᵀ·B (A = this), both with the same number of rows.</summary>
    public Matrix TransposeTimes(Matrix b)
    {
        if (Rows != b.Rows) throw new ArgumentException($"Matrix: Aᵀ·B needs equal row counts, got {Rows} and {b.Rows}.");
        var result = new Matrix(Cols, b.Cols);
        for (int r = 0; r < Rows; r++)
            for (int i = 0; i < Cols; i++)
            {
                double a = Data[r * Cols + i];
                if (a == 0) continue;
                for (int j = 0; j < b.Cols; j++) result.Data[i * b.Cols + j] += a * b.Data[r * b.Cols + j];
            }
        return result;
    }

    /// <summary>A·B (A = this).</summary>
    public Matrix Times(Matrix b)
    {
        if (Cols != b.Rows) throw new ArgumentException($"Matrix: A·B needs A's columns ({Cols}) = B's rows ({b.Rows}).");
        var result = new Matrix(Rows, b.Cols);
        for (int r = 0; r < Rows; r++)
            for (int k = 0; k < Cols; k++)
            {
                double a = Data[r * Cols + k];
                if (a == 0) continue;
                for (int j = 0; j < b.Cols; j++) result.Data[r * b.Cols + j] += a * b.Data[k * b.Cols + j];
            }
        return result;
    }

    /// <summary>Aᵀ.</summary>
    public Matrix Transpose()
    {
        var result = new Matrix(Cols, Rows);
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Cols; c++) result.Data[c * Rows + r] = Data[r * Cols + c];
        return result;
    }

    /// <summary>The Gram matrix A·Aᵀ of the rows.</summary>
    public Matrix Gram() => Transpose().TransposeTimes(Transpose());

    /// <summary>Σᵢⱼ aᵢⱼ².</summary>
    public double SquaredNorm()
    {
        double s = 0;
        foreach (var v in Data) s += v * v;
        return s;
    }

    /// <summary>Columns <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/> as a new matrix.</summary>
    public Matrix Columns(int start, int count)
    {
        var result = new Matrix(Rows, count);
        for (int r = 0; r < Rows; r++) Array.Copy(Data, r * Cols + start, result.Data, r * count, count);
        return result;
    }

    /// <summary>Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: eigenvalues in descending
    /// order and the matching orthonormal eigenvectors as columns.</summary>
    /// <remarks>Each rotation zeroes one off-diagonal pair (a_pq) with t = sgn(θ)/(|θ| + √(θ²+1)), θ = (a_qq − a_pp)/(2a_pq);
    /// sweeps repeat until the off-diagonal mass is below 1e-22 of the total (Golub &amp; Van Loan, §8.5).</remarks>
    public (double[] Values, Matrix Vectors) SymmetricEigen()
    {
        if (Rows != Cols) throw new ArgumentException($"Matrix: eigen-decomposition needs a square matrix, got {Rows}×{Cols}.");
        int n = Rows;
        var a = (double[])Data.Clone();
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        double total = 0;
        foreach (var x in a) total += x * x;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
            if (off <= 1e-22 * total || off == 0) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p * n + q];
                    if (Math.Abs(apq) < 1e-300) continue;
                    double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k * n + p], akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p * n + k], aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k * n + p], vkq = v[k * n + q];
                        v[k * n + p] = c * vkp - s * vkq;
                        v[k * n + q] = s * vkp + c * vkq;
                    }
                }
        }
        var order = Enumerable.Range(0, n).OrderByDescending(i => a[i * n + i]).ToArray();
        var values = order.Select(i => a[i * n + i]).ToArray();
        var vectors = new Matrix(n, n);
        for (int j = 0; j < n; j++)
            for (int k = 0; k < n; k++) vectors.Data[k * n + j] = v[k * n + order[j]];
        return (values, vectors);
    }

    /// <summary>An orthonormal basis (n × r) of the leading left singular vectors of this n × d matrix and their
    /// singular values, keeping the smallest r whose squared singular values reach <paramref name="varianceKept"/> of
    /// the total (1 keeps every direction above the rank tolerance).</summary>
    /// <remarks>Works on whichever of AᵀA (d × d) or AAᵀ (n × n) is smaller: with AᵀA = VΣ²Vᵀ, U = AVΣ⁻¹.
    /// Directions with σ² below 1e-10 of the largest are dropped as numerically zero.</remarks>
    public (Matrix Basis, double[] SingularValues) LeftSingularBasis(double varianceKept = 1.0)
    {
        bool viaGram = Rows <= Cols;
        var (values, vectors) = (viaGram ? Gram() : TransposeTimes(this)).SymmetricEigen();
        double largest = Math.Max(values.Length > 0 ? values[0] : 0, 0), total = values.Where(x => x > 0).Sum();
        int rank = values.TakeWhile(x => x > 1e-10 * largest && largest > 0).Count();
        int keep = 0;
        double cumulative = 0;
        while (keep < rank && (keep == 0 || cumulative < varianceKept * total * (1 - 1e-12)))
            cumulative += values[keep++];
        var sigma = values.Take(keep).Select(Math.Sqrt).ToArray();
        var basis = viaGram ? vectors.Columns(0, keep) : Times(vectors.Columns(0, keep));
        if (!viaGram)
            for (int r = 0; r < basis.Rows; r++)
                for (int j = 0; j < keep; j++) basis.Data[r * keep + j] /= sigma[j];
        return (basis, sigma);
    }
}
