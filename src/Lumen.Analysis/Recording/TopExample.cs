namespace Lumen.Analysis.Recording;

/// <summary>One of a channel's top-activating examples.</summary>
/// <param name="Example">The example's index in the recorded stream (0 = the first example of the first batch).</param>
/// <param name="Score">The example's score for the channel (<see cref="ChannelScore"/>).</param>
/// <param name="Y">Row of the strongest position in the channel's activation map (0 for vector activations).</param>
/// <param name="X">Column of the strongest position (the flat position for rank-3 activations).</param>
/// <param name="Map">The channel's activation map for this example, row-major [<paramref name="Height"/>, <paramref name="Width"/>],
/// or null when maps are not kept: the activating region, to be upsampled over the input.</param>
/// <param name="Height">Rows of the activation map.</param>
/// <param name="Width">Columns of the activation map.</param>
public sealed record TopExample(int Example, float Score, int Y, int X, float[]? Map, int Height, int Width)
{
    /// <summary>The region of an input of <paramref name="inputHeight"/>×<paramref name="inputWidth"/> pixels that
    /// the strongest position covers when the map is stretched over the input: (left, top, width, height).</summary>
    /// <remarks>cell = (⌊x·W_in/W⌋, ⌊y·H_in/H⌋) to (⌈(x+1)·W_in/W⌉, ⌈(y+1)·H_in/H⌉). This is the geometric cell of the
    /// position, a lower bound of its receptive field.</remarks>
    public (int Left, int Top, int Width, int Height) Region(int inputHeight, int inputWidth)
    {
        int left = X * inputWidth / Width, top = Y * inputHeight / Height;
        int right = (int)Math.Ceiling((X + 1) * (double)inputWidth / Width), bottom = (int)Math.Ceiling((Y + 1) * (double)inputHeight / Height);
        return (left, top, right - left, bottom - top);
    }
}
