using Lumen.NN.Hooks;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.NN.Tests;

public class HookTests
{
    private static readonly float[] Input = [1f, 2f];

    // first: h = x⊙[1,2] + [0,1];  second: y = h⊙[3,−1] + [0.5,0]
    [Fact]
    public void ForwardHookReplacesTheOutputAndDisposeRemovesIt()
    {
        var model = new TwoBlocks();
        var x = Tensor.FromArray(Input);
        Assert.Equal([3.5f, -5f], model.Call(x).ToArray());
        using (model.Hooks.OnForward("first", (h, _) => h * 0f))
            Assert.Equal([0.5f, 0f], model.Call(x).ToArray());
        Assert.Equal([3.5f, -5f], model.Call(x).ToArray());
        Assert.Equal(0, model.Hooks.Count);
    }

    [Fact]
    public void HooksRunInRegistrationOrderAndSeeContext()
    {
        var model = new TwoBlocks();
        var log = new List<string>();
        using var scope = new HookScope(
            model.Hooks.OnForward("second", (h, c) => { log.Add($"a:{c.Name}:{c.Index}"); return h + 1f; }),
            model.Hooks.OnForward("second", (h, c) => { log.Add($"b:{h[0]}"); return h * 2f; }),
            model.Hooks.OnInput("second", (h, c) => { log.Add($"in:{c.Inputs[0][1]}"); }));
        var y = model.Call(Tensor.FromArray(Input));
        Assert.Equal(["in:5", "a:second:0", "b:4.5"], log);
        Assert.Equal([9f, -8f], y.ToArray());
        Assert.Equal(3, scope.Count);
        scope.Dispose();
        Assert.Equal(0, model.Hooks.Count);
    }

    [Fact]
    public void InputHookReplacesTheInput()
    {
        var model = new TwoBlocks();
        using var hook = model.Hooks.OnInput("first", (x, _) => x * 0f);
        Assert.Equal([0.5f, -1f], model.Call(Tensor.FromArray(Input)).ToArray());
    }

    [Fact]
    public void AModuleCalledTwiceFiresItsHookTwice()
    {
        var model = new TwoBlocks { UseSecondTwice = true };
        int forward = 0, backward = 0;
        using var f = model.Hooks.OnForward("second", (_, _) => { forward++; });
        using var b = model.Hooks.OnBackward("second", (_, _) => { backward++; });
        var x = Tensor.FromArray(Input).RequireGrad();
        Gradients.Of(model.Call(x).Sum(), x);
        Assert.Equal(2, forward);
        Assert.Equal(2, backward);
    }

    [Fact]
    public void BackwardHookObservesAndReplacesTheGradientAtTheModuleInput()
    {
        var model = new TwoBlocks();
        var x = Tensor.FromArray(Input).RequireGrad();
        Tensor? seen = null;
        // dy/dh = [3, −1]; dy/dx = [3·1, −1·2]
        using (model.Hooks.OnBackward("second", (g, _) => { seen = g; }))
            Assert.Equal([3f, -2f], Gradients.Of(model.Call(x).Sum(), x).ToArray());
        Assert.Equal([3f, -1f], seen!.ToArray());
        using (model.Hooks.OnBackward("second", (g, _) => g * 10f))
            Assert.Equal([30f, -20f], Gradients.Of(model.Call(x).Sum(), x).ToArray());
        Assert.Equal([3f, -2f], Gradients.Of(model.Call(x).Sum(), x).ToArray());
    }

    [Fact]
    public void BackwardHookStaysLiveAfterTheForwardReturnsUntilDisposed()
    {
        var model = new TwoBlocks();
        var x = Tensor.FromArray(Input).RequireGrad();
        var hook = model.Hooks.OnBackward("first", (g, _) => g * 0f);
        var y = model.Call(x).Sum();
        Assert.Equal([0f, 0f], Gradients.Of(y, x).ToArray());
        hook.Dispose();
        Assert.False(hook.IsActive);
        Assert.Equal([3f, -2f], Gradients.Of(y, x).ToArray());
    }

    [Fact]
    public void BackwardHooksFireOnlyForInputsThatRequireGradients()
    {
        var model = new TwoBlocks();
        int fired = 0;
        using var hook = model.Hooks.OnBackward("first", (_, _) => { fired++; });
        model.Call(Tensor.FromArray(Input)).Sum().Backward(); // only the parameters require gradients
        Assert.Equal(0, fired);
        Assert.NotNull(model.First.Scale.Grad);
    }

    [Fact]
    public void BackwardHookWithTheWrongShapeFailsNamingTheOp()
    {
        var model = new TwoBlocks();
        var x = Tensor.FromArray(Input).RequireGrad();
        using var hook = model.Hooks.OnBackward("first", (g, _) => g.Sum());
        var y = model.Call(x).Sum();
        Assert.Contains("BackwardHook", Assert.Throws<InvalidOperationException>(() => Gradients.Of(y, x)).Message);
    }

    [Fact]
    public void AHookReturningNullIsAnErrorNamingTheModule()
    {
        var model = new TwoBlocks();
        using var hook = model.Hooks.OnForward("first", (_, _) => null!);
        Assert.Contains("'first'", Assert.Throws<InvalidOperationException>(() => model.Call(Tensor.FromArray(Input))).Message);
    }

    [Fact]
    public void UnknownNamesListTheKnownOnes()
    {
        var model = new TwoBlocks();
        var error = Assert.Throws<ArgumentException>(() => model.Hooks.OnForward("third", (x, _) => x));
        Assert.Contains("'third'", error.Message);
        Assert.Contains("first, second", error.Message);
        Assert.Throws<ArgumentException>(() => model.Hooks.Add(new TwoBlocks().First, HookKind.Forward, (x, _) => x));
    }

    [Fact]
    public void RunWithCacheRecordsFilteredActivationsAndRemovesItsHooks()
    {
        var model = new TwoBlocks { UseSecondTwice = true };
        var (output, cache) = model.RunWithCache(Tensor.FromArray(Input));
        Assert.Equal(["first", "second"], cache.Names);
        Assert.Equal([1f, 5f], cache["first"].ToArray());
        Assert.Equal(2, cache.All("second").Count);
        Assert.Equal(output.ToArray(), cache["second"].ToArray());
        Assert.Equal(0, model.Hooks.Count);
        var (_, only) = model.RunWithCache(Tensor.FromArray(Input), name => name == "second");
        Assert.False(only.Contains("first"));
        Assert.Contains("recorded: second", Assert.Throws<KeyNotFoundException>(() => only["first"]).Message);
    }

    [Fact]
    public void RunWithCacheKeepsLiveTensorsUnlessDetached()
    {
        var model = new TwoBlocks();
        var x = Tensor.FromArray(Input).RequireGrad();
        var (_, live) = model.RunWithCache(x);
        Assert.True(live["first"].RequiresGrad);
        var (_, detached) = model.RunWithCache(x, detach: true);
        Assert.False(detached["first"].RequiresGrad);
    }

    [Fact]
    public void AnExceptionInForwardLeavesNoHookBehind()
    {
        var model = new Throwing();
        Assert.Throws<InvalidOperationException>(() => model.RunWithCache(Tensor.FromArray([1f])));
        Assert.Equal(0, model.Hooks.Count);
        using (model.Hooks.OnForward("inner", (x, _) => x))
            Assert.Throws<InvalidOperationException>(() => model.Call(Tensor.FromArray([1f])));
        Assert.Equal(0, model.Hooks.Count);
    }

    [Fact]
    public void ForwardHooksRunPerOutputOfMultiOutputModules()
    {
        var module = new TwoOutputs();
        var indices = new List<int>();
        using var hook = module.Hooks.OnForward("", (y, c) => { indices.Add(c.Index); return y + 1f; });
        var outputs = module.Call([Tensor.FromArray([1f])]);
        Assert.Equal([0, 1], indices);
        Assert.Equal(3f, outputs[1][0]);
    }

    [Fact]
    public void HooksRegisteredOnASubtreeUseRelativeNames()
    {
        var seq = new Sequential(new TwoBlocks());
        using var hook = seq[0].Hooks.OnForward("first", (h, _) => h * 0f);
        Assert.Equal("0.first", hook.Module.Name);
        Assert.Equal(1, seq.Hooks.Count);
        seq.Hooks.Clear();
        Assert.False(hook.IsActive);
    }
}
