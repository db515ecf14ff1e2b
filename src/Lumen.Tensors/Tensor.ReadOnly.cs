using System.Runtime.CompilerServices;

namespace Lumen.Tensors;

public sealed partial class Tensor
{
    /// <summary>The read-only marks, keyed on the float storage they cover: every tensor that shares the array (a
    /// <see cref="Detach"/>ed copy, a reshaped view, a parameter's value) sees the same mark, and the mark dies with
    /// the array.</summary>
    private static readonly ConditionalWeakTable<float[], ReadOnlyMark> ReadOnlyMarks = new();

    /// <summary>Set once any storage has been marked read-only, so that <see cref="AsSpan"/> skips the table lookup in
    /// processes (and until the moment) that mark none.</summary>
    private static volatile bool anyReadOnly;

    /// <summary>True when this tensor's storage is read-only (<see cref="MakeReadOnly"/>): <see cref="AsSpan"/> then
    /// throws, and readers use <see cref="AsReadOnlySpan"/>. Int64 and Bool tensors are never read-only.</summary>
    public bool IsReadOnly => Mark is not null;

    /// <summary>The float32 elements, row-major, to read. Works whether or not the tensor is read-only.</summary>
    public ReadOnlySpan<float> AsReadOnlySpan() => (floats ?? throw WrongType(DType.Float32)).AsSpan(0, Size);

    /// <summary>Marks this tensor's storage read-only, for every tensor that shares it, and returns this tensor
    /// (fluent). From then on <see cref="AsSpan"/> throws instead of handing out a writable span, so that values derived
    /// from the storage and kept between calls (a convolution's packed weights, <c>Kernels/PackedWeights</c>) can never
    /// go stale. Models loaded from ONNX mark their float initializers this way. Idempotent. A span taken with
    /// <see cref="AsSpan"/> before this call must not be written after it (the mark cannot see it), and only engine
    /// code holding the backing array itself can still write behind the mark (<see cref="FromArray(float[], int[])"/>
    /// copies the caller's array).</summary>
    /// <exception cref="InvalidOperationException">The tensor is not Float32.</exception>
    public Tensor MakeReadOnly()
    {
        if (floats is null)
            throw new InvalidOperationException($"MakeReadOnly: only Float32 tensors can be read-only; {Describe()} has dtype {DType}.");
        anyReadOnly = true;
        ReadOnlyMarks.GetValue(floats, static _ => new ReadOnlyMark());
        return this;
    }

    /// <summary>Makes this tensor's storage writable again (for every tensor that shares it) and drops what was
    /// derived from it while it was read-only (packed weights), then returns this tensor (fluent). Mark it read-only
    /// again after writing to get the speed back. Does nothing to a writable tensor.</summary>
    public Tensor MakeWritable()
    {
        if (floats is not null) ReadOnlyMarks.Remove(floats);
        return this;
    }

    /// <summary>The read-only mark of this tensor's storage, or null when it is writable (or not Float32). Values
    /// derived from read-only storage are kept on its mark, so that <see cref="MakeWritable"/> (which drops the mark)
    /// invalidates them all at once, even for a caller that still holds the old mark.</summary>
    internal ReadOnlyMark? Mark => floats is not null ? MarkOf(floats) : null;

    /// <summary>The read-only mark of a float storage array, or null when it is writable.</summary>
    internal static ReadOnlyMark? MarkOf(float[] storage) =>
        anyReadOnly && ReadOnlyMarks.TryGetValue(storage, out var mark) ? mark : null;

    /// <summary>Throws unless this tensor may be written, naming it and saying how to make it writable.</summary>
    private void RequireWritable()
    {
        if (Mark is not null)
            throw new InvalidOperationException(
                $"{Describe()} is read-only (weights of a loaded model are, so that their packed form can be kept between calls): " +
                "read it with AsReadOnlySpan(), or make it writable first with MakeWritable() (for a whole model, Module.MakeWeightsWritable()), " +
                "and MakeReadOnly() again when done.");
    }

    private string Describe() => $"Tensor{(Name is null ? "" : " '" + Name + "'")} of shape {Shape}";
}

/// <summary>The read-only state of one float storage array (<see cref="Tensor.MakeReadOnly"/>), and the values derived
/// from it that are kept while it lasts. A new mark is made each time the storage is made read-only again.</summary>
internal sealed class ReadOnlyMark
{
    /// <summary>Derived values cached by kernels (e.g. <c>Kernels.PackedWeights</c>); the owner synchronises access.</summary>
    internal object? Derived;
}
