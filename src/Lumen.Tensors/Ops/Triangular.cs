using Lumen.Tensors.Autograd;

namespace Lumen.Tensors;

/// <summary>Lower and upper triangles of the matrices in the last two dimensions (every dtype).</summary>
public sealed partial class Tensor
{
    /// <summary>Keeps the elements on and below diagonal <paramref name="k"/> (j ≤ i + k) of each matrix in the last
    /// two dimensions and zeroes the rest (PyTorch <c>tril</c>, ONNX <c>Trilu</c> with upper = 0).</summary>
    public Tensor Tril(int k = 0) => Triangle(k, upper: false);

    /// <summary>Keeps the elements on and above diagonal <paramref name="k"/> (j ≥ i + k) of each matrix in the last
    /// two dimensions and zeroes the rest (PyTorch <c>triu</c>, ONNX <c>Trilu</c> with upper = 1).</summary>
    public Tensor Triu(int k = 0) => Triangle(k, upper: true);

    private Tensor Triangle(int k, bool upper)
    {
        string op = upper ? "Triu" : "Tril";
        if (Rank < 2) throw new ArgumentException($"{op}: expected a tensor of rank ≥ 2, got {Shape}.");
        int rowsPerMatrix = Shape.Dims[^2], cols = Shape.Dims[^1];
        int rows = cols == 0 ? 0 : Size / cols;
        var src = Storage;
        var data = NewStorage(DType, Size);
        for (int r = 0; r < rows; r++)
        {
            long diagonal = (long)(r % rowsPerMatrix) + k; // column of the diagonal element in this row
            int start = upper ? (int)Math.Clamp(diagonal, 0, cols) : 0;
            int end = upper ? cols : (int)Math.Clamp(diagonal + 1, 0, cols);
            if (end > start) Array.Copy(src, r * cols + start, data, r * cols + start, end - start);
        }
        return Gradients.Record(FromStorage(Shape, data), op, Gradients.TriangleRule(k, upper), this);
    }
}
