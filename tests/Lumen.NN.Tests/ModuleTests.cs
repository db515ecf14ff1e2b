using Lumen.NN.Hooks;
using Lumen.Tensors;

namespace Lumen.NN.Tests;

public class ModuleTests
{
    private sealed class Outer : Module
    {
        public Outer()
        {
            Blocks = Register("blocks", new Sequential(new TwoBlocks(), new Identity2()));
            Head = Register("head", new Affine([1f, 1f], [0f, 0f]));
        }

        public Sequential Blocks { get; }

        public Affine Head { get; }

        protected override Tensor Forward(Tensor x) => Head.Call(Blocks.Call(x));
    }

    private sealed class Identity2 : Module
    {
        protected override Tensor Forward(Tensor x) => x;
    }

    [Fact]
    public void NamesAreDottedPathsStampedFromTheRootInRegistrationOrder()
    {
        var model = new Outer();
        Assert.Equal(["", "blocks", "blocks.0", "blocks.0.first", "blocks.0.second", "blocks.1", "head"], model.NamedModules().Select(m => m.Name));
        Assert.Equal("blocks.0.second", model.Blocks[0].Children[1].Module.Name);
        Assert.Equal(["blocks.0.first.scale", "blocks.0.first.shift", "blocks.0.second.scale", "blocks.0.second.shift", "head.scale", "head.shift"],
            model.NamedParameters().Select(p => p.Name));
        Assert.Equal("head.shift", model.Head.Shift.Name);
        // Names are relative to the module asked.
        Assert.Equal(["", "0", "0.first", "0.second", "1"], model.Blocks.NamedModules().Select(m => m.Name));
    }

    [Fact]
    public void ToStringPrintsTheTreeWithParameterShapes()
    {
        var lines = new Outer().ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal("Outer", lines[0]);
        Assert.Equal("  (blocks) Sequential", lines[1]);
        Assert.Equal("      (first) Affine  scale [2], shift [2]", lines[3]);
        Assert.Equal("  (head) Affine  scale [2], shift [2]", lines[^1]);
    }

    [Fact]
    public void SharedModulesAndParametersAreListedOnce()
    {
        var shared = new Affine([1f], [0f]);
        var model = new Sequential(shared, shared);
        Assert.Equal(2, model.NamedModules().Count());
        Assert.Equal(2, model.Parameters().Count());
    }

    [Fact]
    public void RegisterRejectsEmptyDottedAndRepeatedNames()
    {
        var seq = new Sequential();
        Assert.Contains("non-empty", Assert.Throws<ArgumentException>(() => seq.Append("", new Identity2())).Message);
        Assert.Contains("'a.b'", Assert.Throws<ArgumentException>(() => seq.Append("a.b", new Identity2())).Message);
        seq.Append("x", new Identity2());
        Assert.Contains("already registered", Assert.Throws<ArgumentException>(() => seq.Append("x", new Identity2())).Message);
        Assert.Throws<ArgumentException>(() => seq.Append("self", seq));
    }

    [Fact]
    public void TrainAndEvalPropagateToEveryDescendant()
    {
        var model = new Outer();
        Assert.All(model.NamedModules(), m => Assert.True(m.Module.Training));
        model.Eval();
        Assert.All(model.NamedModules(), m => Assert.False(m.Module.Training));
        model.Blocks.Train();
        Assert.False(model.Training);
        Assert.True(model.Blocks[0].Training);
    }

    [Fact]
    public void StateDictRoundTripsIntoAFreshModelInPlace()
    {
        var source = new Outer();
        source.Head.Scale.Value.AsSpan()[1] = 7f;
        var target = new Outer();
        var before = target.Head.Scale.Value;
        target.LoadStateDict(source.StateDict());
        Assert.Same(before, target.Head.Scale.Value);
        Assert.Equal(7f, target.Head.Scale.Value[1]);
        Assert.Equal(source.StateDict().Keys, target.StateDict().Keys);
    }

    [Fact]
    public void LoadStateDictReportsMissingUnexpectedAndMismatchedEntries()
    {
        var model = new Affine([1f, 2f], [0f, 0f]);
        var partial = new Dictionary<string, Tensor> { ["scale"] = Tensor.Ones(2), ["extra"] = Tensor.Ones(1) };
        var error = Assert.Throws<ArgumentException>(() => model.LoadStateDict(partial));
        Assert.Contains("missing [shift]", error.Message);
        Assert.Contains("unexpected [extra]", error.Message);
        model.LoadStateDict(partial, strict: false);
        Assert.Equal([1f, 1f], model.Scale.Value.ToArray());
        var wrong = new Dictionary<string, Tensor> { ["scale"] = Tensor.Ones(3), ["shift"] = Tensor.Ones(2) };
        Assert.Contains("[2]", Assert.Throws<ArgumentException>(() => model.LoadStateDict(wrong)).Message);
    }

    [Fact]
    public void CallWithOneTensorRejectsMultiOutputModulesAndListCallReturnsAll()
    {
        var module = new TwoOutputs();
        var x = Tensor.FromArray([1f, 2f]);
        Assert.Contains("2 outputs", Assert.Throws<InvalidOperationException>(() => module.Call(x)).Message);
        var outputs = module.Call([x]);
        Assert.Equal([2f, 4f], outputs[1].ToArray());
        Assert.Contains("one input", Assert.Throws<ArgumentException>(() => new Identity2().Call([x, x])).Message);
    }

    [Fact]
    public void ParameterIsALeafRequiringGradientsAndRejectsOtherDTypes()
    {
        var p = new Parameter(Tensor.Ones(2, 2), "w");
        Assert.True(p.RequiresGrad);
        Assert.True(p.Value.IsLeaf);
        Assert.Throws<ArgumentException>(() => new Parameter(Tensor.FromArray(new long[] { 1 })));
        Assert.Throws<ArgumentException>(() => p.CopyFrom(Tensor.Ones(3)));
        p.CopyFrom(Tensor.Full(new Shape(2, 2), 3f));
        Assert.Equal(3f, p.Value[1, 1]);
    }

    [Fact]
    public void HookPointIsIdentityAndNamed()
    {
        var seq = new Sequential([("pattern", (Module)new HookPoint())]);
        var x = Tensor.FromArray([1f, -2f]);
        Assert.Same(x, seq.Call(x));
        Assert.Equal("pattern", seq[0].Name);
    }
}
