using Lumen.Tensors;
using Lumen.Tensors.Kernels;

namespace Lumen.Onnx.Graph;

/// <summary>
/// A channel concatenation of a single image that copies only its later inputs: the convolution that produces its
/// first input writes into an array with room for the whole result, and the Concat copies the other inputs after it.
/// </summary>
/// <remarks>Planned for a Concat along axis 1 whose input 0 is a convolution's output with its activation fused (SqueezeNet's
/// fire modules: expand 1×1 then expand 3×3, both Conv → Relu) that the Concat alone reads, once, and whose every input
/// comes from a convolution (through such an activation or directly), so that the result's channels are known from
/// the weights before anything runs. It runs only at pure inference (the caller's pool scope: no gradients, no
/// hooks — a hook on any node turns it off, so a producer's hook sees its own output as ever) and for a batch of one,
/// where the first input's channel planes are the result's first planes. Values are the copy's, bit for bit. At a
/// larger batch the images interleave, and the Concat copies as before. Copying none of the inputs would need every
/// convolution path to write at an offset into a larger array; copying half keeps the kernels as they are.</remarks>
internal sealed partial class OnnxGraph
{
    /// <summary>Concat node <paramref name="Concat"/> joins its inputs after the output of convolution
    /// <paramref name="Convolution"/> (whose activation gives its input 0), in an array of
    /// <paramref name="TotalChannels"/> channel planes.</summary>
    private sealed record FirstInPlace(int Convolution, int Concat, int TotalChannels);

    /// <summary>The planned concatenations, indexed by the convolution and by the Concat.</summary>
    private (FirstInPlace?[] ByConvolution, FirstInPlace?[] ByConcat) ConcatPlan(OnnxModel model, int[] lastUse, int[] producer, int[] reads)
    {
        var byConvolution = new FirstInPlace?[nodeInputs.Length];
        var byConcat = new FirstInPlace?[nodeInputs.Length];
        for (int m = 0; m < nodeInputs.Length; m++)
        {
            var node = model.Nodes[m];
            if (node.Domain is not ("" or "ai.onnx") || node.OpType != "Concat" || node.Int("axis", 0) != 1 || nodeInputs[m].Length < 2) continue;
            int first = nodeInputs[m][0];
            if (first < 0 || reads[first] != 1 || lastUse[first] != m || constants[first] is not null || producer[first] < 0) continue;
            if (inPlace[producer[first]] is not { } activation || fusions[activation.Producer]?.Consumer != producer[first]) continue;
            int total = 0;
            foreach (var s in nodeInputs[m])
            {
                int channels = s < 0 || producer[s] < 0 ? -1 : ConvolutionChannels(model, inPlace[producer[s]]?.Producer ?? producer[s]);
                if (channels <= 0) { total = -1; break; }
                total += channels;
            }
            if (total <= 0 || byConvolution[activation.Producer] is not null) continue;
            byConvolution[activation.Producer] = byConcat[m] = new FirstInPlace(activation.Producer, m, total);
        }
        return (byConvolution, byConcat);
    }

    /// <summary>The output channels of node <paramref name="n"/> when it is a 2-D convolution with a constant weight; else −1.</summary>
    private int ConvolutionChannels(OnnxModel model, int n)
    {
        var node = model.Nodes[n];
        if (node.Domain is not ("" or "ai.onnx") || node.OpType != "Conv" || nodeInputs[n].Length < 2 || nodeInputs[n][1] < 0) return -1;
        return constants[nodeInputs[n][1]] is { Rank: 4 } weight ? weight.Shape[0] : -1;
    }

    /// <summary>The channel planes that convolution <paramref name="n"/>'s output array should hold this time: its
    /// Concat's channels for a single [1, C, H, W] image, else 0 (just its own).</summary>
    private int Room(int n, Tensor?[] args) =>
        widenedFor[n] is { } plan && args[0] is { Rank: 4, DType: DType.Float32 } x && x.Shape[0] == 1 ? plan.TotalChannels : 0;

    /// <summary>The concatenation along axis 1 of single [1, Cₖ, H, W] images, written after the first in its array,
    /// which must have room; null when the arguments are not such images or the array is too short.</summary>
    private static Tensor? JoinAfterFirst(Tensor?[] args)
    {
        if (args[0] is not { Rank: 4, DType: DType.Float32 } head || head.Shape[0] != 1) return null;
        int channels = 0, size = 0;
        foreach (var t in args)
        {
            if (t is not { Rank: 4, DType: DType.Float32 } || t.Shape[0] != 1 || t.Shape[2] != head.Shape[2] || t.Shape[3] != head.Shape[3]) return null;
            channels += t.Shape[1];
            size += t.Size;
        }
        var array = head.Floats;
        if (array.Length < size) return null;
        for (int k = 1, at = head.Size; k < args.Length; at += args[k]!.Size, k++)
            ConcatCopy.CopyFloats(args[k]!.AsReadOnlySpan(), array.AsSpan(at, args[k]!.Size));
        return new Tensor(new Shape(1, channels, head.Shape[2], head.Shape[3]), array);
    }
}
