using Lumen.Tensors;
using Lumen.Tensors.Kernels;

namespace Lumen.Onnx.Graph;

/// <summary>
/// A channel concatenation that copies little or nothing: the convolutions that produce its inputs write their outputs
/// straight into the result's array, each image's planes at its channels, and the Concat copies only the inputs that
/// were not so written.
/// </summary>
/// <remarks>Planned for a Concat along axis 1 whose input 0 is a convolution's output with its activation fused (SqueezeNet's
/// fire modules: expand 1×1 then expand 3×3, both Conv → Relu) that the Concat alone reads, once, and whose every input
/// comes from a convolution (through such an activation or directly), so that the result's channels are known from
/// the weights before anything runs. The first convolution allocates the result's array and writes its images there,
/// one result image apart. A later input is written in place when it is likewise a fused convolution's output that
/// only the Concat reads, once, and that convolution runs after the first one (<see cref="Conv2dKernel.ForwardAt"/>,
/// <see cref="ConvPlacement"/>). It runs only at pure inference (the caller's pool scope: no gradients, no hooks — a
/// hook on any node turns it off, so a producer's hook sees its own output as ever). Values are the copy's, bit for
/// bit. An input written in place is, until the Concat, a tensor of its shape over the result's array (which does not
/// hold its values in its layout): nothing but the Concat reads it.</remarks>
internal sealed partial class OnnxGraph
{
    /// <summary>Concat node <paramref name="Concat"/> joins its inputs in the array that convolution
    /// <paramref name="Convolution"/> (whose activation gives its input 0) makes for the whole result,
    /// <paramref name="TotalChannels"/> channel planes an image; input k starts at channel
    /// <paramref name="ChannelsBefore"/>[k] and comes from convolution <paramref name="Tails"/>[k], which may write it
    /// there itself, or −1 (input 0 and the inputs the Concat copies).</summary>
    private sealed record FirstInPlace(int Convolution, int Concat, int TotalChannels, int[] Tails, int[] ChannelsBefore);

    /// <summary>A convolution that writes input <paramref name="Input"/> of <paramref name="Plan"/>'s Concat in place.</summary>
    private sealed record TailInPlace(FirstInPlace Plan, int Input);

    /// <summary>The planned concatenations, indexed by the first input's convolution, by the Concat and by the
    /// convolution of each later input written in place.</summary>
    private (FirstInPlace?[] ByConvolution, FirstInPlace?[] ByConcat, TailInPlace?[] ByTail) ConcatPlan(OnnxModel model, int[] lastUse, int[] producer, int[] reads)
    {
        var byConvolution = new FirstInPlace?[nodeInputs.Length];
        var byConcat = new FirstInPlace?[nodeInputs.Length];
        var byTail = new TailInPlace?[nodeInputs.Length];
        for (int m = 0; m < nodeInputs.Length; m++)
        {
            var node = model.Nodes[m];
            if (node.Domain is not ("" or "ai.onnx") || node.OpType != "Concat" || node.Int("axis", 0) != 1 || nodeInputs[m].Length < 2) continue;
            if (FusedOnlyFor(nodeInputs[m][0], m, lastUse, producer, reads) is not { } head || byConvolution[head] is not null) continue;
            // each input's channels from its convolution's weights: where it starts in the result, and the total
            var inputs = nodeInputs[m];
            var before = new int[inputs.Length];
            int total = 0;
            for (int k = 0; k < inputs.Length && total >= 0; k++)
            {
                int s = inputs[k], channels = s < 0 || producer[s] < 0 ? -1 : ConvolutionChannels(model, inPlace[producer[s]]?.Producer ?? producer[s]);
                before[k] = total;
                total = channels <= 0 ? -1 : total + channels;
            }
            if (total <= 0) continue;
            var tails = new int[inputs.Length];
            for (int k = 0; k < inputs.Length; k++)
                tails[k] = k > 0 && FusedOnlyFor(inputs[k], m, lastUse, producer, reads) is { } conv && conv > head && byTail[conv] is null ? conv : -1;
            var plan = byConvolution[head] = byConcat[m] = new FirstInPlace(head, m, total, tails, before);
            for (int k = 1; k < inputs.Length; k++)
                if (tails[k] >= 0) byTail[tails[k]] = new TailInPlace(plan, k);
        }
        return (byConvolution, byConcat, byTail);
    }

    /// <summary>The inputs of Concat node <paramref name="concat"/> that their convolutions are planned to write in
    /// place (none when the Concat is not planned).</summary>
    internal int[] InputsWrittenInPlace(int concat) =>
        joinedAfter[concat] is { } plan ? [.. Enumerable.Range(0, plan.Tails.Length).Where(k => plan.Tails[k] >= 0)] : [];

    /// <summary>The convolution whose fused activation gives value <paramref name="s"/>, when node <paramref name="m"/>
    /// alone reads it, once (not a graph output); else null.</summary>
    private int? FusedOnlyFor(int s, int m, int[] lastUse, int[] producer, int[] reads)
    {
        if (s < 0 || reads[s] != 1 || lastUse[s] != m || constants[s] is not null || producer[s] < 0) return null;
        return inPlace[producer[s]] is { } activation && fusions[activation.Producer]?.Consumer == producer[s] ? activation.Producer : null;
    }

    /// <summary>The output channels of node <paramref name="n"/> when it is a 2-D convolution with a constant weight; else −1.</summary>
    private int ConvolutionChannels(OnnxModel model, int n)
    {
        var node = model.Nodes[n];
        if (node.Domain is not ("" or "ai.onnx") || node.OpType != "Conv" || nodeInputs[n].Length < 2 || nodeInputs[n][1] < 0) return -1;
        return constants[nodeInputs[n][1]] is { Rank: 4 } weight ? weight.Shape[0] : -1;
    }

    /// <summary>Convolution n's output, with its fused activation <paramref name="f"/>, written as the first input of
    /// its Concat (<paramref name="plan"/>) into a new array for the whole result, one result image apart: a tensor of
    /// its shape over that array; null, with nothing written, when it cannot be (no activation this time, not a 2-D
    /// convolution of float images).</summary>
    private Tensor? FirstInResult(FirstInPlace plan, Fusion f, Tensor?[] args, Tensor?[] values)
    {
        if (args[0] is not { Rank: 4, DType: DType.Float32 } x || f.Conv.OutputSize(args) is not { } size) return null;
        if (ActivationOf(f, values) is not { } activation) return null;
        int image = checked(plan.TotalChannels * size.Height * size.Width);
        var array = StoragePool.NewFloats(checked(x.Shape[0] * image), overwrite: true);
        return f.Conv.ActivatedInto(args, activation, array, new ConvPlacement(0, image)) is { } shape ? new Tensor(shape, array) : null;
    }

    /// <summary>Convolution n's output, with its fused activation <paramref name="f"/>, written in place into the array
    /// of its Concat's result (<paramref name="tail"/>), which the first input's convolution made: a tensor of its
    /// shape over that array; null, with the result's array perhaps written at this input's place but nothing else,
    /// when it cannot be (no activation this time, or not the first input's images and plane).</summary>
    private Tensor? WrittenInPlace(TailInPlace tail, Fusion f, Tensor?[] args, Tensor?[] values)
    {
        if (values[nodeInputs[tail.Plan.Concat][0]] is not { Rank: 4, DType: DType.Float32 } head) return null;
        if (ActivationOf(f, values) is not { } activation) return null;
        int plane = head.Shape[2] * head.Shape[3];
        var place = new ConvPlacement(checked(tail.Plan.ChannelsBefore[tail.Input] * plane), checked(tail.Plan.TotalChannels * plane));
        var shape = f.Conv.ActivatedInto(args, activation, head.Floats, place);
        if (shape is not { Rank: 4 } s || s[0] != head.Shape[0] || s[2] != head.Shape[2] || s[3] != head.Shape[3]) return null;
        return new Tensor(s, head.Floats);
    }

    /// <summary>The concatenation along axis 1 in the array of its first input, which its convolution wrote there
    /// (<see cref="FirstInResult"/>), copying each image of the inputs whose convolution did not write them in place
    /// (<paramref name="placed"/>) to its channels. The first input's images are not where a tensor of its shape
    /// reads them, so inputs that do not join (shapes, types, channels) are an error here, not a fallback.</summary>
    private Tensor JoinInResult(Tensor?[] args, FirstInPlace plan, bool[] placed)
    {
        var head = args[0]!;
        int images = head.Shape[0], height = head.Shape[2], width = head.Shape[3], plane = height * width, channels = 0;
        foreach (var t in args)
        {
            if (t is not { Rank: 4, DType: DType.Float32 } || t.Shape[0] != images || t.Shape[2] != height || t.Shape[3] != width)
                throw new ArgumentException($"Concat: inputs ({string.Join(", ", args.Select(a => a is null ? "none" : $"{a.Shape} {a.DType}"))}) do not join along axis 1.");
            channels += t.Shape[1];
        }
        if (channels != plan.TotalChannels)
            throw new ArgumentException($"Concat: inputs of {channels} channels in all, not the {plan.TotalChannels} their convolutions' weights give.");
        var array = head.Floats;
        for (int k = 1; k < args.Length; k++)
        {
            if (plan.Tails[k] >= 0 && placed[plan.Tails[k]]) continue;
            int part = args[k]!.Shape[1] * plane;
            var source = args[k]!.AsReadOnlySpan();
            for (int n = 0; n < images; n++)
                ConcatCopy.CopyFloats(source.Slice(n * part, part), array.AsSpan((n * channels + plan.ChannelsBefore[k]) * plane, part));
        }
        return new Tensor(new Shape(images, channels, height, width), array);
    }
}
