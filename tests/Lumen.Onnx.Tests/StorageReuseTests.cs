using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>Inference forwards recycle released intermediates through the module's storage pool: results must be
/// bitwise those of a forward without reuse, results handed back earlier must never change, and storage that a
/// live value still shares (an alias or a view) must not be reused.</summary>
[Collection(BlockedSwitchCollection.Name)]
public class StorageReuseTests
{
    [Fact]
    public void Aliased_and_viewed_intermediates_are_not_reused_while_a_result_shares_them()
    {
        // r = Relu(x) is released after Identity and Reshape read it, but both outputs share its storage.
        var model = new OnnxBuilder(13)
            .Input("x", DataType.Float, 2, 3)
            .Initializer("shape", Tensor.FromArray([3L, 2L], 2))
            .Node("Relu", ["x"], ["r"])
            .Node("Identity", ["r"], ["same"])
            .Node("Reshape", ["r", "shape"], ["view"])
            .Node("Neg", ["x"], ["n"])
            .Node("Abs", ["n"], ["a"])
            .Output("same", DataType.Float, 2, 3)
            .Output("view", DataType.Float, 3, 2)
            .Output("a", DataType.Float, 2, 3)
            .Build();
        var x1 = Tensor.FromArray([1f, -2f, 3f, -4f, 5f, -6f], 2, 3);
        var x2 = Tensor.FromArray([-9f, 8f, -7f, 6f, -5f, 4f], 2, 3);
        IReadOnlyList<Tensor> first, second;
        using (GradMode.Off())
        {
            first = model.Call([x1]);
            var kept = first.Select(t => t.ToArray()).ToList();
            second = model.Call([x2]);
            for (int i = 0; i < first.Count; i++) Assert.Equal(kept[i], first[i].ToArray());
        }
        Assert.Equal([1f, 0f, 3f, 0f, 5f, 0f], first[0].ToArray());
        Assert.Equal([0f, 8f, 0f, 6f, 0f, 4f], second[1].ToArray());
        Assert.Equal([9f, 8f, 7f, 6f, 5f, 4f], second[2].ToArray());
        Assert.Equal([1f, -2f, 3f, -4f, 5f, -6f], x1.ToArray());
    }

    [SharedTheory("models/imagenet", "data/ppm224")]
    [InlineData(0)]   // SqueezeNet
    [InlineData(2)]   // Tiny Darknet
    [InlineData(3)]   // MobileNetV2
    public void Repeated_inference_reusing_storage_equals_a_forward_without_reuse_bitwise(int model)
    {
        using var nchw = BlockedSwitch.Set(false);   // the blocked layout rounds otherwise (BlockedChainTests)
        var (file, _, pixel, bgr) = RealModels.ImageNet[model];
        var module = OnnxModel.Load(SharedData.Path("models/" + file));
        var kitten = RealModels.LoadPpm(SharedData.Path("data/ppm224/kitten.ppm"), pixel, bgr);
        var noise = Tensor.Randn(kitten.Shape, seed: 3);
        var expectedKitten = module.Call(kitten.RequireGrad()).ToArray();   // gradients on: no reuse
        var expectedNoise = module.Call(noise.RequireGrad()).ToArray();
        using (GradMode.Off())
        {
            var first = module.Call(kitten);
            var second = module.Call(noise);
            var third = module.Call(kitten);
            Assert.Equal(expectedKitten, first.ToArray());
            Assert.Equal(expectedNoise, second.ToArray());
            Assert.Equal(expectedKitten, third.ToArray());
        }
    }
}
