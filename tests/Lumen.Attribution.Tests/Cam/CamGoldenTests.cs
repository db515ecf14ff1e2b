using Lumen.Attribution.Cam;
using Lumen.Onnx;
using Lumen.Tensors.IO;
using Lumen.Tensors;
using Lumen.TestSupport;
using Xunit.Abstractions;

namespace Lumen.Attribution.Tests.Cam;

/// <summary>
/// Grad-CAM against Captum 0.8.0's LayerGradCam on the shipped ImageNet models (../shared/fixtures; no ReLU, at the
/// layer's resolution and bilinearly upsampled to 224×224). The layer is named in results.json by its PyTorch
/// (onnx2torch) module name, which is the ONNX node name; its hook is the node's sanitized output name.
/// </summary>
public class CamGoldenTests(ITestOutputHelper output)
{
    [SharedTheory("fixtures", "models/imagenet")]
    [InlineData("mobilenetv2-1.0-224.coffee", "mobilenetv2-1.0-224.onnx", "MobilenetV2/Conv_1", 967, 1e-4)]
    [InlineData("tiny-darknet.chelsea", "tiny-darknet.onnx", "conv2d_16", 285, 1e-4)]
    // SqueezeNet ends in a softmax that is saturated here (p = 0.9966): the channel weights are p(δₖₜ − pₖ)/169, and the
    // map Σₖ αₖAₖ = p/169 · Σₖ≠ₜ pₖ(Aₜ − Aₖ) cancels, so float32 rounding of 1 − p (4 significant digits) shows;
    // measured 1.6e-4.
    [InlineData("squeezenet1.0-fp32.coffee", "squeezenet1.0-fp32.onnx", "conv10", 967, 3e-4)]
    public void Grad_cam_matches_captum_layer_grad_cam(string fixture, string modelFile, string layer, int target, double tolerance)
    {
        var model = OnnxModel.Load(SharedData.Path("models/imagenet/" + modelFile));
        // SqueezeNet's Conv node is unnamed in the shipped file (onnx2torch called it Conv_25); its output is conv10_1.
        var node = model.Model.Nodes.FirstOrDefault(n => n.Name == layer && n.OpType == "Conv")
            ?? model.Model.Nodes.Single(n => n.OpType == "Conv" && n.Outputs[0].StartsWith(layer + "_", StringComparison.Ordinal));
        var hook = model.HookNameOf(node.Outputs[0])!;
        string folder = SharedData.Path("fixtures/" + fixture);
        var input = Npy.Read(Path.Combine(folder, "input.npy"));
        var options = new CamOptions { Layer = hook, Relu = false, Upsample = false };
        var atLayer = new GradCam(model, options).Explain(input, Target.Class(target)).Map;
        var upsampled = new GradCam(model, options with { Upsample = true }).Explain(input, Target.Class(target)).Map;
        AssertClose(Npy.Read(Path.Combine(folder, "LayerGradCam.npy")), atLayer, $"{fixture} {hook}", tolerance);
        AssertClose(Npy.Read(Path.Combine(folder, "LayerGradCam_upsampled.npy")), upsampled, $"{fixture} {hook} upsampled", tolerance);
    }

    private void AssertClose(Tensor expected, Tensor actual, string what, double tolerance)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double diff = 0, norm = 0;
        var e = expected.AsReadOnlySpan();
        var a = actual.AsReadOnlySpan();
        for (int i = 0; i < e.Length; i++) { diff += (e[i] - a[i]) * (double)(e[i] - a[i]); norm += e[i] * (double)e[i]; }
        double relative = Math.Sqrt(diff / norm);
        output.WriteLine($"{what}: relative L2 {relative:E2}");
        Assert.True(relative <= tolerance, $"{what}: relative L2 error {relative:E3} > {tolerance}");
    }
}
