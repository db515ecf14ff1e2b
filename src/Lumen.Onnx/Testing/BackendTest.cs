using System.Text.RegularExpressions;
using Google.Protobuf;
using Lumen.Onnx.IO;
using Lumen.Onnx.Schema;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Onnx.Testing;

/// <summary>
/// Runs ONNX backend test-case directories (<c>model.onnx</c> plus <c>test_data_set_*/input_*.pb</c> and
/// <c>output_*.pb</c>) and compares outputs with ONNX's default tolerances: |actual − expected| ≤ atol + rtol·|expected|
/// with rtol 1e-3 and atol 1e-7 for floats (NaN matches NaN), exact equality for integers and bools. Outputs declared
/// float16 or bfloat16 are rounded to that type first (Lumen computes them in float32).
/// </summary>
public static partial class BackendTest
{
    /// <summary>ONNX's default relative tolerance.</summary>
    public const double RelativeTolerance = 1e-3;

    /// <summary>ONNX's default absolute tolerance.</summary>
    public const double AbsoluteTolerance = 1e-7;

    /// <summary>Runs one case directory.</summary>
    public static BackendTestResult Run(string caseDirectory)
    {
        ArgumentNullException.ThrowIfNull(caseDirectory);
        var proto = TryParse(Path.Combine(caseDirectory, "model.onnx"));
        var result = RunCase(caseDirectory, OptionalValues(proto, inputs: true), OptionalValues(proto, inputs: false));
        return result with { Domain = proto is null ? "" : Domains(proto.Graph).FirstOrDefault(d => d is not ("" or "ai.onnx")) ?? "" };
    }

    private static BackendTestResult RunCase(string caseDirectory, HashSet<int> optionalInputs, HashSet<int> optionalOutputs)
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(caseDirectory));
        string modelPath = Path.Combine(caseDirectory, "model.onnx");
        string op = name;
        GraphModule module;
        try
        {
            var model = OnnxModel.Open(modelPath);
            op = OpOf(name, model);
            module = model.ToModule();
        }
        catch (OnnxException e)
        {
            return new(name, op, BackendTestStatus.Unsupported, FirstLines(e.Message.Replace(modelPath, "model.onnx", StringComparison.Ordinal)));
        }
        var sets = Directory.GetDirectories(caseDirectory, "test_data_set_*").Order(StringComparer.Ordinal).ToList();
        if (sets.Count == 0) return new(name, op, BackendTestStatus.Failed, "no test_data_set_* directory");
        foreach (var set in sets)
        {
            List<Tensor> inputs, expected;
            try
            {
                inputs = ReadNumbered(set, "input", module.Model.Inputs.Count, optionalInputs);
                expected = ReadNumbered(set, "output", module.Model.Outputs.Count, optionalOutputs);
            }
            catch (OnnxException e)
            {
                return new(name, op, BackendTestStatus.Unsupported, FirstLines(e.Message.Replace(caseDirectory, "", StringComparison.Ordinal)));
            }
            IReadOnlyList<Tensor> actual;
            try
            {
                using var off = GradMode.Off();
                actual = module.Call(inputs);
            }
            catch (Exception e) when (e is OnnxException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or DivideByZeroException or OverflowException or NullReferenceException)
            {
                return new(name, op, BackendTestStatus.Failed, FirstLines($"{e.GetType().Name}: {e.Message.Replace(modelPath, "model.onnx", StringComparison.Ordinal)}"));
            }
            for (int i = 0; i < expected.Count; i++)
            {
                var problem = Compare(AsDeclared(actual[i], module.Model.Outputs[i].ElementType), expected[i]);
                if (problem is not null)
                    return new(name, op, BackendTestStatus.Failed, $"{Path.GetFileName(set)} output {i} ('{module.Model.Outputs[i].Name}'): {problem}");
            }
        }
        return new(name, op, BackendTestStatus.Passed, "");
    }

    /// <summary>Null when <paramref name="actual"/> matches <paramref name="expected"/>, else the first difference.</summary>
    public static string? Compare(Tensor actual, Tensor expected)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(expected);
        if (actual.Shape != expected.Shape) return $"shape {actual.Shape}, expected {expected.Shape}";
        if (actual.DType != expected.DType) return $"dtype {actual.DType}, expected {expected.DType}";
        switch (expected.DType)
        {
            case DType.Float32:
            {
                var a = actual.AsReadOnlySpan();
                var e = expected.AsReadOnlySpan();
                for (int i = 0; i < e.Length; i++)
                {
                    if (float.IsNaN(e[i]) && float.IsNaN(a[i])) continue;
                    if (a[i] == e[i]) continue;
                    double diff = Math.Abs((double)a[i] - e[i]);
                    if (!(diff <= AbsoluteTolerance + RelativeTolerance * Math.Abs((double)e[i])))
                        return $"element {i} is {a[i]:G9}, expected {e[i]:G9}";
                }
                return null;
            }
            case DType.Int64:
            {
                var a = actual.AsInt64Span();
                var e = expected.AsInt64Span();
                for (int i = 0; i < e.Length; i++) if (a[i] != e[i]) return $"element {i} is {a[i]}, expected {e[i]}";
                return null;
            }
            default:
            {
                var a = actual.AsBoolSpan();
                var e = expected.AsBoolSpan();
                for (int i = 0; i < e.Length; i++) if (a[i] != e[i]) return $"element {i} is {a[i]}, expected {e[i]}";
                return null;
            }
        }
    }

    /// <summary>
    /// Lumen holds float16 and bfloat16 in Float32 and computes in float32; a runtime that returns the declared type
    /// rounds its result to it, so a graph output declared float16 or bfloat16 is rounded (to nearest even) before
    /// the comparison. Nothing inside the graph is rounded.
    /// </summary>
    private static Tensor AsDeclared(Tensor actual, int elementType) =>
        elementType is (int)TensorProto.Types.DataType.Float16 or (int)TensorProto.Types.DataType.Bfloat16 && actual.DType == DType.Float32
            ? Ops.CastOps.ToOnnxType(actual, elementType)
            : actual;

    private static ModelProto? TryParse(string modelPath)
    {
        try { return ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath)); }
        catch (Exception e) when (e is InvalidProtocolBufferException or IOException) { return null; }
    }

    /// <summary>Positions of the graph inputs (initializers left out) or outputs declared optional: their test data are
    /// OptionalProto files, of which Lumen reads the ones that hold a tensor.</summary>
    private static HashSet<int> OptionalValues(ModelProto? model, bool inputs)
    {
        if (model is null) return [];
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var values = inputs ? model.Graph.Input.Where(i => !initializers.Contains(i.Name)) : model.Graph.Output;
        return [.. values.Select((v, i) => (v, i)).Where(p => p.v.Type?.OptionalType is not null).Select(p => p.i)];
    }

    private static IEnumerable<string> Domains(GraphProto graph) =>
        graph.Node.SelectMany(n => n.Attribute.SelectMany(a => (a.G is null ? a.Graphs : a.Graphs.Prepend(a.G)).SelectMany(Domains)).Prepend(n.Domain));

    private static List<Tensor> ReadNumbered(string directory, string prefix, int count, HashSet<int> optional)
    {
        var files = Directory.GetFiles(directory, prefix + "_*.pb")
            .OrderBy(f => int.Parse(NumberPattern().Match(Path.GetFileName(f)).Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        if (files.Count != count)
            throw new OnnxException($"{directory}: {files.Count} {prefix} file(s) for a graph with {count} {prefix}(s) (optional inputs or sequence data are not supported).");
        var tensors = new List<Tensor>(files.Count);
        foreach (var f in files)
        {
            var bytes = File.ReadAllBytes(f);
            TensorProto proto;
            try { proto = optional.Contains(tensors.Count) ? OptionalTensor(f, OptionalProto.Parser.ParseFrom(bytes)) : TensorProto.Parser.ParseFrom(bytes); }
            catch (InvalidProtocolBufferException) { throw new OnnxException($"{f}: sequence/optional test data is not supported."); }
            if (proto.DataType == 0 || !OnnxTensors.IsSupported(proto.DataType))
                throw new OnnxException($"{f}: element type {OnnxTensors.TypeName(proto.DataType)} is not supported (or the file holds a sequence/optional).");
            tensors.Add(OnnxTensors.ToTensor(proto, directory, f));
        }
        return tensors;
    }

    // An optional value that holds a tensor is that tensor; an empty optional or one holding a sequence cannot be
    // passed as a Lumen tensor.
    private static TensorProto OptionalTensor(string file, OptionalProto optional) =>
        optional.ElemType == (int)OptionalProto.Types.DataType.Tensor && optional.TensorValue is { } tensor
            ? tensor
            : throw new OnnxException($"{file}: an optional holding {(optional.ElemType == 0 ? "nothing" : "a non-tensor value")} is not supported (Lumen passes tensors only).");

    /// <summary>The op a case tests: its single node's op, else the op type whose snake_case name the case starts with.</summary>
    private static string OpOf(string caseName, OnnxModel model)
    {
        var ops = model.Nodes.Select(n => n.OpType).Distinct().ToList();
        if (ops.Count == 1) return ops[0];
        string stem = caseName.StartsWith("test_", StringComparison.Ordinal) ? caseName[5..] : caseName;
        var best = ops.Select(o => (Op: o, Snake: Snake(o))).Where(p => stem.StartsWith(p.Snake, StringComparison.Ordinal))
            .OrderByDescending(p => p.Snake.Length).FirstOrDefault();
        return best.Op ?? (ops.Count > 0 ? ops[0] : "(empty)");
    }

    private static string Snake(string op) => CamelBoundary().Replace(op, "$1_$2").ToLowerInvariant();

    private static string FirstLines(string message)
    {
        var lines = message.Split('\n');
        return lines.Length <= 3 ? message : string.Join('\n', lines.Take(3)) + $"\n  … ({lines.Length - 3} more)";
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex NumberPattern();

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex CamelBoundary();
}
