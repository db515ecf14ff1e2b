namespace Lumen.Metrics.Meta;

/// <summary>
/// The outcome of one MetaQuantus perturbation test (model or input): intra- and inter-consistency under a minor
/// perturbation (noise resilience, NR) and under a disruptive one (adversary reactivity, AR), each in [0, 1] with 1
/// best, and their mean, the meta-consistency MC. NaN where no sample qualified (e.g. no prediction changed under the
/// disruptive perturbation).
/// </summary>
/// <param name="IntraResilience">IAC_NR: the mean Wilcoxon signed-rank p-value between each method's scores before
/// and after a minor perturbation, over the samples whose prediction it keeps (1 = indistinguishable).</param>
/// <param name="IntraReactivity">IAC_AR: the mean of 1 − that p-value after a disruptive perturbation, over the
/// samples whose prediction it changes (1 = clearly different).</param>
/// <param name="InterResilience">IEC_NR: the fraction of (sample, rank position) pairs whose method ranking the minor
/// perturbation keeps.</param>
/// <param name="InterReactivity">IEC_AR: the fraction of (sample, method) pairs scored better unperturbed than after
/// the disruptive perturbation.</param>
/// <remarks>MC = (IAC_NR + IAC_AR + IEC_NR + IEC_AR) / 4. Hedström et al., "The meta-evaluation problem in explainable
/// AI: identifying reliable estimators with MetaQuantus" (TMLR 2023), https://arxiv.org/abs/2302.07265</remarks>
public sealed record ConsistencyScores(double IntraResilience, double IntraReactivity, double InterResilience, double InterReactivity)
{
    /// <summary>MC: the mean of the four scores (NaN if any is NaN).</summary>
    public double MetaConsistency => (IntraResilience + IntraReactivity + InterResilience + InterReactivity) / 4;

    /// <summary>Noise resilience: the mean of the two NR scores.</summary>
    public double Resilience => (IntraResilience + InterResilience) / 2;

    /// <summary>Adversary reactivity: the mean of the two AR scores.</summary>
    public double Reactivity => (IntraReactivity + InterReactivity) / 2;
}
