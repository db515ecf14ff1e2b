using System.CommandLine;
using Lumen.Mechanistic;
using Lumen.Mechanistic.Sae;
using Lumen.NN.Models.Llama;
using Lumen.Reports.Lm;
using Lumen.Tensors.Autograd;

namespace Lumen.Cli;

internal static partial class LmCommand
{
    private static Command SteerCommand()
    {
        var common = new CommonOptions();
        var prompt = new Argument<string>("prompt") { Description = "Text to continue.", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "Once upon a time, there was a little girl named Lily. She" };
        var positive = new Option<string>("--positive") { Description = "Prompt whose direction to add.", DefaultValueFactory = _ => "She was very happy and smiled." };
        var negative = new Option<string>("--negative") { Description = "Prompt whose direction to subtract.", DefaultValueFactory = _ => "She was very sad and cried." };
        var layer = new Option<int>("--layer") { Description = "Block whose input is steered.", DefaultValueFactory = _ => 1 };
        var coefficients = new Option<string>("--coefficients") { Description = "Comma-separated coefficients.", DefaultValueFactory = _ => "0,1,2,3" };
        var steps = new Option<int>("--steps", "-n") { Description = "New tokens per continuation (greedy).", DefaultValueFactory = _ => 60 };
        var command = new Command("steer", "Steering by activation addition: continue a prompt with a contrast vector added to the residual stream.") { prompt, positive, negative, layer, coefficients, steps };
        common.AddTo(command);
        command.SetAction(parse => Guarded(() =>
        {
            var loaded = common.Load(parse);
            var vector = SteeringVector.FromContrast(loaded.Model, parse.GetValue(layer), loaded.Encode(parse.GetValue(positive)!), loaded.Encode(parse.GetValue(negative)!));
            var promptTokens = loaded.Encode(parse.GetValue(prompt)!);
            var generator = new LlamaGenerator(loaded.Model);
            var runs = new List<(float, string)>();
            foreach (var c in ParseFloats(parse.GetValue(coefficients)!, "--coefficients"))
            {
                IReadOnlyList<int> continuation;
                using (vector.Apply(loaded.Model, c)) continuation = generator.Generate(promptTokens, new GenerationOptions { MaxNewTokens = parse.GetValue(steps) });
                string text = loaded.Tokenizer.Decode([.. promptTokens, .. continuation]);
                Console.WriteLine($"[{c:0.##}] {text.Replace('\n', ' ')}");
                runs.Add((c, text));
            }
            var page = LmHtml.Steering(loaded.Name, parse.GetValue(positive)!, parse.GetValue(negative)!, vector.Layer, vector.Norm, runs);
            return Report(page, new { model = loaded.Name, layer = vector.Layer, norm = vector.Norm, runs = runs.Select(r => new { coefficient = r.Item1, text = r.Item2 }) }, common, parse);
        }));
        return command;
    }

    private static Command SaeCommand()
    {
        var common = new CommonOptions();
        var layer = new Option<int>("--layer") { Description = "Train on blocks.LAYER.resid_post (default: the middle block).", DefaultValueFactory = _ => -1 };
        var features = new Option<int>("--features") { Description = "Dictionary size.", DefaultValueFactory = _ => 256 };
        var activation = new Option<string>("--activation") { Description = "topk or relu (L1).", DefaultValueFactory = _ => "topk" };
        var k = new Option<int>("--k") { Description = "Active features per token for topk.", DefaultValueFactory = _ => 16 };
        var l1 = new Option<float>("--l1") { Description = "L1 coefficient for relu.", DefaultValueFactory = _ => 3f };
        var steps = new Option<int>("--steps") { Description = "Training steps.", DefaultValueFactory = _ => 1500 };
        var sequences = new Option<int>("--sequences") { Description = "Stories sampled from the model (temperature 1) as training data; a quarter as many more are held out for evaluation.", DefaultValueFactory = _ => 64 };
        var length = new Option<int>("--length") { Description = "Tokens per sampled story.", DefaultValueFactory = _ => 96 };
        var seed = new Option<int>("--seed") { Description = "Seed for sampling and training.", DefaultValueFactory = _ => 0 };
        var command = new Command("sae", "Train a sparse autoencoder on a residual stream and report explained variance, L0, the spliced-in loss and top-activating contexts.") { layer, features, activation, k, l1, steps, sequences, length, seed };
        common.AddTo(command);
        command.SetAction(parse => Guarded(() =>
        {
            var loaded = common.Load(parse);
            int chosen = parse.GetValue(layer) < 0 ? loaded.Model.Config.Layers / 2 : parse.GetValue(layer);
            if (chosen >= loaded.Model.Config.Layers) throw new ArgumentException($"--layer: {chosen} is outside 0..{loaded.Model.Config.Layers - 1}.");
            var kind = parse.GetValue(activation)!.ToLowerInvariant() switch
            {
                "topk" or "top-k" => SaeActivation.TopK,
                "relu" or "l1" => SaeActivation.Relu,
                var other => throw new ArgumentException($"--activation: '{other}' is not topk or relu."),
            };
            var options = new SaeOptions { Features = parse.GetValue(features), Activation = kind, K = parse.GetValue(k), L1Coefficient = parse.GetValue(l1), Steps = parse.GetValue(steps), Seed = parse.GetValue(seed) };
            int count = parse.GetValue(sequences), seedValue = parse.GetValue(seed);
            var train = SampledCorpus.Generate(loaded.Model, count, parse.GetValue(length), seedValue);
            var test = SampledCorpus.Generate(loaded.Model, Math.Max(1, count / 4), parse.GetValue(length), seedValue + 1);
            var evaluator = new SaeEvaluator(loaded.Model, LlamaHookNames.ResidPost(chosen));
            var data = evaluator.Collect(train);
            Console.Error.WriteLine($"training on {data.Shape[0]} activations of {evaluator.Hook}");
            var training = new SaeTrainer(options).Fit(data);
            var metrics = evaluator.Evaluate(training.Autoencoder, test);
            Console.WriteLine($"explained variance {metrics.ExplainedVariance:F4}  L0 {metrics.L0:F2}  dead {metrics.DeadFraction:P1}");
            Console.WriteLine($"cross-entropy clean {metrics.CleanLoss:F4} → spliced {metrics.SplicedLoss:F4} (+{metrics.LossIncrease:F4}); zeroed {metrics.ZeroAblationLoss:F4}; recovered {metrics.LossRecovered:P1}");
            Console.WriteLine($"{training.Losses.Count} steps in {training.Seconds:F1} s ({training.StepsPerSecond:F0} steps/s)");
            var rates = SaeEvaluator.FiringRates(training.Autoencoder, evaluator.Collect(test));
            var shown = Enumerable.Range(0, rates.Length).Where(f => rates[f] > 0 && rates[f] < 0.3).OrderByDescending(f => rates[f]).Take(12).ToList();
            var contexts = evaluator.TopContexts(training.Autoencoder, test, shown, top: 4);
            var featureViews = shown.Select((f, i) => (f, rates[f], (IReadOnlyList<(IReadOnlyList<string>, int, float)>)[.. contexts[i].Select(c => (loaded.Pieces(c.Tokens), c.Focus, c.Activation))])).ToList();
            var page = LmHtml.Sae(loaded.Name, evaluator.Hook, options, training, metrics, data.Shape[0], featureViews);
            return Report(page, new { model = loaded.Name, hook = evaluator.Hook, options, metrics, metrics.LossIncrease, metrics.LossRecovered, training.StepsPerSecond, training.Seconds, finalLoss = training.Losses[^1] }, common, parse);
        }));
        return command;
    }

    private static Command AttributeCommand()
    {
        var common = new CommonOptions();
        var prompt = new Argument<string>("prompt") { Description = "The prompt whose next token is explained.", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "Once upon a time, there was a little girl named Lily." };
        var target = new Option<string?>("--target") { Description = "The next token to explain (its first token is used). Default: the model's top prediction." };
        var steps = new Option<int>("--steps") { Description = "Integrated Gradients steps.", DefaultValueFactory = _ => 64 };
        var command = new Command("attribute", "Token attribution for the next token: gradient × embedding and Integrated Gradients over the input embeddings.") { prompt, target, steps };
        common.AddTo(command);
        command.SetAction(parse => Guarded(() =>
        {
            var loaded = common.Load(parse);
            var tokens = loaded.Encode(parse.GetValue(prompt)!);
            int targetToken = parse.GetValue(target) is string t ? FirstToken(loaded, t, "--target") : TopPrediction(loaded.Model, tokens);
            var attribution = new TokenAttribution(loaded.Model, new TokenAttributionOptions { Steps = parse.GetValue(steps) });
            var results = new[] { attribution.GradientTimesEmbedding(tokens, targetToken), attribution.IntegratedGradients(tokens, targetToken) };
            var pieces = loaded.Pieces(tokens);
            Console.WriteLine($"target {Show(loaded.Tokenizer.Piece(targetToken))}");
            foreach (var r in results)
                Console.WriteLine($"{r.Method,-22} {string.Join("  ", Enumerable.Range(0, pieces.Count).OrderByDescending(i => r.Scores[i]).Take(4).Select(i => $"{Show(pieces[i])} {r.Scores[i]:F3}"))}{(r.Delta is double d ? $"   delta {d:G3}" : "")}");
            var page = LmHtml.Attribution(loaded.Name, pieces, loaded.Tokenizer.Piece(targetToken), results);
            return Report(page, new { model = loaded.Name, tokens, target = targetToken, results = results.Select(r => new { r.Method, r.Scores, r.Delta }) }, common, parse);
        }));
        return command;
    }

    private static int TopPrediction(Llama model, IReadOnlyList<int> tokens)
    {
        using var _ = GradMode.Off();
        var logits = model.Call(TokenSequence.ToTensor(tokens)).AsReadOnlySpan();
        var last = logits.Slice(logits.Length - model.Config.VocabSize);
        int best = 0;
        for (int i = 1; i < last.Length; i++) if (last[i] > last[best]) best = i;
        return best;
    }

    private static IReadOnlyList<float> ParseFloats(string list, string option)
    {
        var values = new List<float>();
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            values.Add(float.TryParse(part, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float v)
                ? v : throw new ArgumentException($"{option}: '{part}' is not a number."));
        return values.Count > 0 ? values : throw new ArgumentException($"{option}: give at least one number.");
    }
}
