using Lumen.Tensors;

namespace Lumen.TestSupport;

/// <summary>The tests that switch <see cref="ConvolutionAlgorithms.Blocked"/> run in this collection, alone, so that no
/// other test sees the switch turned.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BlockedSwitchCollection
{
    public const string Name = "BlockedSwitch";
}

/// <summary>Turns <see cref="ConvolutionAlgorithms.Blocked"/> for a using block.</summary>
internal static class BlockedSwitch
{
    public static Restore Set(bool on)
    {
        var saved = ConvolutionAlgorithms.Blocked;
        ConvolutionAlgorithms.Blocked = on;
        return new Restore(saved);
    }

    public readonly struct Restore(bool saved) : IDisposable
    {
        public void Dispose() => ConvolutionAlgorithms.Blocked = saved;
    }
}
