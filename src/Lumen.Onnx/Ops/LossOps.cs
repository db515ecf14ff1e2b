using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss as composites (gather, weights, ignore_index,
/// reductions none/sum/mean).</summary>
internal static class LossOps
{
    public static void Register()
    {
        OnnxOps.Register("NegativeLogLikelihoodLoss", 12, node =>
        {
            var (reduction, ignore) = Attributes(node);
            return inputs => [Nll(inputs.Arg(0), inputs.Arg(1), inputs.Optional(2), reduction, ignore)];
        });
        OnnxOps.Register("SoftmaxCrossEntropyLoss", 12, node =>
        {
            var (reduction, ignore) = Attributes(node);
            return inputs =>
            {
                var scores = inputs.Arg(0);
                var shifted = scores - scores.Detach().Max(1, keepDims: true);
                var logProb = shifted - shifted.Exp().Sum(1, keepDims: true).Log(); // log_softmax over classes
                return [Nll(logProb, inputs.Arg(1), inputs.Optional(2), reduction, ignore), logProb];
            };
        });
    }

    private static (string Reduction, long? Ignore) Attributes(OnnxNode node)
    {
        string reduction = node.String("reduction", "mean");
        if (reduction is not ("none" or "sum" or "mean")) throw node.Unsupported($"reduction '{reduction}'");
        return (reduction, node.Has("ignore_index") ? node.Int("ignore_index") : null);
    }

    // loss[n, d…] = −w[t]·input[n, t, d…] with t = target[n, d…]; entries whose target is ignore_index weigh 0.
    // mean divides the weighted sum by the sum of the weights.
    private static Tensor Nll(Tensor input, Tensor target, Tensor? weight, string reduction, long? ignore)
    {
        var t = target.ToInt64Array();
        var keep = new float[t.Length];
        var safe = new long[t.Length];
        for (int i = 0; i < t.Length; i++)
        {
            bool ignored = ignore is { } ig && t[i] == ig;
            keep[i] = ignored ? 0f : 1f;
            safe[i] = ignored ? 0 : t[i];
        }
        var safeTarget = OpHelpers.LongTensor(safe, target.Shape);
        var dims = input.Shape.ToArray();
        dims[1] = 1;
        var picked = input.Gather(1, safeTarget.Reshape(dims)).Reshape(target.Shape.ToArray()); // [N, d…]
        var w = OpHelpers.FloatTensor(keep, target.Shape);
        if (weight is not null) w = w * weight.IndexSelect(0, safeTarget);
        var loss = -(picked * w);
        return reduction switch
        {
            "none" => loss,
            "sum" => loss.Sum(),
            _ => loss.Sum() / w.Sum(),
        };
    }
}
