using Lumen.Tensors;

namespace Lumen.NN;

/// <summary>
/// A learnable Float32 tensor owned by a <see cref="Module"/>: a leaf that requires gradients. Optimisers read
/// <see cref="Grad"/> and update <see cref="Value"/> in place, so references to the value stay valid.
/// </summary>
/// <example><code>
/// var w = new Parameter(Tensor.Zeros(4, 3));
/// var y = x.MatMul(w);          // a Parameter converts to its Value implicitly
/// </code></example>
public sealed class Parameter
{
    /// <summary>Wraps <paramref name="value"/> (detached from any history) as a parameter that requires gradients.</summary>
    /// <exception cref="ArgumentException">The value is not Float32.</exception>
    public Parameter(Tensor value, string name = "")
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.DType != DType.Float32)
            throw new ArgumentException($"Parameter: '{name}' must be Float32, got {value.DType} of shape {value.Shape}.", nameof(value));
        Value = value.IsLeaf ? value : value.Detach();
        Value.RequiresGrad = true;
        Name = name;
    }

    /// <summary>The parameter's tensor (a leaf). Its storage is updated in place by optimisers and
    /// <see cref="CopyFrom"/>.</summary>
    public Tensor Value { get; }

    /// <summary>The dotted name within the root module (e.g. <c>layer1.0.conv1.weight</c>), stamped on registration.</summary>
    public string Name { get; internal set; }

    /// <summary>The shape of <see cref="Value"/>.</summary>
    public Shape Shape => Value.Shape;

    /// <summary>The gradient accumulated by <see cref="Tensor.Backward"/>; null after <c>ZeroGrad</c>.</summary>
    public Tensor? Grad
    {
        get => Value.Grad;
        set => Value.Grad = value;
    }

    /// <summary>Whether the parameter is trained; set false to freeze it (its gradient is then never computed).</summary>
    public bool RequiresGrad
    {
        get => Value.RequiresGrad;
        set => Value.RequiresGrad = value;
    }

    /// <summary>True when the value's storage is read-only (<see cref="Tensor.MakeReadOnly"/>; a loaded ONNX model's
    /// weights are): <see cref="CopyFrom"/> and optimisers then refuse to write it.</summary>
    public bool IsReadOnly => Value.IsReadOnly;

    /// <summary>Overwrites the value's elements with <paramref name="source"/>'s (same shape), in place.</summary>
    /// <exception cref="ArgumentException">The shapes or dtypes differ.</exception>
    /// <exception cref="InvalidOperationException">The value is read-only (<see cref="IsReadOnly"/>).</exception>
    public void CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.DType != DType.Float32 || source.Shape != Value.Shape)
            throw new ArgumentException($"Parameter.CopyFrom: '{Name}' has shape {Value.Shape} (Float32) but the source is {source.DType} of shape {source.Shape}.", nameof(source));
        RequireWritable("Parameter.CopyFrom");
        source.AsReadOnlySpan().CopyTo(Value.AsSpan());
    }

    /// <summary>Throws, naming this parameter and <paramref name="writer"/>, when its value is read-only.</summary>
    /// <exception cref="InvalidOperationException">The value is read-only.</exception>
    internal void RequireWritable(string writer)
    {
        if (Value.IsReadOnly)
            throw new InvalidOperationException($"{writer}: parameter '{Name}' {Value.Shape} is read-only (a loaded model's weights are, so that " +
                "their packed form can be kept between calls); call MakeWeightsWritable() on the model (or Value.MakeWritable()) before writing it.");
    }

    /// <summary>The parameter's tensor, for use in tensor expressions.</summary>
    public Tensor ToTensor() => Value;

    /// <summary>Uses a parameter wherever a tensor is expected.</summary>
    public static implicit operator Tensor(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return parameter.Value;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Parameter '{Name}' {Value.Shape}";
}
