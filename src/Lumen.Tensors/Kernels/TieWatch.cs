namespace Lumen.Tensors.Kernels;

/// <summary>Whether an instance of a register-tile kernel watches a clamp's ties (<see cref="ConvEpilogue.WatchesTies"/>,
/// <see cref="ClampTies"/>): a type parameter, <see cref="TiesWatched"/> or <see cref="TiesUnwatched"/>, tested with
/// <c>typeof</c> (folded as the JIT imports the method; a static abstract property was not folded early enough, and the
/// unwatched 12-row GEMM kernel then spilled 8 accumulators in its loop), so that the unwatched kernels compile as if
/// no ties existed and the watched ones are compiled apart.</summary>
internal interface ITieWatch;

/// <summary>The kernel finds a watched clamp's ties as it stores each row (<see cref="ConvEpilogue.FinishWatched"/>).</summary>
internal readonly struct TiesWatched : ITieWatch;

/// <summary>The kernel applies the epilogue without looking for ties.</summary>
internal readonly struct TiesUnwatched : ITieWatch;
