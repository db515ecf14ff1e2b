using System.CommandLine;
using Lumen.Cli;

var root = new RootCommand("Lumen: interpretability toolkit for deep nets. ONNX commands: inspect, run, onnx-test, bench.");
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(OnnxTestCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return root.Parse(args).Invoke();
