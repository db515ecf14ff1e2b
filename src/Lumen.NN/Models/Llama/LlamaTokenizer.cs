using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Lumen.NN.Models.Llama;

/// <summary>The llama2.c SentencePiece-BPE tokenizer (<c>tokenizer.bin</c> / <c>tok512.bin</c>): greedy merging of
/// the highest-scoring adjacent pair, byte fallback through <c>&lt;0xNN&gt;</c> pieces, and a leading space added to
/// non-empty text.</summary>
/// <remarks>
/// File: int32 max piece length, then per token: float32 score, int32 byte length, UTF-8 bytes. Encoding: one piece
/// per code point (or its bytes as ids <c>3 + byte</c> when absent), then repeatedly merge the adjacent pair whose
/// concatenation is a piece with the highest score (first such pair on ties) until none merges. Decoding drops the
/// space that follows BOS and turns <c>&lt;0xNN&gt;</c> into the byte NN. Sennrich et al. 2016,
/// https://arxiv.org/abs/1508.07909; Kudo and Richardson 2018, https://arxiv.org/abs/1808.06226.
/// </remarks>
/// <example><code>var tok = LlamaTokenizer.Load("tok512.bin"); var ids = tok.Encode("Once upon a time", bos: true); var text = tok.Decode(ids);</code></example>
public sealed class LlamaTokenizer
{
    private readonly string[] pieces;
    private readonly float[] scores;
    private readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);

    private LlamaTokenizer(string[] pieces, float[] scores)
    {
        this.pieces = pieces;
        this.scores = scores;
        for (int i = 0; i < pieces.Length; i++) ids.TryAdd(pieces[i], i);
    }

    /// <summary>Beginning-of-sequence id.</summary>
    public const int Bos = 1;

    /// <summary>End-of-sequence id.</summary>
    public const int Eos = 2;

    /// <summary>Number of pieces.</summary>
    public int VocabSize => pieces.Length;

    /// <summary>The piece of token <paramref name="id"/> as stored (e.g. <c>" the"</c>, <c>"&lt;0x0A&gt;"</c>).</summary>
    public string Piece(int id) => (uint)id < (uint)pieces.Length ? pieces[id]
        : throw new ArgumentOutOfRangeException(nameof(id), $"LlamaTokenizer: token {id} is outside 0..{pieces.Length - 1}.");

    /// <summary>True when token <paramref name="id"/> is a byte-fallback piece <c>&lt;0xNN&gt;</c>.</summary>
    public bool IsByteFallback(int id) => ByteOf(Piece(id)) is not null;

    /// <summary>Reads a llama2.c tokenizer file.</summary>
    public static LlamaTokenizer Load(string path)
    {
        using var stream = File.OpenRead(path);
        try { return Load(stream); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>Reads a llama2.c tokenizer from a stream (until its end).</summary>
    /// <exception cref="InvalidDataException">A record is truncated or has an implausible length.</exception>
    public static LlamaTokenizer Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var data = memory.ToArray();
        if (data.Length < 4) throw new InvalidDataException("llama2.c tokenizer: shorter than its 4-byte header.");
        int maxLength = BinaryPrimitives.ReadInt32LittleEndian(data);
        var pieces = new List<string>();
        var scores = new List<float>();
        int at = 4;
        while (at < data.Length)
        {
            if (at + 8 > data.Length) throw new InvalidDataException($"llama2.c tokenizer: token {pieces.Count} is truncated at byte {at}.");
            float score = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(at));
            int length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(at + 4));
            if (length < 0 || length > maxLength || at + 8 + length > data.Length)
                throw new InvalidDataException($"llama2.c tokenizer: token {pieces.Count} has length {length} (max {maxLength}) at byte {at}.");
            pieces.Add(Encoding.UTF8.GetString(data, at + 8, length));
            scores.Add(score);
            at += 8 + length;
        }
        if (pieces.Count <= Eos) throw new InvalidDataException($"llama2.c tokenizer: only {pieces.Count} tokens.");
        return new LlamaTokenizer([.. pieces], [.. scores]);
    }

    /// <summary>Token ids of <paramref name="text"/>, optionally with BOS first and EOS last.</summary>
    public IReadOnlyList<int> Encode(string text, bool bos = true, bool eos = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<int>();
        if (text.Length > 0)
        {
            if (ids.TryGetValue(" ", out int space)) tokens.Add(space);
            Span<byte> utf8 = stackalloc byte[4];
            foreach (var rune in text.EnumerateRunes())
            {
                if (ids.TryGetValue(rune.ToString(), out int id)) { tokens.Add(id); continue; }
                int n = rune.EncodeToUtf8(utf8);
                for (int i = 0; i < n; i++) tokens.Add(utf8[i] + 3);
            }
            MergePairs(tokens);
        }
        if (bos) tokens.Insert(0, Bos);
        if (eos) tokens.Add(Eos);
        return tokens;
    }

    /// <summary>The text of <paramref name="tokens"/> (BOS/EOS produce nothing; the space after BOS is dropped).</summary>
    public string Decode(IEnumerable<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var bytes = new List<byte>();
        int previous = -1;
        foreach (int token in tokens)
        {
            AppendBytes(bytes, token, previous);
            previous = token;
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>The text token <paramref name="token"/> adds after <paramref name="previous"/> (for streaming and
    /// for labelling positions in reports).</summary>
    public string DecodeOne(int token, int previous = -1)
    {
        var bytes = new List<byte>();
        AppendBytes(bytes, token, previous);
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private void AppendBytes(List<byte> bytes, int token, int previous)
    {
        if (token is Bos or Eos) return;
        var piece = Piece(token);
        if (previous == Bos && piece.StartsWith(' ')) piece = piece[1..];
        if (ByteOf(piece) is byte b) bytes.Add(b);
        else bytes.AddRange(Encoding.UTF8.GetBytes(piece));
    }

    private static byte? ByteOf(string piece) =>
        piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
        && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b) ? b : null;

    private void MergePairs(List<int> tokens)
    {
        while (true)
        {
            float best = float.NegativeInfinity;
            int bestId = -1, bestAt = -1;
            for (int i = 0; i + 1 < tokens.Count; i++)
                if (ids.TryGetValue(pieces[tokens[i]] + pieces[tokens[i + 1]], out int merged) && scores[merged] > best)
                    (best, bestId, bestAt) = (scores[merged], merged, i);
            if (bestAt < 0) return;
            tokens[bestAt] = bestId;
            tokens.RemoveAt(bestAt + 1);
        }
    }
}
