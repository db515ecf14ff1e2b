using Lumen.Tensors;

namespace Lumen.NN;

/// <summary>Read-only weights: a module whose parameters are read-only (<see cref="Tensor.MakeReadOnly"/>) lets the
/// kernels keep values derived from them between calls (a convolution's packed weights), and any write to them fails
/// loudly instead of leaving those values stale. Models loaded from ONNX start this way.</summary>
public abstract partial class Module
{
    /// <summary>Makes the storage of every parameter of this module and its descendants read-only (writes through
    /// <see cref="Tensor.AsSpan"/>, <see cref="Parameter.CopyFrom"/>, optimisers and <see cref="LoadStateDict"/> then
    /// throw), so that convolutions keep their packed weights between calls. Returns this module.</summary>
    public Module MakeWeightsReadOnly()
    {
        foreach (var parameter in Parameters()) parameter.Value.MakeReadOnly();
        return this;
    }

    /// <summary>Makes every parameter of this module and its descendants writable again, dropping what was derived
    /// from them (packed weights). Needed before training, fine-tuning or editing a model loaded from ONNX; call
    /// <see cref="MakeWeightsReadOnly"/> afterwards to get the speed back, or use <see cref="WritableWeights"/> for
    /// a temporary edit. Returns this module.</summary>
    public Module MakeWeightsWritable()
    {
        foreach (var parameter in Parameters()) parameter.Value.MakeWritable();
        return this;
    }

    /// <summary>Makes every read-only parameter writable until the returned scope is disposed, which makes them
    /// read-only again (with their values as they are then). For code that edits a model and restores it, such as
    /// canonizers and randomisation checks, whatever state the weights were in.</summary>
    /// <example><code>
    /// using (model.WritableWeights()) layer.Weight.Value.AsSpan().Clear();
    /// </code></example>
    public IDisposable WritableWeights()
    {
        var opened = Parameters().Where(p => p.Value.IsReadOnly).Select(p => p.Value.MakeWritable()).ToList();
        return new WritableScope(opened);
    }

    private sealed class WritableScope(List<Tensor> opened) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) != 0) return;
            foreach (var tensor in opened) tensor.MakeReadOnly();
        }
    }
}
