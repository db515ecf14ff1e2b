namespace Lumen.Attribution;

/// <summary>Where an attribution lands: on the model input, or on the output of a named hook point (a layer).</summary>
public abstract record AttributeTo
{
    /// <summary>Attribute to the input features (the default).</summary>
    public static AttributeTo Input { get; } = new InputTarget();

    /// <summary>Attribute to the activation produced by the module at <paramref name="hook"/> (dotted name).</summary>
    public static AttributeTo Layer(string hook) => new LayerTarget(hook);

    /// <summary>The layer's hook name, or null when attributing to the input.</summary>
    public virtual string? Hook => null;

    internal sealed record InputTarget : AttributeTo
    {
        public override string ToString() => "input";
    }

    internal sealed record LayerTarget(string LayerHook) : AttributeTo
    {
        public override string? Hook => LayerHook;

        public override string ToString() => "layer " + LayerHook;
    }
}
