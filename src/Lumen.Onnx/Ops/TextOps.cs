using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>
/// TfIdfVectorizer over integer token ids (Lumen tensors hold no strings, so pool_strings is refused): counts the
/// pool's n-grams in each row and maps n-gram i to output column ngram_indexes[i]. An n-gram of length n with skip s
/// takes the tokens at i, i + (s + 1), …, i + (n − 1)(s + 1); every skip 0…max_skip_count is counted for n ≥ 2,
/// unigrams once. Mode TF gives the counts, IDF the weight where the count is positive, TFIDF count·weight (weights 1
/// when absent). Integer-valued: no gradient.
/// </summary>
internal static class TextOps
{
    public static void Register() => OnnxOps.Register("TfIdfVectorizer", 9, node =>
    {
        if (node.Strings("pool_strings") is { Length: > 0 }) throw node.Unsupported("pool_strings (Lumen tensors hold numbers only)");
        long[] pool = node.Ints("pool_int64s") ?? throw node.Error("attribute 'pool_int64s' is required.");
        long[] starts = node.Ints("ngram_counts") ?? throw node.Error("attribute 'ngram_counts' is required.");
        long[] indexes = node.Ints("ngram_indexes") ?? throw node.Error("attribute 'ngram_indexes' is required.");
        int minGram = (int)node.Int("min_gram_length"), maxGram = (int)node.Int("max_gram_length"), maxSkip = (int)node.Int("max_skip_count");
        string mode = node.String("mode", "TF");
        if (mode is not ("TF" or "IDF" or "TFIDF")) throw node.Unsupported($"mode '{mode}'");
        float[] weights = node.Floats("weights") ?? [.. Enumerable.Repeat(1f, indexes.Length)];
        // n-gram (as a key of its tokens) → its position in ngram_indexes.
        var grams = new Dictionary<string, int>(StringComparer.Ordinal);
        int position = 0;
        for (int level = 0; level < starts.Length; level++)
        {
            int n = level + 1, begin = (int)starts[level], end = level + 1 < starts.Length ? (int)starts[level + 1] : pool.Length;
            for (int at = begin; at + n <= end; at += n) grams[Key(pool.AsSpan(at, n))] = position++;
        }
        if (position != indexes.Length) throw node.Error($"the pool holds {position} n-grams but ngram_indexes has {indexes.Length} entries.");
        int width = indexes.Length == 0 ? 0 : (int)indexes.Max() + 1;
        return inputs =>
        {
            var x = inputs.Arg(0);
            if (x.Rank is < 1 or > 2) throw new ArgumentException($"TfIdfVectorizer: expected [C] or [N, C] token ids, got {x.Shape}.");
            var tokens = OpHelpers.Longs(x);
            int rows = x.Rank == 1 ? 1 : x.Shape[0], length = x.Shape[x.Rank - 1];
            var y = new float[rows * width];
            var gram = new long[maxGram];
            for (int r = 0; r < rows; r++)
            {
                var row = tokens.AsSpan(r * length, length);
                var counts = new float[width];
                for (int n = Math.Max(minGram, 1); n <= maxGram; n++)
                    for (int skip = 0; skip <= (n == 1 ? 0 : maxSkip); skip++)
                        for (int i = 0; i + (n - 1) * (skip + 1) < length; i++)
                        {
                            for (int k = 0; k < n; k++) gram[k] = row[i + k * (skip + 1)];
                            if (grams.TryGetValue(Key(gram.AsSpan(0, n)), out int g)) counts[indexes[g]]++;
                        }
                for (int g = 0; g < indexes.Length; g++)
                {
                    int column = (int)indexes[g];
                    float count = counts[column];
                    y[r * width + column] = mode switch { "TF" => count, "IDF" => count > 0 ? weights[g] : 0f, _ => count * weights[g] };
                }
            }
            return [OpHelpers.FloatTensor(y, x.Rank == 1 ? new Shape(width) : new Shape(rows, width))];
        };
    });

    private static string Key(ReadOnlySpan<long> tokens) => string.Join(',', tokens.ToArray());
}
