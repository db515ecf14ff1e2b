namespace Lumen.NN.Optim;

/// <summary>Rescales gradients whose global norm is too large.</summary>
public static class GradientClipping
{
    /// <summary>Scales every parameter's gradient by min(1, maxNorm/(‖g‖₂ + 1e-6)), where ‖g‖₂ is the L2 norm of
    /// all gradients together; returns ‖g‖₂ before clipping. Parameters without gradients are ignored.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not positive.</exception>
    public static float ClipByNorm(IEnumerable<Parameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"ClipByNorm: maxNorm must be positive, got {maxNorm}.");
        var withGrads = parameters.Where(p => p.Grad is not null).ToList();
        double sumSquares = 0;
        foreach (var p in withGrads)
            foreach (var x in p.Grad!.AsReadOnlySpan()) sumSquares += (double)x * x;
        float norm = (float)Math.Sqrt(sumSquares);
        float scale = maxNorm / (norm + 1e-6f);
        // New tensors rather than in-place scaling: autograd may hand the same gradient tensor to several leaves.
        if (scale < 1)
            foreach (var p in withGrads) p.Grad = p.Grad! * scale;
        return norm;
    }
}
