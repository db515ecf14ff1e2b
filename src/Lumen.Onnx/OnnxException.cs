namespace Lumen.Onnx;

/// <summary>
/// A model that Lumen cannot load or run: a malformed file, an unsupported op, opset or attribute value, or an
/// input that does not fit the graph. The message always names the file and, where one is involved, the node and
/// its op, so that the user can find the problem in the model.
/// </summary>
public sealed class OnnxException : Exception
{
    /// <summary>Creates an exception with a complete, user-facing message.</summary>
    public OnnxException(string message) : base(message) { }

    /// <summary>Creates an exception wrapping the error that caused it.</summary>
    public OnnxException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates an exception with no message (required by the exception pattern).</summary>
    public OnnxException() { }
}
