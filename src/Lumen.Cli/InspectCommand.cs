using System.CommandLine;
using Lumen.Onnx;

namespace Lumen.Cli;

/// <summary><c>lumen inspect MODEL</c>: inputs, outputs, opsets, op histogram, parameter count and the nodes Lumen
/// cannot run — without running anything.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "The .onnx file." };
        var command = new Command("inspect", "Describe an ONNX model and list what Lumen cannot run.") { model };
        command.SetAction(parse => Run(parse.GetValue(model)!));
        return command;
    }

    private static int Run(FileInfo file)
    {
        OnnxModel model;
        try { model = OnnxModel.Open(file.FullName); }
        catch (OnnxException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        Console.WriteLine($"model      {file.FullName}");
        Console.WriteLine($"ir         {model.IrVersion}   producer {model.Producer}");
        Console.WriteLine($"opsets     {string.Join(", ", model.Opsets.Select(o => $"{(o.Key.Length == 0 ? "ai.onnx" : o.Key)} {o.Value}"))}");
        foreach (var i in model.Inputs) Console.WriteLine($"input      {i}");
        foreach (var o in model.Outputs) Console.WriteLine($"output     {o}");
        Console.WriteLine($"parameters {model.ParameterCount:N0} in {model.Initializers.Count} initializers");
        Console.WriteLine($"nodes      {model.Nodes.Count}");
        foreach (var (op, count) in model.OpHistogram()) Console.WriteLine($"  {count,6}  {op}");
        var unsupported = model.UnsupportedNodes();
        if (unsupported.Count == 0)
        {
            Console.WriteLine("supported  every node can run");
            return 0;
        }
        Console.WriteLine($"unsupported {unsupported.Count} node(s):");
        foreach (var u in unsupported) Console.WriteLine($"  {u}");
        return 2;
    }
}
