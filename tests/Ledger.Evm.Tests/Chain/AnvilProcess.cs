using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Ledger.Evm.Tests.Chain;

/// <summary>
/// A real anvil (the local EVM chain pinned through npm, installed by scripts/setup) as a child process on
/// 127.0.0.1. <see cref="StartAsync"/> returns once anvil printed its <c>Listening on</c> line; disposing kills it.
/// The dev accounts come from the public test mnemonic: for tests only.
/// </summary>
public sealed class AnvilProcess : IAsyncDisposable
{
    /// <summary>Chain id used by every test chain.</summary>
    public const ulong ChainId = 31337;

    /// <summary>Private keys of the first dev accounts of the public test mnemonic (each funded with 10,000 ETH).</summary>
    public static readonly IReadOnlyList<string> DevKeys =
    [
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
        "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    ];

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output;

    private AnvilProcess(Process process, Uri rpcUrl, int port, StringBuilder output)
    {
        _process = process;
        RpcUrl = rpcUrl;
        Port = port;
        _output = output;
    }

    /// <summary>The JSON-RPC endpoint, e.g. http://127.0.0.1:41234/.</summary>
    public Uri RpcUrl { get; }

    /// <summary>The bound port (pass it to a restart to come back on the same URL).</summary>
    public int Port { get; }

    /// <summary>Everything anvil printed so far.</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Path of a binary installed by npm (node_modules/.bin/<paramref name="name"/>) in the repository.</summary>
    public static string NpmBinary(string name)
    {
        var path = Path.Combine(RepositoryRoot(), "node_modules", ".bin", name);
        if (!File.Exists(path))
            throw new InvalidOperationException($"{path} is missing: run scripts/setup (npm ci) first");
        return path;
    }

    /// <summary>The folder holding Ledger.sln, found by walking up from the test assembly.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Ledger.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// Starts anvil. <paramref name="port"/> 0 picks a free port; <paramref name="stateFile"/> loads the chain from that
    /// file when it exists and writes it back on exit (anvil <c>--state</c>), so a restart continues the same chain;
    /// <paramref name="blockTime"/> mines every N seconds instead of on every transaction.
    /// </summary>
    public static async Task<AnvilProcess> StartAsync(int port = 0, string? stateFile = null, int? blockTime = null)
    {
        var psi = new ProcessStartInfo(NpmBinary("anvil"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--chain-id", ChainId.ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        if (stateFile is not null)
        {
            psi.ArgumentList.Add("--state");
            psi.ArgumentList.Add(stateFile);
        }
        if (blockTime is { } bt)
        {
            psi.ArgumentList.Add("--block-time");
            psi.ArgumentList.Add(bt.ToString(CultureInfo.InvariantCulture));
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start anvil");
        var output = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (output) output.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();

        const string prefix = "Listening on ";
        using var cts = new CancellationTokenSource(StartTimeout);
        string? endpoint = null;
        try
        {
            while (endpoint is null)
            {
                var line = await process.StandardOutput.ReadLineAsync(cts.Token)
                    ?? throw new InvalidOperationException($"anvil exited before listening:\n{Snapshot(output)}");
                lock (output) output.AppendLine(line);
                var at = line.IndexOf(prefix, StringComparison.Ordinal);
                if (at >= 0)
                    endpoint = line[(at + prefix.Length)..].Trim();
            }
        }
        catch (Exception)
        {
            Kill(process);
            process.Dispose();
            throw;
        }
        _ = Task.Run(async () =>
        {
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync()) is not null)
                lock (output) output.AppendLine(line);
        });
        var boundPort = int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        return new AnvilProcess(process, new Uri($"http://127.0.0.1:{boundPort}/"), boundPort, output);
    }

    /// <summary>Stops anvil with SIGTERM (it then writes its <c>--state</c> file) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
            return;
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false }))
            await kill!.WaitForExitAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(_process);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Kill(_process);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string Snapshot(StringBuilder sb)
    {
        lock (sb) return sb.ToString();
    }
}

/// <summary>Runs the npm-pinned <c>cast</c> as an independent oracle (offline verbs, or against an anvil RPC).</summary>
public static class Cast
{
    /// <summary>Runs <c>cast args…</c> to completion (bounded at 60 s) and returns exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(AnvilProcess.NpmBinary("cast"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        // cast must never fall back to a default RPC on localhost:8545 behind a test's back.
        psi.Environment.Remove("ETH_RPC_URL");
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start cast");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }

    /// <summary>Runs cast and returns its trimmed stdout; throws with stderr when it fails.</summary>
    public static async Task<string> OutputAsync(params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync(args);
        return code == 0 ? stdout : throw new InvalidOperationException($"cast {string.Join(' ', args)} failed ({code}): {stderr}");
    }
}
