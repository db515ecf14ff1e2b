using System.CommandLine;
using System.Globalization;
using Lumen.Mechanistic;
using Lumen.NN.Models.Llama;
using Lumen.Reports.Lm;

namespace Lumen.Cli;

internal static partial class LmCommand
{
    /// <summary>The tuned-lens options of <c>lumen lm lens</c>: train and save translators (<c>--train-tuned</c>) or
    /// load them (<c>--tuned</c>), then compare with the logit lens on held-out text sampled from the model.</summary>
    private sealed class TunedLensCliOptions
    {
        private readonly Option<FileInfo?> tuned = new("--tuned") { Description = "Read a tuned lens (translators saved by --train-tuned) and show it beside the logit lens." };
        private readonly Option<FileInfo?> train = new("--train-tuned") { Description = "Train a tuned lens on stories sampled from the model, save its translators to this safetensors file, and show it beside the logit lens." };
        private readonly Option<int> steps = new("--steps") { Description = "Tuned-lens training steps.", DefaultValueFactory = _ => 300 };
        private readonly Option<int> sequences = new("--sequences") { Description = "Stories sampled from the model (temperature 1) to train the tuned lens on; a quarter as many more (another seed) are held out for the comparison.", DefaultValueFactory = _ => 64 };
        private readonly Option<int> length = new("--length") { Description = "Tokens per sampled story.", DefaultValueFactory = _ => 96 };
        private readonly Option<string> optimizer = new("--optimizer") { Description = "adam, or sgd (Nesterov momentum 0.9, as in the paper).", DefaultValueFactory = _ => "adam" };
        private readonly Option<float?> learningRate = new("--learning-rate") { Description = "Initial learning rate, decayed linearly to 0 (default 0.01 for adam, 1 for sgd)." };
        private readonly Option<FileInfo?> corpus = new("--corpus") { Description = "A text file to train and compare on instead of sampled stories: each paragraph (blank-line separated) is cut into pieces of --length tokens, each after a BOS; every fifth piece is held out." };
        private readonly Option<int> seed = new("--seed") { Description = "Seed for sampling and training.", DefaultValueFactory = _ => 0 };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { tuned, train, steps, sequences, length, corpus, optimizer, learningRate, seed }) command.Options.Add(option);
        }

        /// <summary>The tuned lens asked for, read on <paramref name="tokens"/> and evaluated; null without --tuned/--train-tuned.</summary>
        public (TunedLensSection Section, object Summary)? Run(ParseResult parse, LoadedModel loaded, IReadOnlyList<int> tokens)
        {
            var readFile = parse.GetValue(tuned);
            var trainFile = parse.GetValue(train);
            if (readFile is null && trainFile is null) return null;
            if (readFile is not null && trainFile is not null) throw new ArgumentException("--tuned and --train-tuned: give one of them (train and save, or read).");
            int count = parse.GetValue(sequences), seedValue = parse.GetValue(seed), tokensPerPiece = parse.GetValue(length);
            if (count <= 0 || tokensPerPiece <= 0) throw new ArgumentException($"--sequences {count} and --length {tokensPerPiece} must be positive.");
            // Training text is only sampled when training; held-out stories use the next seed.
            var (corpusTrain, heldOut, source) = parse.GetValue(corpus) is FileInfo text
                ? TextCorpus(loaded, text, tokensPerPiece)
                : (null, SampledCorpus.Generate(loaded.Model, Math.Max(1, count / 4), tokensPerPiece, seedValue + 1), $"{count} sampled stories");
            TunedLens lens;
            TunedLensTraining? training = null;
            string description;
            if (trainFile is not null)
            {
                var kind = parse.GetValue(optimizer)!.ToLowerInvariant() switch
                {
                    "adam" => TunedLensOptimizer.Adam,
                    "sgd" or "sgd-nesterov" => TunedLensOptimizer.SgdNesterov,
                    var other => throw new ArgumentException($"--optimizer: '{other}' is not adam or sgd."),
                };
                float rate = parse.GetValue(learningRate) ?? (kind == TunedLensOptimizer.Adam ? 1e-2f : 1f);
                var options = new TunedLensOptions { Steps = parse.GetValue(steps), Optimizer = kind, LearningRate = rate, Seed = seedValue };
                training = new TunedLensTrainer(options).Fit(loaded.Model, corpusTrain ?? SampledCorpus.Generate(loaded.Model, count, tokensPerPiece, seedValue));
                lens = training.Lens;
                lens.Save(trainFile.FullName);
                description = string.Create(CultureInfo.InvariantCulture, $"Trained here: {training.Losses.Count} steps ({kind}, learning rate {rate:G3}, batch {options.BatchSize}) on {training.Positions} positions of {source} in {training.Seconds:F1} s; saved to {trainFile.Name}.");
                Console.Error.WriteLine($"tuned lens: {training.Losses.Count} steps on {training.Positions} positions in {training.Seconds:F1} s ({training.StepsPerSecond:F0} steps/s), loss {training.Losses[0]:F3} → {training.Losses[^1]:F3}; saved {trainFile.FullName}");
            }
            else
            {
                if (!readFile!.Exists) throw new FileNotFoundException($"--tuned: {readFile.FullName} does not exist.");
                lens = TunedLens.Load(loaded.Model, readFile.FullName);
                description = $"Translators read from {readFile.Name}.";
            }
            var evaluation = lens.Evaluate(heldOut);
            Console.WriteLine($"held-out KL to the final layer (nats), {evaluation.Positions} positions:");
            Console.WriteLine($"{"layer",-8} {"logit",8} {"tuned",8}   {"CE logit",8} {"CE tuned",8}");
            for (int l = 0; l < evaluation.Layers.Count; l++)
                Console.WriteLine($"{evaluation.Layers[l],-8} {evaluation.LogitLensKl[l],8:F4} {evaluation.TunedLensKl[l],8:F4}   {evaluation.LogitLensCrossEntropy[l],8:F4} {evaluation.TunedLensCrossEntropy[l],8:F4}");
            var result = lens.Run(tokens);
            Console.WriteLine("tuned lens:");
            PrintTop(result, loaded);
            var summary = new
            {
                file = (trainFile ?? readFile)!.FullName, trained = training is not null, steps = training?.Losses.Count, seconds = training?.Seconds,
                trainingPositions = training?.Positions, finalLoss = training?.Losses[^1], heldOutPositions = evaluation.Positions, layers = evaluation.Layers,
                logitLensKl = evaluation.LogitLensKl, tunedLensKl = evaluation.TunedLensKl,
                logitLensCrossEntropy = evaluation.LogitLensCrossEntropy, tunedLensCrossEntropy = evaluation.TunedLensCrossEntropy,
                nextTokenProbabilities = result.NextTokenProbabilities(),
            };
            return (new TunedLensSection(result, evaluation, description, training?.Losses), summary);
        }

        /// <summary>Pieces of <paramref name="length"/> tokens (each after a BOS) of every paragraph of a text file; every fifth held out.</summary>
        private static (IReadOnlyList<IReadOnlyList<int>>? Train, IReadOnlyList<IReadOnlyList<int>> HeldOut, string Source) TextCorpus(LoadedModel loaded, FileInfo file, int length)
        {
            if (!file.Exists) throw new FileNotFoundException($"--corpus: {file.FullName} does not exist.");
            length = Math.Min(length, loaded.Model.Config.MaxSeqLen - 1);
            var pieces = new List<IReadOnlyList<int>>();
            foreach (var paragraph in File.ReadAllText(file.FullName).ReplaceLineEndings("\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var ids = loaded.Tokenizer.Encode(paragraph, bos: false);
                for (int i = 0; i < ids.Count; i += length) pieces.Add([LlamaTokenizer.Bos, .. ids.Skip(i).Take(length)]);
            }
            if (pieces.Count < 2) throw new ArgumentException($"--corpus: {file.Name} gives {pieces.Count} piece(s) of text; at least 2 are needed (one is held out).");
            bool Held(int i) => i % 5 == 4 || (pieces.Count < 5 && i == pieces.Count - 1);
            var train = pieces.Where((_, i) => !Held(i)).ToList();
            return (train, [.. pieces.Where((_, i) => Held(i))], $"{train.Count} pieces of {file.Name}");
        }
    }
}
