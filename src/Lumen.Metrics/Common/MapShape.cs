using Lumen.Tensors;

namespace Lumen.Metrics.Common;

/// <summary>Brings an attribution map to the input's shape: a map with size-1 dimensions (a one-channel CAM
/// [B, 1, H, W] for an RGB input) applies to every channel and is repeated along them (NumPy broadcasting).</summary>
internal static class MapShape
{
    public static Tensor ToInput(Tensor map, Shape input, string who)
    {
        if (map.Shape == input) return map;
        if (map.Rank != input.Rank || map.Shape[0] != input[0])
            throw new ArgumentException($"{who}: the attribution {map.Shape} must have the input's shape {input} (or size 1 along the channels).");
        try
        {
            return map.Detach().BroadcastTo(input);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"{who}: the attribution {map.Shape} must have the input's shape {input} (or size 1 along the channels).");
        }
    }
}
