namespace Lumen.Tensors.Kernels;

/// <summary>
/// A strided block of elements inside a contiguous row-major tensor: element i (a multi-index over
/// <see cref="Dims"/>) lives at <c>Offset + Σ i_d·Strides_d</c>. Slices, flips and permutations of a tensor are
/// windows into it; so is the place of one input inside a concatenation or a padded output.
/// </summary>
/// <remarks>Windows used by the movement ops never visit an element twice (no zero strides), so copying a
/// gradient back through the same window is the exact adjoint of copying the values forward.</remarks>
internal sealed record StridedWindow(int Offset, int[] Dims, int[] Strides)
{
    /// <summary>Number of elements in the window.</summary>
    public int Size
    {
        get
        {
            int n = 1;
            foreach (var d in Dims) n *= d;
            return n;
        }
    }

    /// <summary>The whole of a contiguous tensor of <paramref name="shape"/>.</summary>
    public static StridedWindow Whole(Shape shape) => new(0, shape.ToArray(), shape.Strides());
}
