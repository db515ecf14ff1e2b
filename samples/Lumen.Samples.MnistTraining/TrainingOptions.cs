using System.Globalization;

namespace Lumen.Samples.MnistTraining;

/// <summary>Command-line options of the sample (plain <c>--name value</c> pairs).</summary>
internal sealed record TrainingOptions(string OutputDirectory, string DataDirectory, int Epochs, int BatchSize, float LearningRate, int Seed, int? Threads, bool Augment)
{
    public static TrainingOptions Parse(string[] args)
    {
        var o = new TrainingOptions("out", FindDataDirectory(), Epochs: 8, BatchSize: 64, LearningRate: 2e-3f, Seed: 1, Threads: null, Augment: true);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i] switch
            {
                "--out" => o with { OutputDirectory = Next() },
                "--data" => o with { DataDirectory = Next() },
                "--epochs" => o with { Epochs = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--batch" => o with { BatchSize = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--lr" => o with { LearningRate = float.Parse(Next(), CultureInfo.InvariantCulture) },
                "--seed" => o with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--threads" => o with { Threads = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--no-augment" => o with { Augment = false },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Options: --out DIR --data DIR --epochs N --batch N --lr X --seed N --threads N --no-augment."),
            };
        }
        if (o.Epochs <= 0 || o.BatchSize <= 0) throw new ArgumentException($"--epochs ({o.Epochs}) and --batch ({o.BatchSize}) must be positive.");
        return o;
    }

    /// <summary>data/mnist in the repository (found by walking up to Lumen.sln from the working directory or the binaries).</summary>
    private static string FindDataDirectory()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Lumen.sln"))) return Path.Combine(dir.FullName, "data", "mnist");
        return Path.Combine("data", "mnist");
    }
}
