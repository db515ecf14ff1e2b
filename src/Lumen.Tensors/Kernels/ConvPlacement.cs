namespace Lumen.Tensors.Kernels;

/// <summary>
/// Where a convolution writes its output [N, O, OH, OW] in its output array: image n's O channel planes, contiguous,
/// from <see cref="Offset"/> + n·<see cref="ImageStride"/> on (0: O·OH·OW, the dense tensor). A channel
/// concatenation of several convolutions' outputs is so written in place: each at its channels' offset, every image
/// one result image (ΣO planes) apart (see OnnxGraph).
/// </summary>
internal readonly record struct ConvPlacement(int Offset, int ImageStride)
{
    /// <summary>The dense output from the array's start.</summary>
    public static ConvPlacement Dense => default;

    /// <summary>Whether this is the dense output from the array's start.</summary>
    public bool IsDense(in ConvGeometry g) => Offset == 0 && (ImageStride == 0 || ImageStride == g.OutChannels * g.OutPlane);

    /// <summary>Floats from one image's output to the next.</summary>
    public int StrideOf(in ConvGeometry g) => ImageStride == 0 ? g.OutChannels * g.OutPlane : ImageStride;

    /// <summary>Where image <paramref name="n"/>'s output starts.</summary>
    public long ImageStart(in ConvGeometry g, int n) => Offset + (long)n * StrideOf(g);

    /// <summary>Whether the output fits <paramref name="length"/> floats this way: offset ≥ 0, images at least
    /// O·OH·OW apart, the last image's planes inside the array.</summary>
    public bool Fits(in ConvGeometry g, long length)
    {
        long image = (long)g.OutChannels * g.OutPlane;
        return Offset >= 0 && StrideOf(g) >= image && (g.Batch == 0 || ImageStart(g, g.Batch - 1) + image <= length);
    }

    /// <summary>Throws unless the output <see cref="Fits"/>.</summary>
    public void Check(in ConvGeometry g, long length, string op)
    {
        long image = (long)g.OutChannels * g.OutPlane;
        if (!Fits(g, length))
            throw new ArgumentException($"{op}: an output of {g.Batch} image(s) of {image} floats from offset {Offset}, {StrideOf(g)} apart, does not fit the {length} floats of the output array ({g}).");
    }
}
