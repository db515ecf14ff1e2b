using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.NN.Tests;

public class ActivationLayerTests
{
    private static readonly float[] Values = [-2f, -0.5f, 0.25f, 1.5f];

    public static TheoryData<string> Names => ["Relu", "LeakyRelu", "Gelu", "GeluTanh", "Silu", "Sigmoid", "Tanh"];

    private static (Module Layer, Func<double, double> Reference) Make(string name) => name switch
    {
        "Relu" => (new Relu(), x => Math.Max(x, 0)),
        "LeakyRelu" => (new LeakyRelu(0.2f), x => x > 0 ? x : 0.2 * x),
        "Gelu" => (new Gelu(), x => 0.5 * x * (1 + Erf(x / Math.Sqrt(2)))),
        "GeluTanh" => (new Gelu(approximate: true), x => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))),
        "Silu" => (new Silu(), x => x / (1 + Math.Exp(-x))),
        "Sigmoid" => (new Sigmoid(), x => 1 / (1 + Math.Exp(-x))),
        _ => (new Tanh(), Math.Tanh),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void ActivationsApplyTheirFormulaElementwise(string name)
    {
        var (layer, reference) = Make(name);
        Assert.IsAssignableFrom<IActivation>(layer);
        var y = layer.Call(Tensor.FromArray(Values, 2, 2));
        Assert.Equal(new Shape(2, 2), y.Shape);
        for (int i = 0; i < Values.Length; i++) Assert.Equal(reference(Values[i]), y.AsReadOnlySpan()[i], 4);
    }

    [Fact]
    public void SoftmaxAndLogSoftmaxNormaliseTheChosenAxis()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 0f, 0f, 0f], 2, 3);
        var p = new Softmax().Call(x).ToArray();
        Assert.Equal(1f, p[0] + p[1] + p[2], 5);
        Assert.Equal(1f / 3, p[4], 5);
        var columns = new Softmax(axis: 0).Call(x).ToArray();
        Assert.Equal(1f, columns[0] + columns[3], 5);
        var logp = new LogSoftmax(1).Call(x).ToArray();
        Assert.Equal(MathF.Log(p[2]), logp[2], 5);
    }

    [Fact]
    public void DropoutIsSeededScaledAndOffInEvaluation()
    {
        var x = Tensor.Ones(1000);
        var dropout = new Dropout(0.25f, seed: 3);
        var y = dropout.Call(x).ToArray();
        int zeros = y.Count(v => v == 0);
        Assert.InRange(zeros, 200, 300);
        Assert.All(y.Where(v => v != 0), v => Assert.Equal(1f / 0.75f, v, 5));
        Assert.Equal(y, new Dropout(0.25f, seed: 3).Call(x).ToArray());
        dropout.Eval();
        Assert.Equal(x.ToArray(), dropout.Call(x).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1f));
    }

    [Fact]
    public void IdentityAndFlatten()
    {
        var x = Tensor.Zeros(2, 3, 4, 5);
        Assert.Same(x, new Identity().Call(x));
        Assert.Equal(new Shape(2, 60), new Flatten().Call(x).Shape);
        Assert.Equal(new Shape(2, 12, 5), new Flatten(1, 2).Call(x).Shape);
    }

    // Abramowitz–Stegun 7.1.26 is too coarse for a 1e-4 check, so integrate the series instead.
    private static double Erf(double x)
    {
        double sum = 0, term = x;
        for (int n = 0; n < 60; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }
}
