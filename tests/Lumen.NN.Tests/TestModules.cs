using Lumen.Tensors;

namespace Lumen.NN.Tests;

/// <summary>y = x ⊙ scale + shift (elementwise, broadcast over leading axes): a module using only arithmetic.</summary>
internal sealed class Affine : Module
{
    public Affine(float[] scale, float[] shift)
    {
        Scale = RegisterParameter("scale", Tensor.FromArray(scale));
        Shift = RegisterParameter("shift", Tensor.FromArray(shift));
    }

    public Parameter Scale { get; }

    public Parameter Shift { get; }

    protected override Tensor Forward(Tensor x) => x * Scale + Shift;
}

/// <summary>Two affine blocks, the second used twice, under named children.</summary>
internal sealed class TwoBlocks : Module
{
    public TwoBlocks()
    {
        First = Register("first", new Affine([1f, 2f], [0f, 1f]));
        Second = Register("second", new Affine([3f, -1f], [0.5f, 0f]));
    }

    public Affine First { get; }

    public Affine Second { get; }

    public bool UseSecondTwice { get; set; }

    protected override Tensor Forward(Tensor x)
    {
        var h = Second.Call(First.Call(x));
        return UseSecondTwice ? Second.Call(h) : h;
    }
}

/// <summary>Throws in Forward, to prove hooks are not leaked.</summary>
internal sealed class Throwing : Module
{
    public Throwing() => Register("inner", new Affine([1f], [0f]));

    protected override Tensor Forward(Tensor x)
    {
        ((Affine)Children[0].Module).Call(x);
        throw new InvalidOperationException("boom");
    }
}

/// <summary>Returns two outputs: x and 2x.</summary>
internal sealed class TwoOutputs : Module
{
    protected override Tensor Forward(Tensor x) => x;

    protected override IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs) => [inputs[0], inputs[0] * 2f];
}
