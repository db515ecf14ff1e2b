using Lumen.Tensors;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// The LRP rules, each a <see cref="Rule"/> record built from named parts. x is the layer input, W and b its
/// parameters, z = Wx + b, R the relevance at the output; θ⁺ = max(θ, 0), θ⁻ = min(θ, 0).
/// </summary>
/// <remarks>Montavon et al., "Layer-Wise Relevance Propagation: An Overview" (2019),
/// https://doi.org/10.1007/978-3-030-28954-6_10; Zennit's rule set (Anders et al. 2021, https://arxiv.org/abs/2106.13200).</remarks>
/// <example><code>var composite = new Composite("mine", (name, m) => m is Linear ? Rules.Epsilon(0.01f) : null);</code></example>
public static class Rules
{
    /// <summary>LRP-ε: Rᵢ = xᵢ Σⱼ Wⱼᵢ Rⱼ / (zⱼ + ε·sign zⱼ). ε → 0 gives LRP-0 (gradient × input on ReLU nets).</summary>
    public static Rule Epsilon(float epsilon = 1e-6f) =>
        new("epsilon") { MapGradient = (r, z) => r / Stabilize(z, epsilon) };

    /// <summary>LRP-γ: LRP-0 with W + γW⁺ and b + γb⁺, favouring positive contributions.</summary>
    public static Rule Gamma(float gamma = 0.25f, float epsilon = 1e-6f) => new("gamma")
    {
        Terms = [new() { ModifyParameters = (p, _) => p + p.Relu() * gamma }],
        MapGradient = (r, z) => r / Stabilize(z, epsilon),
    };

    /// <summary>LRP-αβ (α − β = 1 conserves relevance): Rᵢ = α·xᵢ⁺… over positive contributions z⁺ = W⁺x⁺ + W⁻x⁻ + b⁺
    /// minus β·… over negative ones z⁻ = W⁻x⁺ + W⁺x⁻ + b⁻, each normalised by its own sum.</summary>
    public static Rule AlphaBeta(float alpha = 2f, float beta = 1f, float epsilon = 1e-6f)
    {
        var negative = new Rule("alpha-beta-negative")
        {
            Terms = [SignTerm(positiveInput: true, positiveParameters: false, keepBias: true), SignTerm(positiveInput: false, positiveParameters: true, keepBias: false)],
            MapGradient = (r, z) => r / Stabilize(z, epsilon),
            Weight = -beta,
        };
        return new Rule("alpha-beta")
        {
            Terms = [SignTerm(positiveInput: true, positiveParameters: true, keepBias: true), SignTerm(positiveInput: false, positiveParameters: false, keepBias: false)],
            MapGradient = (r, z) => r / Stabilize(z, epsilon),
            Weight = alpha,
            Also = beta == 0 ? [] : [negative],
        };
    }

    /// <summary>LRP-z⁺: positive contributions only, bias excluded: Rᵢ = Σⱼ (xᵢ⁺Wⱼᵢ⁺ + xᵢ⁻Wⱼᵢ⁻) Rⱼ / Σᵢ(…).</summary>
    public static Rule ZPlus(float epsilon = 1e-6f) => new("z-plus")
    {
        Terms = [SignTerm(positiveInput: true, positiveParameters: true, keepBias: false), SignTerm(positiveInput: false, positiveParameters: false, keepBias: false)],
        MapGradient = (r, z) => r / Stabilize(z, epsilon),
    };

    /// <summary>LRP-z^B for inputs bounded by [low, high] (first layer on pixels):
    /// Rᵢ = Σⱼ (xᵢWⱼᵢ − lᵢWⱼᵢ⁺ − hᵢWⱼᵢ⁻) Rⱼ / Σᵢ(…). Bounds broadcast against the input.</summary>
    public static Rule ZBox(Tensor low, Tensor high, float epsilon = 1e-6f)
    {
        ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(high);
        return new Rule("z-box")
        {
            Terms =
            [
                new(),
                new() { ModifyInput = x => x.ZerosLike() + low, ModifyParameters = (p, _) => p.Relu(), Scale = -1f },
                new() { ModifyInput = x => x.ZerosLike() + high, ModifyParameters = (p, _) => p.Clamp(max: 0f), Scale = -1f },
            ],
            MapGradient = (r, z) => r / Stabilize(z, epsilon),
        };
    }

    /// <summary>LRP-z^B with scalar bounds.</summary>
    public static Rule ZBox(float low, float high, float epsilon = 1e-6f) =>
        ZBox(Tensor.Full(new Shape(), low), Tensor.Full(new Shape(), high), epsilon);

    /// <summary>Flat: relevance spread uniformly over each output's receptive field (x and W set to 1, no bias).</summary>
    public static Rule Flat(float epsilon = 1e-6f) => new("flat")
    {
        Terms = [new() { ModifyInput = x => Tensor.Ones(x.Shape), ModifyParameters = (p, kind) => kind == ParameterKind.Weight ? Tensor.Ones(p.Shape) : p.ZerosLike() }],
        MapGradient = (r, z) => r / Stabilize(z, epsilon),
    };

    /// <summary>w²: relevance spread in proportion to squared weights, ignoring the input (x set to 1, no bias).</summary>
    public static Rule WSquare(float epsilon = 1e-6f) => new("w-square")
    {
        Terms = [new() { ModifyInput = x => Tensor.Ones(x.Shape), ModifyParameters = (p, kind) => kind == ParameterKind.Weight ? p * p : p.ZerosLike() }],
        MapGradient = (r, z) => r / Stabilize(z, epsilon),
    };

    /// <summary>Pass: the output relevance goes to the input unchanged (activations, same-shape layers).</summary>
    public static Rule Pass { get; } = new("pass") { Terms = [] };

    /// <summary>z + ε·sign(z), with sign(0) = 1, so that no denominator is zero.</summary>
    public static Tensor Stabilize(Tensor z, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(z);
        var result = new float[z.Size];
        var source = z.AsReadOnlySpan();
        for (int i = 0; i < result.Length; i++) result[i] = source[i] + (source[i] >= 0 ? epsilon : -epsilon);
        return Tensor.FromArray(result, z.Shape.ToArray());
    }

    private static RuleTerm SignTerm(bool positiveInput, bool positiveParameters, bool keepBias) => new()
    {
        ModifyInput = positiveInput ? x => x.Relu() : x => x.Clamp(max: 0f),
        ModifyParameters = (p, kind) => kind == ParameterKind.Bias && !keepBias ? p.ZerosLike() : positiveParameters ? p.Relu() : p.Clamp(max: 0f),
    };
}
