using System.CommandLine;
using Lumen.Mechanistic;
using Lumen.NN.Models.Llama;
using Lumen.Reports.Lm;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Cli;

internal static partial class LmCommand
{
    private const string DefaultText = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball.";

    private static Command LensCommand()
    {
        var common = new CommonOptions();
        var tunedOptions = new TunedLensCliOptions();
        var prompt = new Argument<string>("prompt") { Description = "Text to read layer by layer.", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "Once upon a time, there was a little girl named Lily. She" };
        var command = new Command("lens", "Logit lens: what each layer's residual stream predicts, through the final norm and unembedding; with --train-tuned or --tuned, also a tuned lens (learned per-layer translators) compared with it on held-out text.") { prompt };
        common.AddTo(command);
        tunedOptions.AddTo(command);
        command.SetAction(parse => Guarded(() =>
        {
            var loaded = common.Load(parse);
            var tokens = loaded.Encode(parse.GetValue(prompt)!);
            var lens = new LogitLens(loaded.Model).Run(tokens);
            PrintTop(lens, loaded);
            var tuned = tunedOptions.Run(parse, loaded, tokens);
            var page = LmHtml.Lens(loaded.Name, lens, loaded.Pieces(tokens), loaded.Tokenizer.Piece, tuned?.Section);
            return Report(page, new { model = loaded.Name, tokens, layers = lens.Layers, nextTokenProbabilities = lens.NextTokenProbabilities(), tunedLens = tuned?.Summary }, common, parse);
        }));
        return command;
    }

    /// <summary>Per layer, the three most likely next tokens at the last position.</summary>
    private static void PrintTop(LogitLensResult lens, LoadedModel loaded)
    {
        int last = lens.Tokens.Count - 1;
        for (int l = 0; l < lens.Layers.Count; l++)
            Console.WriteLine($"{lens.Layers[l],-8} {string.Join("  ", lens.Top(l, last, 3).Select(t => $"{Show(loaded.Tokenizer.Piece(t.Token))} {t.Probability:F3}"))}");
    }

    private static Command HeadsCommand()
    {
        var common = new CommonOptions();
        var text = new Argument<string>("text") { Description = "Text on which to score previous-token and duplicate-token heads and draw patterns.", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => DefaultText };
        var length = new Option<int>("--length") { Description = "Random tokens per copy in the induction search.", DefaultValueFactory = _ => 40 };
        var count = new Option<int>("--count") { Description = "Number of repeated random sequences.", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random tokens.", DefaultValueFactory = _ => 0 };
        var command = new Command("heads", "Head detectors: previous-token, duplicate-token and induction scores (with the loss drop on repeated random tokens) and attention patterns.") { text, length, count, seed };
        common.AddTo(command);
        command.SetAction(parse => Guarded(() =>
        {
            var loaded = common.Load(parse);
            var tokens = loaded.Encode(parse.GetValue(text)!);
            var detector = new HeadDetector(loaded.Model);
            var previous = detector.PreviousToken(tokens);
            var duplicate = detector.DuplicateToken(tokens);
            var words = Enumerable.Range(LlamaTokenizer.Eos + 1, loaded.Model.Config.VocabSize - LlamaTokenizer.Eos - 1).Where(i => !loaded.Tokenizer.IsByteFallback(i)).ToList();
            var induction = detector.SearchInduction(parse.GetValue(length), parse.GetValue(count), parse.GetValue(seed), words);
            foreach (var scores in new[] { previous, duplicate, induction.Induction })
                Console.WriteLine($"{scores.Kind,-16} {string.Join("  ", scores.Best(3).Select(b => $"{ResidualDecomposition.HeadName(b.Layer, b.Head)} {b.Score:F3}"))}");
            Console.WriteLine($"induction search: loss {induction.LossFirstRepeat:F3} → {induction.LossSecondRepeat:F3} nats on the second copy (drop {induction.LossDrop:F3})");
            var patterns = Patterns(loaded.Model, tokens, previous.Best(2).Concat(induction.Induction.Best(2)).Select(b => (b.Layer, b.Head)).Distinct().ToList());
            var page = LmHtml.Heads(loaded.Name, previous, duplicate, induction, loaded.Pieces(tokens), patterns);
            return Report(page, new
            {
                model = loaded.Name, previousToken = previous.Scores, duplicateToken = duplicate.Scores, induction = induction.Induction.Scores,
                induction.LossFirstRepeat, induction.LossSecondRepeat, induction.LossDrop, bestPreviousToken = Best(previous), bestInduction = Best(induction.Induction),
            }, common, parse);
        }));
        return command;
    }

    private static Command PatchCommand()
    {
        var common = new CommonOptions();
        var clean = new Option<string>("--clean") { Description = "The clean prompt.", DefaultValueFactory = _ => "Once upon a time, there was a little girl named Lily." };
        var corrupted = new Option<string>("--corrupted") { Description = "The corrupted prompt (same number of tokens).", DefaultValueFactory = _ => "Once upon a time, there was a little boy named Tim." };
        var answer = new Option<string>("--answer") { Description = "The next token the clean prompt should get (its first token is used).", DefaultValueFactory = _ => "She" };
        var wrong = new Option<string>("--wrong") { Description = "The next token the corrupted prompt should get.", DefaultValueFactory = _ => "He" };
        var heads = new Option<bool>("--per-position-heads") { Description = "Also patch every head at every position (layers × heads × positions runs)." };
        var command = new Command("patch", "Activation patching between a clean and a corrupted prompt (residual stream, attention and MLP outputs, heads), with attribution-patching estimates, path patching and direct logit attribution.") { clean, corrupted, answer, wrong, heads };
        common.AddTo(command);
        command.SetAction(parse => Guarded(() =>
        {
            var loaded = common.Load(parse);
            var cleanTokens = loaded.Encode(parse.GetValue(clean)!);
            var corruptedTokens = loaded.Encode(parse.GetValue(corrupted)!);
            int answerToken = FirstToken(loaded, parse.GetValue(answer)!, "--answer"), wrongToken = FirstToken(loaded, parse.GetValue(wrong)!, "--wrong");
            var metric = new LogitDifference(answerToken, wrongToken);
            var patching = new ActivationPatching(loaded.Model, cleanTokens, corruptedTokens, metric);
            var estimates = new AttributionPatching(loaded.Model, patching);
            Console.WriteLine($"metric logit[{Show(loaded.Tokenizer.Piece(answerToken))}] − logit[{Show(loaded.Tokenizer.Piece(wrongToken))}]: clean {patching.Clean:F3}, corrupted {patching.Corrupted:F3}");
            var sanity = patching.Effect(patching.Everything());
            Console.WriteLine($"sanity: patching every activation restores {sanity:P1} of the clean metric");
            var grids = new List<(PatchingGrid, PatchingGrid?)>();
            foreach (var site in Enum.GetValues<PatchSite>())
            {
                var truth = patching.ByPosition(site);
                var estimate = estimates.ByPosition(site);
                grids.Add((truth, estimate));
                Console.WriteLine($"{site,-9} strongest: {string.Join("  ", truth.Strongest(3).Select(c => $"{c.Row} pos {c.Column}: {c.Value:F2}"))}   (attribution patching r = {AttributionPatching.Correlation(estimate, truth):F3})");
            }
            var headGrid = patching.Heads();
            grids.Add((headGrid, estimates.Heads()));
            if (parse.GetValue(heads)) grids.Add((patching.HeadsByPosition(), null));
            var paths = new PathPatching(loaded.Model, patching);
            var direct = paths.Heads(paths.DirectToLogits());
            var dla = new DirectLogitAttribution(loaded.Model).Heads(new ResidualDecomposition(loaded.Model).Decompose(cleanTokens, perHead: true), cleanTokens.Count - 1, answerToken, wrongToken);
            Console.WriteLine($"heads     strongest: {string.Join("  ", headGrid.Strongest(3).Select(c => $"{c.Row} {c.Column}: {c.Value:F2}"))}");
            var eap = new EdgeAttributionPatching(loaded.Model, patching);
            var edges = eap.ScoreEdges();
            var curve = eap.FaithfulnessCurve(edges, [0, 5, 10, 20, 40, 80, 160, edges.Count]);
            Console.WriteLine($"circuit faithfulness: {string.Join("  ", curve.Select(c => $"{c.Edges} edges {Math.Round(c.Faithfulness, 2) + 0.0:F2}"))}");   // + 0.0: a rounded −0 (the empty circuit, 0 up to rounding) prints as 0.00
            string metricText = $"logit[{loaded.Tokenizer.Piece(answerToken)}] − logit[{loaded.Tokenizer.Piece(wrongToken)}] at the last position";
            var page = LmHtml.Patching(loaded.Name, parse.GetValue(clean)!, parse.GetValue(corrupted)!, metricText, loaded.Pieces(cleanTokens), grids, direct, dla, edges, curve);
            return Report(page, new
            {
                model = loaded.Name, clean = patching.Clean, corrupted = patching.Corrupted, restoredByPatchingEverything = sanity,
                grids = grids.Select(g => new { g.Item1.Title, g.Item1.Rows, g.Item1.Columns, g.Item1.Values, estimate = g.Item2?.Values, correlation = g.Item2 is null ? (double?)null : AttributionPatching.Correlation(g.Item2, g.Item1) }),
                pathPatching = direct.Values, directLogitAttribution = dla.Scores,
                edges = edges.Take(40).Select(e => new { e.Sender, e.Receiver, e.Score }), faithfulness = curve.Select(c => new { edges = c.Edges, faithfulness = c.Faithfulness }),
            }, common, parse);
        }));
        return command;
    }

    private static IReadOnlyList<(string Head, float[] Pattern)> Patterns(Llama model, IReadOnlyList<int> tokens, IReadOnlyList<(int Layer, int Head)> heads)
    {
        using var _ = GradMode.Off();
        var (_, cache) = model.RunWithCache(TokenSequence.ToTensor(tokens), n => n.EndsWith(".attn.pattern", StringComparison.Ordinal), detach: true);
        int t = tokens.Count;
        return [.. heads.Select(h => (ResidualDecomposition.HeadName(h.Layer, h.Head),
            cache[LlamaHookNames.Pattern(h.Layer)].Slice(1, h.Head, h.Head + 1).Reshape(t * t).ToArray()))];
    }

    private static object Best(HeadScores scores) => scores.Best(3).Select(b => new { head = ResidualDecomposition.HeadName(b.Layer, b.Head), score = b.Score });

    private static int FirstToken(LoadedModel loaded, string text, string option)
    {
        var ids = loaded.Tokenizer.Encode(text, bos: false);
        return ids.Count > 0 ? ids[0] : throw new ArgumentException($"{option}: '{text}' encodes to no token.");
    }

    private static int Report(Lumen.Reports.Html.HtmlDocument page, object summary, CommonOptions common, ParseResult parse)
    {
        var html = LmReportWriter.Write(page, summary, common.OutputFolder(parse));
        Console.Error.WriteLine($"report   {html}");
        return 0;
    }

    private static string Show(string piece) => $"“{piece}”";
}
