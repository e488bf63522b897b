using System.Diagnostics;
using System.Text;

namespace Ledger.Devnet.Tests;

/// <summary>The outcome of one run of the real <c>ledger</c> program.</summary>
public sealed record LedgerRun(int ExitCode, string StdOut, string StdErr);

/// <summary>
/// The built <c>ledger</c> program (ledger.dll, copied next to the tests) run as a child process under the same
/// <c>dotnet</c> host; <see cref="StartNodeAsync"/> keeps <c>ledger node run</c> running until disposed.
/// </summary>
public sealed class LedgerProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "listening on ";
    private static readonly string LedgerDll = Path.Combine(AppContext.BaseDirectory, "ledger.dll");
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly StringBuilder _stderr;

    private LedgerProcess(Process process, Uri url, StringBuilder stderr)
    {
        _process = process;
        Url = url;
        _stderr = stderr;
    }

    /// <summary>The node's bound HTTP address (from its <c>listening on</c> line).</summary>
    public Uri Url { get; }

    /// <summary>What the node logged so far.</summary>
    public string StdErr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Runs <c>ledger args…</c> to completion (bounded).</summary>
    public static async Task<LedgerRun> RunAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args)) ?? throw new InvalidOperationException("could not start ledger");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Bound);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ledger {string.Join(' ', args)} did not exit within {Bound}");
        }
        return new LedgerRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts <c>ledger node run --data <paramref name="data"/> --urls http://127.0.0.1:0</c> and waits for its address.</summary>
    public static async Task<LedgerProcess> StartNodeAsync(string data)
    {
        var process = Process.Start(StartInfo(["node", "run", "--data", data, "--urls", "http://127.0.0.1:0"])) ?? throw new InvalidOperationException("could not start ledger");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (stderr) stderr.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(Bound);
        try
        {
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(cts.Token)
                    ?? throw new InvalidOperationException($"the node exited before listening; stderr:\n{Snapshot(stderr)}");
                if (line.StartsWith(ListeningPrefix, StringComparison.Ordinal))
                {
                    // Keep draining stdout so the node never blocks on a full pipe.
                    _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    return new LedgerProcess(process, new Uri(line[ListeningPrefix.Length..]), stderr);
                }
            }
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            // Gone already, or it will be reported by the process list rather than a hang.
        }
        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(LedgerDll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        // The node reads every LEDGER_* variable; none from the test runner's environment may leak in.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("LEDGER_", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key);
        return psi;
    }

    private static string Snapshot(StringBuilder sb)
    {
        lock (sb) return sb.ToString();
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
            return host;
        var main = Process.GetCurrentProcess().MainModule?.FileName;
        return main is not null && Path.GetFileNameWithoutExtension(main) == "dotnet" ? main : "dotnet";
    }
}
