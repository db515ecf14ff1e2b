namespace Lumen.Metrics.Retraining;

/// <summary>How <see cref="RemoveAndRetrain"/> fills the pixels it removes.</summary>
public enum RemovalFill
{
    /// <summary>The training set's channel mean (Hooker et al. 2019). The filled region is flat, so its shape can
    /// itself tell the retrained model the class (e.g. KAR at 10 % can match the base accuracy).</summary>
    ChannelMean,

    /// <summary>ROAD's noisy linear imputation: the mean of the 4-neighbours plus small Gaussian noise, so the fill
    /// continues the image and hides the shape of the removed set (Rong et al. 2022).</summary>
    NoisyLinear,
}
