using Lumen.Attribution.Cam;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests.Cam;

public class CamTests
{
    private static readonly Tensor Arange16 = Tensor.Arange(16).Reshape(1, 1, 4, 4);
    private static readonly CamOptions Raw = new() { Layer = "conv1", Relu = false, Upsample = false };

    [Fact]
    public void Grad_cam_on_a_linear_layer_matches_captum_400()
    {
        var x = Tensor.FromArray([0f, 100f, 0f], 1, 3);
        var map = new GradCam(new MultiLayerModel(), new() { Layer = "linear0", Relu = false }).Explain(x, Target.Class(0)).Map;
        Assert.Equal(new Shape(1, 1), map.Shape);
        Assert.Equal(400f, map.Item(), 3);
    }

    [Fact]
    public void Grad_cam_on_one_conv_matches_captum()
    {
        // A = conv1(x) = [[−5, 4], [31, 40]] and [[−30, −21], [6, 15]]; ∂y/∂A = [[0, 1], [1, 1]] and [[0, 0], [−1, −1]];
        // α = [0.75, −0.5] → 0.75·A₀ − 0.5·A₁.
        var map = new GradCam(new OneConvModel(), Raw).Explain(Arange16, Target.Class(0)).Map;
        Assert.Equal(new Shape(1, 1, 2, 2), map.Shape);
        GradAssert.Close([11.25f, 13.5f, 20.25f, 22.5f], map.ToArray(), 1e-5f);
    }

    [Fact]
    public void Grad_cam_plus_plus_weighs_positive_gradients_per_position()
    {
        // Channel 0: G ∈ {0, 1}, ΣA = 70 → α = 1/(2 + 70) at the three G = 1 positions, w₀ = 3/72. Channel 1: G ≤ 0 → w₁ = 0.
        var map = new GradCamPlusPlus(new OneConvModel(), Raw).Explain(Arange16, Target.Class(0)).Map;
        GradAssert.Close([-5f / 24, 4f / 24, 31f / 24, 40f / 24], map.ToArray(), 1e-5f);
    }

    [Fact]
    public void XGrad_cam_normalises_gradient_weights_by_the_activation_sum()
    {
        // w₀ = (4 + 31 + 40)/70, w₁ = (−6 − 15)/(−30) = 0.7.
        double w0 = 75.0 / 70, w1 = 0.7;
        float[] expected = [(float)(-5 * w0 - 30 * w1), (float)(4 * w0 - 21 * w1), (float)(31 * w0 + 6 * w1), (float)(40 * w0 + 15 * w1)];
        var map = new XGradCam(new OneConvModel(), Raw).Explain(Arange16, Target.Class(0)).Map;
        GradAssert.Close(expected, map.ToArray(), 1e-4f);
    }

    [Fact]
    public void Layer_cam_keeps_positive_gradient_times_activation_per_position()
    {
        var map = new LayerCam(new OneConvModel(), Raw).Explain(Arange16, Target.Class(0)).Map;
        GradAssert.Close([0f, 4f, 31f, 40f], map.ToArray(), 1e-5f);
    }

    [Fact]
    public void Relu_option_clips_the_negative_part()
    {
        var map = new XGradCam(new OneConvModel(), Raw with { Relu = true }).Explain(Arange16, Target.Class(0)).Map.ToArray();
        Assert.Equal(0f, map[0]);
        Assert.Equal(0f, map[1]);
        Assert.True(map[3] > 50f);
    }

    [Fact]
    public void Eigen_cam_of_a_rank_one_activation_is_the_centred_pattern_times_the_channel_norm()
    {
        // features = 1×1 conv with weights [3, 4]: A_k = c_k · x → centred X = (x − x̄) cᵀ, X v₁ = (x − x̄)·‖c‖.
        var conv = new Conv2d(1, 2, 1, bias: false);
        conv.Weight.CopyFrom(Tensor.FromArray([3f, 4f], 2, 1, 1, 1));
        var model = new Sequential(conv, new Flatten(), new Linear(8, 2));
        var x = Tensor.FromArray([1f, 2f, 3f, 6f], 1, 1, 2, 2);
        var map = new EigenCam(model, new() { Layer = "0", Relu = false, Upsample = false }).Explain(x, Target.Class(0)).Map;
        Assert.Equal(new Shape(1, 1, 2, 2), map.Shape);
        GradAssert.Close([-10f, -5f, 0f, 15f], map.ToArray(), 1e-4f);
        var other = new EigenCam(model, new() { Layer = "0", Relu = false, Upsample = false }).Explain(x, Target.Class(1)).Map;
        Assert.Equal(map.ToArray(), other.ToArray()); // target-independent
    }

    [Fact]
    public void Default_layer_is_the_last_spatial_hook_point_and_maps_are_upsampled_to_the_input()
    {
        var model = new Sequential(new Conv2d(1, 3, 3, padding: 1, rng: new Random(1)), new Relu(), new AdaptiveAvgPool2d(1), new Flatten(), new Linear(3, 2, rng: new Random(2)));
        var x = Tensor.Randn(new Shape(2, 1, 5, 5), seed: 3);
        Assert.Equal("1", CamMethod.DefaultLayer(model, x)); // the ReLU: the pool's output is 1×1
        var auto = new GradCam(model).Explain(x, Target.Class(1)).Map;
        var named = new GradCam(model, new() { Layer = "1" }).Explain(x, Target.Class(1)).Map;
        Assert.Equal(new Shape(2, 1, 5, 5), auto.Shape);
        Assert.Equal(named.ToArray(), auto.ToArray());
        Assert.All(auto.ToArray(), v => Assert.True(v >= 0));
    }

    [Fact]
    public void Bilinear_upsampling_uses_half_pixel_centres_like_pytorch()
    {
        // A 2×2 map [[0, 1], [2, 3]] upsampled to 4×4 (F.interpolate bilinear, align_corners=False): row 0 is
        // [0, 0.25, 0.75, 1], row 1 is [0.5, 0.75, 1.25, 1.5].
        // LayerCam of a 2×2 average pool with target Σ pool: gradient 1, so the map is the pool's output
        // [[0, 1], [2, 3]], upsampled to the 4×4 input.
        var x = Tensor.FromArray([0f, 1f, 2f, 3f], 1, 1, 2, 2);
        var model = new Sequential(new AvgPool2d(2));
        var map = new LayerCam(model, new() { Layer = "0", Relu = false }).Explain(Upsampled(x), Target.Custom("sum", o => o.Sum([1, 2, 3]))).Map;
        Assert.Equal(new Shape(1, 1, 4, 4), map.Shape);
        GradAssert.Close([0f, 0.25f, 0.75f, 1f, 0.5f, 0.75f, 1.25f, 1.5f], map.ToArray()[..8], 1e-6f);
    }

    [Fact]
    public void Unknown_layers_and_non_spatial_models_are_refused_with_names()
    {
        var ex = Assert.Throws<ArgumentException>(() => new GradCam(new OneConvModel(), new() { Layer = "conv9" }));
        Assert.Contains("conv9", ex.Message);
        var flat = Assert.Throws<InvalidOperationException>(() => new GradCam(new MultiLayerModel()).Explain(Tensor.Ones(1, 3), Target.Class(0)));
        Assert.Contains("CamOptions.Layer", flat.Message);
    }

    /// <summary>A [1, 1, 4, 4] input whose 2×2 average pool is <paramref name="x"/>.</summary>
    private static Tensor Upsampled(Tensor x)
    {
        var v = x.ToArray();
        var data = new float[16];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) data[i * 4 + j] = v[i / 2 * 2 + j / 2];
        return Tensor.FromArray(data, 1, 1, 4, 4);
    }
}
