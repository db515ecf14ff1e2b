namespace Lumen.Metrics.Faithfulness;

/// <summary>Which features a removal curve takes first.</summary>
public enum RemovalOrder
{
    /// <summary>Most relevant first (MoRF): a faithful map makes the score drop fast.</summary>
    MostRelevantFirst,
    /// <summary>Least relevant first (LeRF): a faithful map keeps the score high longest.</summary>
    LeastRelevantFirst,
}
