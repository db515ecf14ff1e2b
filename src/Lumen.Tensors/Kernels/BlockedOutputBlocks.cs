namespace Lumen.Tensors.Kernels;

/// <summary>How many 16-channel output blocks a blocked tile computes — two (32 channels, the usual tile) or one (a
/// lone last block) — as a type parameter, so that each kernel compiles both shapes without a test in its loop
/// (<see cref="BlockedPointwise"/>, <see cref="BlockedDirect"/>).</summary>
internal interface IBlocks { static abstract bool Two { get; } }

/// <summary>A tile of two output blocks.</summary>
internal struct TwoBlocks : IBlocks { public static bool Two => true; }

/// <summary>A tile of one output block.</summary>
internal struct OneBlock : IBlocks { public static bool Two => false; }
