namespace Lumen.Mechanistic;

/// <summary>Which activation a position-by-layer patching grid overwrites.</summary>
public enum PatchSite
{
    /// <summary>The residual stream entering each block (<c>blocks.{i}.resid_pre</c>).</summary>
    ResidPre,

    /// <summary>Each attention layer's output (<c>blocks.{i}.attn.out</c>).</summary>
    AttnOut,

    /// <summary>Each MLP's output (<c>blocks.{i}.mlp.out</c>).</summary>
    MlpOut,
}
