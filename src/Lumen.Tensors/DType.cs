namespace Lumen.Tensors;

/// <summary>Element type of a <see cref="Tensor"/>. Only <see cref="Float32"/> takes part in autograd;
/// <see cref="Int64"/> and <see cref="Bool"/> carry shapes, indices and masks.</summary>
public enum DType
{
    /// <summary>32-bit IEEE float, the type every differentiable op works in.</summary>
    Float32,
    /// <summary>64-bit signed integer, for indices and shape tensors.</summary>
    Int64,
    /// <summary>Boolean, for masks and comparison results.</summary>
    Bool,
}
