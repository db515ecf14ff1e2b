using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Onnx.Tests;

/// <summary>Mutated real model files never crash or hang the loader: each either loads and runs, or fails with an
/// <see cref="OnnxException"/>.</summary>
public class FuzzTests
{
    [Fact]
    public void MutatedModelBytesFailCleanly()
    {
        var path = SharedData.Find("models/mnist/mnist-cntk-opset7.onnx", out _);
        byte[] original = path is not null ? File.ReadAllBytes(path) : BuiltInModel();
        var rng = new Random(12345);
        var input = Tensor.Rand(new Shape(1, 1, 28, 28), seed: 1);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        int loaded = 0, rejected = 0;
        for (int trial = 0; trial < 300 && DateTime.UtcNow < deadline; trial++)
        {
            var bytes = (byte[])original.Clone();
            int kind = trial % 3;
            if (kind == 0) for (int k = 0; k < 1 + rng.Next(8); k++) bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
            else if (kind == 1) bytes = bytes[..rng.Next(bytes.Length)];
            else for (int k = 0; k < 4; k++) bytes[rng.Next(Math.Min(bytes.Length, 2048))] ^= (byte)(1 << rng.Next(8));
            try
            {
                var model = OnnxModel.Load(new MemoryStream(bytes), $"mutant{trial}.onnx");
                if (model.Model.Inputs.Count == 1 && model.Model.Inputs[0].Storage == DType.Float32)
                {
                    using var off = GradMode.Off();
                    model.Call([input]);
                }
                loaded++;
            }
            catch (OnnxException e)
            {
                Assert.Contains($"mutant{trial}.onnx", e.Message);
                rejected++;
            }
        }
        Assert.True(loaded + rejected > 0);
        Assert.True(rejected > 0, "no mutation was rejected; the fuzzer is not exercising the error paths");
    }

    private static byte[] BuiltInModel() => new OnnxBuilder(13)
        .Input("x", Schema.TensorProto.Types.DataType.Float, 1, 1, 28, 28)
        .Initializer("w", Tensor.Randn(new Shape(4, 1, 3, 3), seed: 2))
        .Node("Conv", ["x", "w"], ["c"], ("pads", new long[] { 1, 1, 1, 1 }))
        .Node("Relu", ["c"], ["r"])
        .Node("MaxPool", ["r"], ["y"], ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }))
        .Output("y")
        .ToBytes();
}
