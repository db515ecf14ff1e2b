using System.CommandLine;
using Lumen.Zoo;

namespace Lumen.Cli;

/// <summary><c>lumen models</c>: the models of the embedded zoo with their input, preprocessing, output and licence.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "List the embedded model zoo (usable as `lumen explain --model NAME`).");
        command.SetAction(_ => Run());
        return command;
    }

    private static int Run()
    {
        var zoo = ModelZoo.Default;
        foreach (var m in zoo.Models)
        {
            var p = m.Preprocess;
            Console.WriteLine($"{m.Name}{(m.Default ? " (default)" : "")}");
            Console.WriteLine($"  {m.Title}");
            Console.WriteLine($"  input   {m.Input} [1, {(p.ChannelOrder == "Grey" ? 1 : 3)}, {m.InputSize}, {m.InputSize}], {p.ChannelOrder}, (pixel·{p.Scale:G4} − mean)/std, mean [{string.Join(", ", p.Mean)}], std [{string.Join(", ", p.Std)}]");
            Console.WriteLine($"  output  {(m.OutputIsProbability ? "softmax probabilities" : "logits")}, labels {m.Labels}");
            Console.WriteLine($"  licence {m.License}");
            Console.WriteLine($"  file    {Path.Combine(zoo.Folder, m.File)}");
        }
        return 0;
    }
}
