using Lumen.Metrics.Randomisation;
using Lumen.Metrics.Retraining;

namespace Lumen.Reports.Retraining;

/// <summary>What <c>lumen evaluate roar</c> measured: ROAR/KAR curves and, optionally, the data randomisation check.</summary>
/// <param name="Data">Where the data came from, e.g. the folder.</param>
/// <param name="TrainSamples">Training samples used.</param>
/// <param name="TestSamples">Test samples used.</param>
/// <param name="Epochs">Epochs per trained model.</param>
/// <param name="Retraining">The ROAR/KAR result.</param>
/// <param name="DataRandomisation">The data randomisation result, or null when not run.</param>
/// <param name="Seconds">Wall time of the whole evaluation.</param>
public sealed record RetrainingReport(string Data, int TrainSamples, int TestSamples, int Epochs, RetrainingResult Retraining,
    DataRandomisationResult? DataRandomisation, double Seconds);
