using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests;

/// <summary>Captum's BasicModel_MultiLayer: linear0 = I₃, linear1 = ones(4, 3) with bias [−10, 1, 1, 1], ReLU,
/// linear2 = ones(2, 4) with bias [−1, 1].</summary>
internal sealed class MultiLayerModel : Module, IContainer
{
    public MultiLayerModel()
    {
        Linear0 = Register("linear0", new Linear(3, 3));
        Linear1 = Register("linear1", new Linear(3, 4));
        Relu = Register("relu", new Relu());
        Linear2 = Register("linear2", new Linear(4, 2));
        Linear0.Weight.CopyFrom(Tensor.FromArray([1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f], 3, 3));
        Linear0.Bias!.CopyFrom(Tensor.Zeros(3));
        Linear1.Weight.CopyFrom(Tensor.Ones(4, 3));
        Linear1.Bias!.CopyFrom(Tensor.FromArray([-10f, 1f, 1f, 1f], 4));
        Linear2.Weight.CopyFrom(Tensor.Ones(2, 4));
        Linear2.Bias!.CopyFrom(Tensor.FromArray([-1f, 1f], 2));
    }

    public Linear Linear0 { get; }
    public Linear Linear1 { get; }
    public Relu Relu { get; }
    public Linear Linear2 { get; }

    protected override Tensor Forward(Tensor x) => Linear2.Call(Relu.Call(Linear1.Call(Linear0.Call(x))));
}

/// <summary>Captum's BasicModel_ConvNet_One_Conv: conv1 (1→2, 3×3, weights 1, bias [−50, −75]), ReLU, view(−1, 8),
/// fc1 (8→4, weights [1 ×5, −1 ×3], bias 0), ReLU.</summary>
internal sealed class OneConvModel : Module
{
    public OneConvModel()
    {
        Conv1 = Register("conv1", new Conv2d(1, 2, 3));
        Relu1 = Register("relu1", new Relu());
        Fc1 = Register("fc1", new Linear(8, 4));
        Relu2 = Register("relu2", new Relu());
        Conv1.Weight.CopyFrom(Tensor.Ones(2, 1, 3, 3));
        Conv1.Bias!.CopyFrom(Tensor.FromArray([-50f, -75f], 2));
        float[] row = [1, 1, 1, 1, 1, -1, -1, -1];
        Fc1.Weight.CopyFrom(Tensor.FromArray([.. row, .. row, .. row, .. row], 4, 8));
        Fc1.Bias!.CopyFrom(Tensor.Zeros(4));
    }

    public Conv2d Conv1 { get; }
    public Relu Relu1 { get; }
    public Linear Fc1 { get; }
    public Relu Relu2 { get; }

    protected override Tensor Forward(Tensor x) => Relu2.Call(Fc1.Call(Relu1.Call(Conv1.Call(x)).Reshape(-1, 8)));
}
