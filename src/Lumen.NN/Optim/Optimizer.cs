namespace Lumen.NN.Optim;

/// <summary>Updates parameters in place from their accumulated gradients. Parameters without a gradient
/// (frozen, or unused in the last backward pass) are skipped.</summary>
public abstract class Optimizer
{
    /// <summary>Takes the parameters to optimise (each once; duplicates are dropped).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The learning rate is negative or not finite.</exception>
    protected Optimizer(IEnumerable<Parameter> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.Distinct(ReferenceEqualityComparer.Instance).Cast<Parameter>().ToArray();
        LearningRate = learningRate;
    }

    /// <summary>The optimised parameters.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The step size; may be changed between steps (learning-rate schedules).</summary>
    public float LearningRate
    {
        get;
        set => field = value >= 0 && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), $"{GetType().Name}: learning rate must be finite and ≥ 0, got {value}.");
    }

    /// <summary>Number of completed <see cref="Step"/> calls.</summary>
    public int StepCount { get; private set; }

    /// <summary>Clears every parameter's gradient (sets it to null).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.Grad = null;
    }

    /// <summary>Applies one update to every parameter that has a gradient. Every such parameter is checked first, so
    /// that a step that throws (a gradient of the wrong shape, a read-only parameter) updates none of them.</summary>
    /// <exception cref="InvalidOperationException">A gradient's shape differs from its parameter's, or a parameter
    /// with a gradient is read-only (<see cref="Parameter.IsReadOnly"/>).</exception>
    public void Step()
    {
        foreach (var p in Parameters)
        {
            if (p.Grad is not { } grad) continue;
            if (grad.Shape != p.Shape)
                throw new InvalidOperationException($"{GetType().Name}: gradient of '{p.Name}' has shape {grad.Shape}, parameter {p.Shape}.");
            p.RequireWritable(GetType().Name);
        }
        StepCount++;
        for (int i = 0; i < Parameters.Count; i++)
            if (Parameters[i].Grad is { } grad) Update(i, Parameters[i].Value.AsSpan(), grad.AsReadOnlySpan());
    }

    /// <summary>Updates parameter number <paramref name="index"/> in place.</summary>
    /// <param name="index">Position in <see cref="Parameters"/> (key for per-parameter state).</param>
    /// <param name="value">The parameter's elements.</param>
    /// <param name="grad">Its gradient's elements.</param>
    protected abstract void Update(int index, Span<float> value, ReadOnlySpan<float> grad);

    /// <summary>Per-parameter state buffer number <paramref name="slot"/> for parameter <paramref name="index"/>,
    /// zero-initialised on first use.</summary>
    protected float[] State(int index, int slot)
    {
        var key = (index, slot);
        if (!state.TryGetValue(key, out var buffer)) state[key] = buffer = new float[Parameters[index].Value.Size];
        return buffer;
    }

    private readonly Dictionary<(int, int), float[]> state = [];
}
