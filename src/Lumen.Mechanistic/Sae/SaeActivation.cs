namespace Lumen.Mechanistic.Sae;

/// <summary>How a sparse autoencoder makes its features sparse.</summary>
public enum SaeActivation
{
    /// <summary>ReLU features with an L1 penalty on their values (Bricken et al. 2023).</summary>
    Relu,

    /// <summary>Only the K largest pre-activations survive (ReLU of them); no penalty (Gao et al. 2024).</summary>
    TopK,
}
