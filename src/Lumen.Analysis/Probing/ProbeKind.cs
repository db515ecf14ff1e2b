namespace Lumen.Analysis.Probing;

/// <summary>The probe's capacity.</summary>
public enum ProbeKind
{
    /// <summary>Multinomial logistic regression: one linear layer and softmax (Alain &amp; Bengio 2016).</summary>
    Linear,

    /// <summary>One hidden ReLU layer of <see cref="ProbeOptions.Hidden"/> units, then softmax.</summary>
    Mlp,
}
