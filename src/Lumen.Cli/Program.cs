using System.CommandLine;
using Lumen.Cli;

var root = new RootCommand("Lumen: explain and inspect deep networks. Start with `lumen explain` (no arguments: a bundled photo on the default model).");
root.Subcommands.Add(ExplainCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(AnalyzeCommand.Create());
root.Subcommands.Add(ModelsCommand.Create());
root.Subcommands.Add(MethodsCommand.Create());
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(OnnxTestCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(LmCommand.Create());
return root.Parse(args).Invoke();
