namespace Lumen.Attribution.Propagation;

/// <summary>Which parameter of a linear layer a rule's <see cref="RuleTerm.ModifyParameters"/> is modifying.</summary>
public enum ParameterKind
{
    /// <summary>The weight W.</summary>
    Weight,

    /// <summary>The bias b.</summary>
    Bias,
}
