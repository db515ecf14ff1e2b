using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>NonMaxSuppression: greedy per-class box selection by score, dropping boxes that overlap a selected one.</summary>
/// <remarks>For each batch and class, boxes scoring above score_threshold are visited by decreasing score (ties by
/// index); a box is kept unless its intersection over union with a kept box exceeds iou_threshold, until
/// max_output_boxes_per_class are kept. IoU = |A∩B| / (|A| + |B| − |A∩B|), 0 when either box is empty. Boxes are
/// [y1, x1, y2, x2] with the corners in either order (center_point_box 0) or [x_center, y_center, width, height]
/// (center_point_box 1). The output lists [batch, class, box] triples (int64); no gradient. See Neubeck and
/// Van Gool, "Efficient Non-Maximum Suppression", ICPR 2006.</remarks>
internal static class DetectionOps
{
    public static void Register() => OnnxOps.Register("NonMaxSuppression", 10, node =>
    {
        bool centers = node.Int("center_point_box", 0) != 0;
        return inputs =>
        {
            var boxes = inputs.Arg(0);
            var scores = inputs.Arg(1);
            long maxOutput = inputs.Optional(2) is { Size: > 0 } m ? OpHelpers.Longs(m)[0] : 0;
            float iouThreshold = inputs.Optional(3) is { Size: > 0 } iou ? CastOps.To(iou, DType.Float32).ToArray()[0] : 0f;
            float? scoreThreshold = inputs.Optional(4) is { Size: > 0 } st ? CastOps.To(st, DType.Float32).ToArray()[0] : null;
            if (boxes.Rank != 3 || boxes.Shape[2] != 4 || scores.Rank != 3 || scores.Shape[0] != boxes.Shape[0] || scores.Shape[2] != boxes.Shape[1])
                throw new ArgumentException($"NonMaxSuppression: boxes must be [batch, boxes, 4] and scores [batch, classes, boxes], got {boxes.Shape} and {scores.Shape}.");
            return [Select(boxes, scores, maxOutput, iouThreshold, scoreThreshold, centers)];
        };
    });

    private static Tensor Select(Tensor boxes, Tensor scores, long maxOutput, float iouThreshold, float? scoreThreshold, bool centers)
    {
        int batches = boxes.Shape[0], count = boxes.Shape[1], classes = scores.Shape[1];
        var b = boxes.AsReadOnlySpan();
        var s = scores.ToArray();
        var corners = new (float Y1, float X1, float Y2, float X2)[batches * count];
        for (int i = 0; i < corners.Length; i++)
        {
            float p0 = b[4 * i], p1 = b[4 * i + 1], p2 = b[4 * i + 2], p3 = b[4 * i + 3];
            corners[i] = centers
                ? (p1 - p3 / 2, p0 - p2 / 2, p1 + p3 / 2, p0 + p2 / 2)
                : (Math.Min(p0, p2), Math.Min(p1, p3), Math.Max(p0, p2), Math.Max(p1, p3));
        }
        var selected = new List<long>();
        for (int batch = 0; batch < batches; batch++)
            for (int c = 0; c < classes; c++)
            {
                int offset = (batch * classes + c) * count;
                var order = Enumerable.Range(0, count).Where(i => scoreThreshold is not { } t || s[offset + i] > t)
                    .OrderByDescending(i => s[offset + i]).ThenBy(i => i).ToList();
                var kept = new List<int>();
                foreach (var i in order)
                {
                    if (kept.Count >= maxOutput) break;
                    if (kept.All(k => Iou(corners[batch * count + k], corners[batch * count + i]) <= iouThreshold)) kept.Add(i);
                }
                foreach (var k in kept) selected.AddRange([batch, c, k]);
            }
        return OpHelpers.LongTensor([.. selected], new Shape(selected.Count / 3, 3));
    }

    private static float Iou((float Y1, float X1, float Y2, float X2) a, (float Y1, float X1, float Y2, float X2) b)
    {
        float areaA = (a.Y2 - a.Y1) * (a.X2 - a.X1), areaB = (b.Y2 - b.Y1) * (b.X2 - b.X1);
        if (areaA <= 0 || areaB <= 0) return 0;
        float h = Math.Max(0, Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1));
        float w = Math.Max(0, Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1));
        float intersection = h * w;
        return intersection / (areaA + areaB - intersection);
    }
}
