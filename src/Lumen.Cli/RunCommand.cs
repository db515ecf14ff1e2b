using Lumen.Tensors.IO;
using System.CommandLine;
using Lumen.Onnx;
using Lumen.Onnx.IO;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Cli;

/// <summary><c>lumen run MODEL --input name=FILE … --output-dir DIR</c>: runs a model on .npy or TensorProto .pb
/// inputs and writes every output as .npy.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "The .onnx file." };
        var inputs = new Option<string[]>("--input", "-i") { Description = "name=FILE (.npy or .pb); repeat per input. A single-input model also accepts FILE alone.", AllowMultipleArgumentsPerToken = true, Required = true };
        var outputDir = new Option<DirectoryInfo>("--output-dir", "-o") { Description = "Directory for <output>.npy files.", DefaultValueFactory = _ => new DirectoryInfo(".") };
        var command = new Command("run", "Run an ONNX model on .npy/.pb inputs and write its outputs as .npy.") { model, inputs, outputDir };
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(inputs) ?? [], parse.GetValue(outputDir)!));
        return command;
    }

    private static int Run(FileInfo file, string[] inputSpecs, DirectoryInfo outputDir)
    {
        try
        {
            var module = OnnxModel.Load(file.FullName);
            var named = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var spec in inputSpecs)
            {
                int eq = spec.IndexOf('=', StringComparison.Ordinal);
                string name, path;
                if (eq > 0) { name = spec[..eq]; path = spec[(eq + 1)..]; }
                else if (module.Model.Inputs.Count == 1) { name = module.Model.Inputs[0].Name; path = spec; }
                else throw new OnnxException($"--input '{spec}': write name=FILE; the model's inputs are {string.Join(", ", module.Model.Inputs.Select(i => i.Name))}.");
                named[name] = ReadTensor(path);
            }
            IReadOnlyDictionary<string, Tensor> outputs;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using (GradMode.Off()) outputs = module.Run(named);
            watch.Stop();
            outputDir.Create();
            foreach (var (name, tensor) in outputs)
            {
                var path = Path.Combine(outputDir.FullName, GraphModule.Sanitize(name) + ".npy");
                Npy.Write(path, tensor);
                Console.WriteLine($"{name} {tensor.Shape} {tensor.DType} -> {path}");
            }
            Console.Error.WriteLine($"forward {watch.Elapsed.TotalMilliseconds:F1} ms");
            return 0;
        }
        catch (Exception e) when (e is OnnxException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }

    private static Tensor ReadTensor(string path)
    {
        if (!File.Exists(path)) throw new OnnxException($"{path}: input file not found.");
        return Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase) ? Npy.Read(path) : OnnxTensors.ReadPb(path);
    }
}
