using Lumen.NN.Models.Llama;

namespace Lumen.NN.Tests.Models;

/// <summary>A scalar, position-by-position port of llama2.c's run.c forward pass (the naive twin of <see cref="Llama"/>).</summary>
internal static class NaiveLlama
{
    public static float[] Logits(Llama model, long[] tokens)
    {
        var c = model.Config;
        var w = model.StateDict().ToDictionary(p => p.Key, p => p.Value.ToArray());
        int dim = c.Dim, hd = c.HeadDim, kvDim = c.KvHeads * hd, rep = c.Heads / c.KvHeads, t = tokens.Length;
        var keyCache = new float[c.Layers, t, kvDim];
        var valueCache = new float[c.Layers, t, kvDim];
        var output = new float[t * c.VocabSize];
        for (int pos = 0; pos < t; pos++)
        {
            var x = w["embed.weight"].AsSpan((int)tokens[pos] * dim, dim).ToArray();
            for (int l = 0; l < c.Layers; l++)
            {
                string p = $"blocks.{l}.";
                var xb = RmsNorm(x, w[p + "ln1.weight"], c.NormEps);
                var q = MatVec(w[p + "attn.wq.weight"], xb, dim);
                var k = MatVec(w[p + "attn.wk.weight"], xb, kvDim);
                var v = MatVec(w[p + "attn.wv.weight"], xb, kvDim);
                for (int i = 0; i < dim; i += 2)
                {
                    int headDim = i % hd;
                    float freq = 1.0f / MathF.Pow(c.RopeTheta, headDim / (float)hd);
                    float val = pos * freq, fcr = MathF.Cos(val), fci = MathF.Sin(val);
                    Rotate(q, i, fcr, fci);
                    if (i < kvDim) Rotate(k, i, fcr, fci);
                }
                for (int i = 0; i < kvDim; i++) { keyCache[l, pos, i] = k[i]; valueCache[l, pos, i] = v[i]; }
                var z = new float[dim];
                for (int h = 0; h < c.Heads; h++)
                {
                    int kvOffset = h / rep * hd;
                    var att = new float[pos + 1];
                    for (int s = 0; s <= pos; s++)
                    {
                        float score = 0;
                        for (int i = 0; i < hd; i++) score += q[h * hd + i] * keyCache[l, s, kvOffset + i];
                        att[s] = score / MathF.Sqrt(hd);
                    }
                    Softmax(att);
                    for (int s = 0; s <= pos; s++)
                        for (int i = 0; i < hd; i++) z[h * hd + i] += att[s] * valueCache[l, s, kvOffset + i];
                }
                var attnOut = MatVec(w[p + "attn.wo.weight"], z, dim);
                for (int i = 0; i < dim; i++) x[i] += attnOut[i];
                xb = RmsNorm(x, w[p + "ln2.weight"], c.NormEps);
                var gate = MatVec(w[p + "mlp.w1.weight"], xb, c.HiddenDim);
                var up = MatVec(w[p + "mlp.w3.weight"], xb, c.HiddenDim);
                for (int i = 0; i < gate.Length; i++) gate[i] = gate[i] / (1f + MathF.Exp(-gate[i])) * up[i];
                var down = MatVec(w[p + "mlp.w2.weight"], gate, dim);
                for (int i = 0; i < dim; i++) x[i] += down[i];
            }
            var final = RmsNorm(x, w["ln_final.weight"], c.NormEps);
            var logits = MatVec(c.TiedEmbeddings ? w["embed.weight"] : w["unembed.weight"], final, c.VocabSize);
            logits.CopyTo(output, pos * c.VocabSize);
        }
        return output;
    }

    private static void Rotate(float[] v, int i, float cos, float sin)
    {
        float a = v[i], b = v[i + 1];
        v[i] = a * cos - b * sin;
        v[i + 1] = a * sin + b * cos;
    }

    private static float[] RmsNorm(float[] x, float[] weight, float eps)
    {
        float ss = 0;
        foreach (float v in x) ss += v * v;
        float scale = 1f / MathF.Sqrt(ss / x.Length + eps);
        return x.Select((v, i) => weight[i] * v * scale).ToArray();
    }

    private static float[] MatVec(float[] matrix, float[] x, int rows)
    {
        var y = new float[rows];
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < x.Length; i++) y[r] += matrix[r * x.Length + i] * x[i];
        return y;
    }

    private static void Softmax(float[] x)
    {
        float max = x.Max(), sum = 0;
        for (int i = 0; i < x.Length; i++) sum += x[i] = MathF.Exp(x[i] - max);
        for (int i = 0; i < x.Length; i++) x[i] /= sum;
    }
}
