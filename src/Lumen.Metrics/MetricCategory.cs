namespace Lumen.Metrics;

/// <summary>The six families of explanation quality (Hedström et al., "Quantus", JMLR 2023, https://arxiv.org/abs/2202.06861).</summary>
public enum MetricCategory
{
    /// <summary>Does removing what the explanation calls important change the prediction accordingly?</summary>
    Faithfulness,
    /// <summary>Do similar inputs get similar explanations?</summary>
    Robustness,
    /// <summary>Does the explanation fall on the object (a ground-truth mask)?</summary>
    Localisation,
    /// <summary>Is the explanation concise?</summary>
    Complexity,
    /// <summary>Does the explanation depend on the model's parameters and the explained class (sanity checks)?</summary>
    Randomisation,
    /// <summary>Does the explanation satisfy an axiom (completeness, invariance)?</summary>
    Axiomatic,
}
