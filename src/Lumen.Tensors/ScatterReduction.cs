namespace Lumen.Tensors;

/// <summary>How a scatter combines an update with the value already at its target (ONNX <c>reduction</c>).</summary>
public enum ScatterReduction
{
    /// <summary>The update replaces the value; with repeated targets the last update wins.</summary>
    None,
    /// <summary>The update is added to the value; repeated targets accumulate.</summary>
    Add,
}
