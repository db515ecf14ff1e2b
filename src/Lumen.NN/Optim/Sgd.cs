namespace Lumen.NN.Optim;

/// <summary>Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay
/// (PyTorch's <c>torch.optim.SGD</c> semantics).</summary>
/// <remarks>g ← ∇ + λ·p; with momentum μ: b ← g on the first step, else b ← μ·b + (1−τ)·g; then
/// g ← g + μ·b (Nesterov) or g ← b; finally p ← p − η·g.</remarks>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates the optimiser.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
    /// <exception cref="ArgumentException">Nesterov without momentum, or with dampening.</exception>
    public Sgd(IEnumerable<Parameter> parameters, float learningRate, float momentum = 0f, float dampening = 0f, bool nesterov = false, float weightDecay = 0f)
        : base(parameters, learningRate)
    {
        if (momentum < 0 || dampening < 0 || weightDecay < 0)
            throw new ArgumentOutOfRangeException(nameof(momentum), $"Sgd: momentum {momentum}, dampening {dampening} and weight decay {weightDecay} must be ≥ 0.");
        if (nesterov && (momentum == 0 || dampening != 0))
            throw new ArgumentException($"Sgd: Nesterov momentum needs momentum > 0 and zero dampening (got momentum {momentum}, dampening {dampening}).", nameof(nesterov));
        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
        WeightDecay = weightDecay;
    }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <summary>τ.</summary>
    public float Dampening { get; }

    /// <summary>Use Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <summary>λ (L2 penalty added to the gradient).</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> value, ReadOnlySpan<float> grad)
    {
        float lr = LearningRate;
        bool first = false;
        float[]? buffer = null;
        if (Momentum != 0)
        {
            first = !started.Contains(index);
            started.Add(index);
            buffer = State(index, 0);
        }
        for (int i = 0; i < value.Length; i++)
        {
            float g = grad[i] + WeightDecay * value[i];
            if (buffer is not null)
            {
                float b = buffer[i] = first ? g : Momentum * buffer[i] + (1 - Dampening) * g;
                g = Nesterov ? g + Momentum * b : b;
            }
            value[i] -= lr * g;
        }
    }

    private readonly HashSet<int> started = [];
}
