namespace Lumen.Analysis.Projection;

/// <summary>How a layer's representation of many examples is drawn on a plane.</summary>
public enum ProjectionMethod
{
    /// <summary>The first two principal components (<see cref="Pca"/>): linear, axes carry explained variance.</summary>
    Pca,

    /// <summary>t-SNE (<see cref="Tsne"/>): non-linear, keeps each example's neighbours; distances between clusters
    /// carry little meaning.</summary>
    Tsne,
}
