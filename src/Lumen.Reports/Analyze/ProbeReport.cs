namespace Lumen.Reports.Analyze;

/// <summary>What <see cref="ProbeJob"/> found.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Examples">What the examples were.</param>
/// <param name="Layers">Per layer (in order) the probe accuracies on the held-out examples.</param>
/// <param name="Train">Training examples.</param>
/// <param name="Test">Held-out examples.</param>
/// <param name="ControlTypes">Number of prototype types of the control task.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Created">When it ran (UTC).</param>
public sealed record ProbeReport(string Model, string Examples, IReadOnlyList<LayerProbe> Layers, int Train, int Test, int ControlTypes, double Seconds, DateTime Created);

/// <summary>Held-out accuracies of the probes on one layer.</summary>
/// <param name="Layer">The hook point ("input" for the model input).</param>
/// <param name="Features">Features the probes read (after pooling).</param>
/// <param name="Linear">Linear probe on the real task.</param>
/// <param name="LinearControl">Linear probe on the control task.</param>
/// <param name="Mlp">MLP probe on the real task.</param>
/// <param name="MlpControl">MLP probe on the control task.</param>
public sealed record LayerProbe(string Layer, int Features, double Linear, double LinearControl, double Mlp, double MlpControl)
{
    /// <summary>Linear selectivity: task − control accuracy.</summary>
    public double LinearSelectivity => Linear - LinearControl;

    /// <summary>MLP selectivity: task − control accuracy.</summary>
    public double MlpSelectivity => Mlp - MlpControl;
}
