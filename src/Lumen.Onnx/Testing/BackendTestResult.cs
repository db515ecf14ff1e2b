namespace Lumen.Onnx.Testing;

/// <summary>Outcome of one ONNX backend test case.</summary>
public enum BackendTestStatus
{
    /// <summary>Every output matched within tolerance.</summary>
    Passed,
    /// <summary>The model ran but an output differed, or running failed.</summary>
    Failed,
    /// <summary>Lumen reported, before running, that it cannot run the model or its data.</summary>
    Unsupported,
}

/// <summary>One backend test case's result.</summary>
/// <param name="Case">The case directory name, e.g. "test_abs".</param>
/// <param name="Op">The op the case tests (the single node's op type, or the op whose name the case starts with).</param>
/// <param name="Status">Passed, failed or unsupported.</param>
/// <param name="Message">Why it failed or is unsupported; empty when passed.</param>
/// <param name="Domain">The first operator domain other than the default one (ai.onnx) that a node of the case's
/// model uses, e.g. "ai.onnx.ml" or "ai.onnx.preview.training"; empty for a default-domain case.</param>
public sealed record BackendTestResult(string Case, string Op, BackendTestStatus Status, string Message, string Domain = "");
