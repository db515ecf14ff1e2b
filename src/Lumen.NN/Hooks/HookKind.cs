namespace Lumen.NN.Hooks;

/// <summary>Where a hook runs.</summary>
public enum HookKind
{
    /// <summary>On each input before <c>Forward</c>; may replace it.</summary>
    Input,
    /// <summary>On each output after <c>Forward</c>; may replace it.</summary>
    Forward,
    /// <summary>On the gradient reaching each input during the backward pass; may replace it.</summary>
    Backward,
}
