using System.CommandLine;
using System.Diagnostics;
using Lumen.Mechanistic;
using Lumen.NN.Models.Llama;
using Lumen.Reports.Lm;
using Lumen.Tensors;
using Lumen.Zoo;

namespace Lumen.Cli;

/// <summary><c>lumen lm generate|lens|heads|patch|steer|sae|attribute</c>: mechanistic interpretability of a
/// Llama-architecture language model (llama2.c <c>.bin</c> or safetensors, with a llama2.c tokenizer). Each
/// subcommand prints its key numbers and writes a self-contained HTML report and summary.json. Without
/// <c>--model</c> the stories260K model in the shared data folder is used when it can be found.</summary>
internal static partial class LmCommand
{
    private const string SharedModel = "models/lm/stories260K/stories260K.bin";

    public static Command Create()
    {
        var lm = new Command("lm", "Mechanistic interpretability of a Llama-style language model: generation, logit and tuned lens, head detectors, activation patching, steering, sparse autoencoders and token attribution, each with an HTML report.");
        foreach (var command in new[] { GenerateCommand(), LensCommand(), HeadsCommand(), PatchCommand(), SteerCommand(), SaeCommand(), AttributeCommand() })
            lm.Subcommands.Add(command);
        return lm;
    }

    /// <summary>Options every subcommand takes.</summary>
    private sealed class CommonOptions
    {
        public Option<FileInfo?> Model { get; } = new("--model", "-m") { Description = $"A llama2.c checkpoint (.bin) or a safetensors file with llama2.c names. Default: ../shared/{SharedModel} found from the current or the program's folder." };
        public Option<FileInfo?> Tokenizer { get; } = new("--tokenizer") { Description = "A llama2.c tokenizer (.bin). Default: tok512.bin or tokenizer.bin beside the model." };
        public Option<DirectoryInfo> Output { get; } = new("--out", "-o") { Description = "Output folder for report.html and summary.json.", DefaultValueFactory = _ => new DirectoryInfo("lumen-lm") };
        public Option<int?> Threads { get; } = new("--threads") { Description = "Worker threads for the tensor kernels (default: all cores)." };

        public void AddTo(Command command)
        {
            command.Options.Add(Model);
            command.Options.Add(Tokenizer);
            command.Options.Add(Output);
            command.Options.Add(Threads);
        }

        public LoadedModel Load(ParseResult parse)
        {
            if (parse.GetValue(Threads) is int t) Parallelism.MaxDegree = Math.Max(1, t);
            var modelFile = parse.GetValue(Model)?.FullName ?? SharedFolder.Find(SharedModel)
                ?? throw new FileNotFoundException($"--model: none given, and ../shared/{SharedModel} was not found above the current or the program's folder.");
            if (!File.Exists(modelFile)) throw new FileNotFoundException($"--model: {modelFile} does not exist.");
            var tokenizerFile = parse.GetValue(Tokenizer)?.FullName
                ?? new[] { "tok512.bin", "tokenizer.bin" }.Select(n => Path.Combine(Path.GetDirectoryName(modelFile)!, n)).FirstOrDefault(File.Exists)
                ?? throw new FileNotFoundException($"--tokenizer: none given, and neither tok512.bin nor tokenizer.bin lies beside {modelFile}.");
            var model = modelFile.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
                ? LlamaCheckpoint.LoadSafetensors(modelFile)
                : LlamaCheckpoint.LoadLlama2c(modelFile);
            var tokenizer = LlamaTokenizer.Load(tokenizerFile);
            if (tokenizer.VocabSize != model.Config.VocabSize)
                throw new InvalidDataException($"--tokenizer: {tokenizerFile} has {tokenizer.VocabSize} tokens, the model {model.Config.VocabSize}.");
            return new LoadedModel(Path.GetFileNameWithoutExtension(modelFile), model, tokenizer);
        }

        public string OutputFolder(ParseResult parse) => parse.GetValue(Output)!.FullName;
    }

    private sealed record LoadedModel(string Name, Llama Model, LlamaTokenizer Tokenizer)
    {
        public IReadOnlyList<int> Encode(string text) => Tokenizer.Encode(text, bos: true);

        /// <summary>Position labels: the decoded piece of each token (BOS shown as ⟨bos⟩).</summary>
        public IReadOnlyList<string> Pieces(IReadOnlyList<int> tokens) =>
            [.. tokens.Select((t, i) => t == LlamaTokenizer.Bos ? "⟨bos⟩" : Tokenizer.DecodeOne(t, i > 0 ? tokens[i - 1] : -1))];
    }

    private static Command GenerateCommand()
    {
        var common = new CommonOptions();
        var prompt = new Argument<string>("prompt") { Description = "Text to continue (empty: start from BOS).", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "" };
        var steps = new Option<int>("--steps", "-n") { Description = "Number of new tokens.", DefaultValueFactory = _ => 200 };
        var temperature = new Option<float>("--temperature", "-t") { Description = "Sampling temperature; 0 is greedy.", DefaultValueFactory = _ => 0f };
        var topP = new Option<float>("--top-p") { Description = "Nucleus sampling mass in (0, 1].", DefaultValueFactory = _ => 0.9f };
        var seed = new Option<int>("--seed") { Description = "Sampler seed.", DefaultValueFactory = _ => 0 };
        var command = new Command("generate", "Continue a prompt greedily or by sampling (KV cache), and report each token's probability.") { prompt, steps, temperature, topP, seed };
        common.AddTo(command);
        command.SetAction(parse => Guarded(() =>
        {
            var loaded = common.Load(parse);
            var promptTokens = loaded.Encode(parse.GetValue(prompt) ?? "");
            var options = new GenerationOptions { MaxNewTokens = parse.GetValue(steps), Temperature = parse.GetValue(temperature), TopP = parse.GetValue(temperature) == 0 ? 1f : parse.GetValue(topP), Seed = parse.GetValue(seed) };
            var clock = Stopwatch.StartNew();
            var generated = new LlamaGenerator(loaded.Model).Generate(promptTokens, options);
            double seconds = clock.Elapsed.TotalSeconds;
            var tokens = promptTokens.Concat(generated).ToList();
            var logProbabilities = TokenSequence.NextTokenLogProbabilities(loaded.Model, tokens);
            var probabilities = new[] { double.NaN }.Concat(logProbabilities.Select(l => Math.Exp(l))).ToList();
            string text = loaded.Tokenizer.Decode(tokens);
            Console.WriteLine(text);
            string settings = $"{(options.Temperature == 0 ? "greedy" : $"temperature {options.Temperature}, top-p {options.TopP}, seed {options.Seed}")} · {generated.Count} tokens in {seconds:F2} s ({generated.Count / Math.Max(seconds, 1e-9):F0} tokens/s, KV cache)";
            Console.Error.WriteLine(settings);
            var page = LmHtml.Generation(loaded.Name, loaded.Pieces(tokens), probabilities, promptTokens.Count, settings);
            var html = LmReportWriter.Write(page, new { model = loaded.Name, text, tokens, probabilities = probabilities.Skip(1), options.Temperature, options.TopP, options.Seed, seconds }, common.OutputFolder(parse));
            Console.Error.WriteLine($"report   {html}");
            return 0;
        }));
        return command;
    }

    /// <summary>Runs a subcommand body, turning bad input into a one-line error and exit code 1.</summary>
    private static int Guarded(Func<int> body)
    {
        try { return body(); }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException or KeyNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
