namespace Lumen.Imaging;

/// <summary>
/// Thrown when image data is corrupt, truncated or uses a feature the decoder does not support. The message names
/// the format, the source (file name when known) and what was wrong. It derives from <see cref="IOException"/>
/// (<see cref="InvalidDataException"/> is sealed), so callers that catch I/O failures also catch bad images.
/// </summary>
public sealed class ImageFormatException : IOException
{
    /// <summary>Creates the exception with a complete message.</summary>
    public ImageFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a complete message and the low-level cause.</summary>
    public ImageFormatException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with no message (for serializers and analyzers).</summary>
    public ImageFormatException() { }
}
