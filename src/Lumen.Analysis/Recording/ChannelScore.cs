namespace Lumen.Analysis.Recording;

/// <summary>How one example's activation map of a channel becomes the single score that ranks examples.</summary>
public enum ChannelScore
{
    /// <summary>The largest value over the positions (the strongest local response; Zeiler &amp; Fergus 2014).</summary>
    Max,

    /// <summary>The mean over the positions (how much of the input drives the channel).</summary>
    Mean,
}
