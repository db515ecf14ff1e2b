using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Lumen.Benchmarks;

/// <summary>
/// Optional PyTorch reference for the <c>conv</c> benchmark: runs <c>torch.nn.functional.conv2d</c> forward (no grad)
/// and forward+backward (input and weight gradients) in a Python subprocess with the same shapes, thread count,
/// warm-up and best-of timing. Unavailable (null) when no Python interpreter on this machine imports torch
/// (Debian: <c>apt-get install python3-torch</c>).
/// </summary>
internal sealed class TorchReference
{
    private const string Script = """
        import sys, time, json, torch
        n, c, h, w, o, k, s, p, g, threads = map(int, sys.argv[1:11])
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        x, wt = torch.randn(n, c, h, w), torch.randn(o, c // g, k, k)
        xg, wg = x.clone().requires_grad_(), wt.clone().requires_grad_()
        def forward():
            with torch.no_grad():
                torch.nn.functional.conv2d(x, wt, None, s, p, 1, g)
        def both():
            y = torch.nn.functional.conv2d(xg, wg, None, s, p, 1, g)
            torch.autograd.grad(y, [xg, wg], torch.ones_like(y))
        def best(f, budget=1.0):
            start, i = time.perf_counter(), 0
            while i < 2 or time.perf_counter() - start < budget / 4:
                f(); i += 1
            b, start, i = 1e9, time.perf_counter(), 0
            while i < 3 or time.perf_counter() - start < budget:
                t = time.perf_counter(); f(); b = min(b, time.perf_counter() - t); i += 1
            return b
        print(json.dumps({"version": torch.__version__, "forward": best(forward) * 1e3, "forward+backward": best(both) * 1e3}))
        """;

    private readonly string python;
    private readonly string scriptPath;

    private TorchReference(string python, string scriptPath)
    {
        this.python = python;
        this.scriptPath = scriptPath;
    }

    /// <summary>The first of <c>python3</c>, <c>/usr/bin/python3</c> that imports torch, or null (reason on stderr).</summary>
    public static TorchReference? TryCreate()
    {
        foreach (var candidate in new[] { "python3", "/usr/bin/python3" })
        {
            var (code, _) = RunProcess(candidate, ["-c", "import torch"]);
            if (code != 0) continue;
            var path = Path.Combine(Path.GetTempPath(), $"lumen-conv-torch-{Environment.ProcessId}.py");
            File.WriteAllText(path, Script);
            return new TorchReference(candidate, path);
        }
        Console.Error.WriteLine("PyTorch unavailable (no python3 imports torch): torch_ms will be null.");
        return null;
    }

    /// <summary>Best milliseconds of PyTorch's forward and forward+backward for a convolution, or null on failure.</summary>
    public (double Forward, double Both)? Measure(int n, int c, int h, int w, int o, int k, int stride, int pad, int groups, int threads)
    {
        var args = new[] { scriptPath }.Concat(new[] { n, c, h, w, o, k, stride, pad, groups, threads }.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        var (code, output) = RunProcess(python, [.. args]);
        if (code != 0)
        {
            Console.Error.WriteLine($"PyTorch reference failed ({code}): {output}");
            return null;
        }
        using var doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        return (doc.RootElement.GetProperty("forward").GetDouble(), doc.RootElement.GetProperty("forward+backward").GetDouble());
    }

    private static (int Code, string Output) RunProcess(string file, string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, process.ExitCode == 0 ? stdout : stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
