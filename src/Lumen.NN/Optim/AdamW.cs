namespace Lumen.NN.Optim;

/// <summary>Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019, https://arxiv.org/abs/1711.05101);
/// PyTorch's <c>torch.optim.AdamW</c> semantics.</summary>
/// <remarks>p ← p·(1 − η·λ); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
/// p ← p − η·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε), with t the parameter's own step count.</remarks>
public sealed class AdamW : Optimizer
{
    /// <summary>Creates the optimiser.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A β is outside [0, 1), or ε or λ is negative.</exception>
    public AdamW(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0.01f)
        : base(parameters, learningRate)
    {
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(beta1), $"AdamW: betas must be in [0, 1), got ({beta1}, {beta2}).");
        if (epsilon < 0 || weightDecay < 0)
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"AdamW: epsilon {epsilon} and weight decay {weightDecay} must be ≥ 0.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        steps = new int[Parameters.Count];
    }

    /// <summary>β₁.</summary>
    public float Beta1 { get; }

    /// <summary>β₂.</summary>
    public float Beta2 { get; }

    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <summary>λ (decoupled decay).</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> value, ReadOnlySpan<float> grad)
    {
        int t = ++steps[index];
        var m = State(index, 0);
        var v = State(index, 1);
        float lr = LearningRate, decay = 1 - lr * WeightDecay;
        double correction1 = 1 - Math.Pow(Beta1, t), correction2 = 1 - Math.Pow(Beta2, t);
        float stepSize = (float)(lr / correction1), rootCorrection2 = (float)Math.Sqrt(correction2);
        for (int i = 0; i < value.Length; i++)
        {
            float g = grad[i];
            m[i] = Beta1 * m[i] + (1 - Beta1) * g;
            v[i] = Beta2 * v[i] + (1 - Beta2) * g * g;
            value[i] = value[i] * decay - stepSize * m[i] / (MathF.Sqrt(v[i]) / rootCorrection2 + Epsilon);
        }
    }

    private readonly int[] steps;
}
