using System.CommandLine;
using Lumen.Cli;

var root = new RootCommand("Lumen: interpretability toolkit for deep nets. ONNX commands: inspect, run, onnx-test.");
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(OnnxTestCommand.Create());
return root.Parse(args).Invoke();
