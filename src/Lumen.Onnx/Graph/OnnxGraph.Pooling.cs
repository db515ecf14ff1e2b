using Lumen.Tensors;

namespace Lumen.Onnx.Graph;

/// <summary>
/// A convolution that pools its own output: Conv → activation → MaxPool, where only the MaxPool reads the activation,
/// runs as one band-by-band pass at pure inference (<see cref="Ops.ConvolutionOps.FusedConv.ActivatedMaxPooled"/>),
/// so the convolution's whole output is never written to memory and read back: a network's first layer
/// (SqueezeNet's 64 × 111², Tiny Darknet's 16 × 224², at any batch).
/// </summary>
/// <remarks>Only where the convolution takes the direct path (at most 36 taps per output; others run as before), only
/// in the caller's pool scope (no gradients, no hooks: a hook on any node turns it off), and bitwise the nodes in
/// sequence. Until the MaxPool, the convolution's and the activation's values are the pooled tensor (nothing else
/// reads them); a profile charges the pooling to the convolution.</remarks>
internal sealed partial class OnnxGraph
{
    /// <summary>Convolution <paramref name="Convolution"/>'s activated output is pooled by MaxPool node
    /// <paramref name="Pool"/> with <paramref name="Window"/>.</summary>
    private sealed record PooledConvolution(int Convolution, int Pool, Ops.PoolingOps.MaxPoolWindow Window);

    /// <summary>The planned pooled convolutions, indexed by the convolution.</summary>
    private PooledConvolution?[] PoolingPlan(OnnxModel model, int[] lastUse, int[] producer, int[] reads)
    {
        var plan = new PooledConvolution?[nodeInputs.Length];
        for (int m = 0; m < nodeInputs.Length; m++)
        {
            var node = model.Nodes[m];
            if (node.Domain is not ("" or "ai.onnx") || node.OpType != "MaxPool" || nodeInputs[m].Length != 1) continue;
            if (FusedOnlyFor(nodeInputs[m][0], m, lastUse, producer, reads) is not { } conv || plan[conv] is not null) continue;
            if (Ops.PoolingOps.MaxPoolWindowOf(node) is { } window) plan[conv] = new PooledConvolution(conv, m, window);
        }
        return plan;
    }

    /// <summary>The MaxPool node that convolution node <paramref name="convolution"/> is planned to pool into, or −1.</summary>
    internal int PooledInto(int convolution) => pooledAfter[convolution]?.Pool ?? -1;

    /// <summary>Convolution n's output, with its fused activation <paramref name="f"/>, max-pooled as
    /// <paramref name="pooling"/> says; null, with nothing run, when it cannot be (no activation this time, or not the
    /// direct path).</summary>
    private Tensor? Pooled(PooledConvolution pooling, Fusion f, Tensor?[] args, Tensor?[] values) =>
        args[0] is { DType: DType.Float32 } && ActivationOf(f, values) is { } activation
            ? f.Conv.ActivatedMaxPooled(args, activation, pooling.Window)
            : null;
}
