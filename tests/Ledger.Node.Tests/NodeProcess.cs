using System.Diagnostics;
using System.Text;

namespace Ledger.Node.Tests;

/// <summary>
/// A real <c>ledger node run</c> child process (ledger.dll, copied next to the tests, under the same dotnet host).
/// <see cref="StartAsync"/> returns once the node printed its <c>listening on</c> line (bounded wait);
/// disposing kills the process tree if it still runs and deletes the temporary directory it owns.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private static readonly string LedgerDll = Path.Combine(AppContext.BaseDirectory, "ledger.dll");
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly StringBuilder _stdout;
    private readonly StringBuilder _stderr;
    private readonly TestDirectory? _ownedDirectory;

    private NodeProcess(Process process, Uri baseAddress, Uri? grpcAddress, string dataDirectory, TestDirectory? ownedDirectory, StringBuilder stdout, StringBuilder stderr, HttpMessageHandler? handler)
    {
        GrpcAddress = grpcAddress;
        _process = process;
        _stdout = stdout;
        _stderr = stderr;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        _ownedDirectory = ownedDirectory;
        Client = handler is null ? new HttpClient() : new HttpClient(handler);
        Client.BaseAddress = baseAddress;
        Client.Timeout = TimeSpan.FromSeconds(60);
    }

    /// <summary>The bound address from the <c>listening on</c> line.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The bound gRPC address from the <c>grpc listening on</c> line, when started with <c>--grpc-urls</c>.</summary>
    public Uri? GrpcAddress { get; }

    /// <summary>The data directory the node was started with.</summary>
    public string DataDirectory { get; }

    /// <summary>A client for <see cref="BaseAddress"/>.</summary>
    public HttpClient Client { get; }

    /// <summary>The node's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Everything the node wrote to stdout so far.</summary>
    public string StdOut { get { lock (_stdout) return _stdout.ToString(); } }

    /// <summary>Everything the node wrote to stderr (its log) so far.</summary>
    public string StdErr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>
    /// Starts <c>ledger node run --urls http://127.0.0.1:0</c> plus <paramref name="args"/>; with no
    /// <paramref name="dataDirectory"/> a fresh temporary one is created (and deleted on dispose).
    /// <paramref name="passData"/> false leaves <c>--data</c> off (the node then uses its config, env or default).
    /// <paramref name="urls"/> replaces the listen address; <paramref name="handler"/> is the client's handler (e.g. one that trusts a test certificate).
    /// </summary>
    public static async Task<NodeProcess> StartAsync(
        string? dataDirectory = null, IEnumerable<string>? args = null, IDictionary<string, string>? environment = null,
        string? workingDirectory = null, bool passData = true, string urls = "http://127.0.0.1:0", HttpMessageHandler? handler = null)
    {
        TestDirectory? owned = null;
        if (dataDirectory is null && passData)
        {
            owned = new TestDirectory();
            dataDirectory = Path.Combine(owned.Path, "node");
        }
        var psi = StartInfo(workingDirectory, environment);
        psi.ArgumentList.Add("node");
        psi.ArgumentList.Add("run");
        if (passData)
        {
            psi.ArgumentList.Add("--data");
            psi.ArgumentList.Add(dataDirectory!);
        }
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add(urls);
        foreach (var a in args ?? [])
            psi.ArgumentList.Add(a);

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start ledger");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (stderr) stderr.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();

        var stdout = new StringBuilder();
        Uri? address = null;
        Uri? grpcAddress = null;
        // With --grpc-urls the node prints its gRPC line after the HTTP ones: wait for both.
        var wantGrpc = psi.ArgumentList.Contains("--grpc-urls");
        using var cts = new CancellationTokenSource(StartTimeout);
        try
        {
            while (address is null || (wantGrpc && grpcAddress is null))
            {
                var line = await process.StandardOutput.ReadLineAsync(cts.Token);
                if (line is null)
                {
                    await process.WaitForExitAsync(cts.Token);
                    throw new InvalidOperationException($"the node exited with code {process.ExitCode} before listening; stderr:\n{Snapshot(stderr)}");
                }
                lock (stdout) stdout.AppendLine(line);
                if (line.StartsWith(NodeHost.ListeningPrefix, StringComparison.Ordinal))
                    address ??= new Uri(line[NodeHost.ListeningPrefix.Length..]);
                else if (line.StartsWith(NodeHost.GrpcListeningPrefix, StringComparison.Ordinal))
                    grpcAddress ??= new Uri(line[NodeHost.GrpcListeningPrefix.Length..]);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
            KillTree(process);
            process.Dispose();
            owned?.Dispose();
            if (ex is OperationCanceledException)
                throw new TimeoutException($"the node printed no '{NodeHost.ListeningPrefix}' line within {StartTimeout}; stderr:\n{Snapshot(stderr)}", ex);
            throw;
        }

        // Keep draining stdout (stderr drains through its event) so a chatty node never blocks on a full pipe.
        _ = Task.Run(async () =>
        {
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync()) is not null)
                lock (stdout) stdout.AppendLine(line);
        });
        return new NodeProcess(process, address, grpcAddress, dataDirectory ?? "", owned, stdout, stderr, handler);
    }

    /// <summary>Runs <c>ledger args…</c> to completion (bounded) and returns the exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunToExitAsync(IEnumerable<string> args, string? workingDirectory = null)
    {
        var psi = StartInfo(workingDirectory, null);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start ledger");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(StartTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            throw new TimeoutException($"ledger {string.Join(' ', args)} did not exit within {StartTimeout}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Sends <c>kill -&lt;signal&gt;</c> to the node and waits (bounded) for it to exit; returns the exit code.</summary>
    public async Task<int> SignalAndWaitForExitAsync(string signal, TimeSpan timeout)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("could not start kill"))
        {
            await kill.WaitForExitAsync();
            if (kill.ExitCode != 0)
                throw new InvalidOperationException($"kill -{signal} {_process.Id} failed with {kill.ExitCode}");
        }
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the node did not exit within {timeout} of SIGTERM; stderr:\n{StdErr}");
        }
        return _process.ExitCode;
    }

    /// <summary>Waits (bounded) for the node to exit on its own (e.g. at an armed fault point); returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the node did not exit within {timeout}; stderr:\n{StdErr}");
        }
        return _process.ExitCode;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        KillTree(_process);
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                // Nothing more to do; the test run reports the leak through the process list, not a hang.
            }
        }
        _process.Dispose();
        _ownedDirectory?.Dispose();
    }

    private static ProcessStartInfo StartInfo(string? workingDirectory, IDictionary<string, string>? environment)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(LedgerDll);
        // The node reads every LEDGER_* variable; none from the test runner's environment may leak in.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("LEDGER_", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            psi.Environment[key] = value;
        return psi;
    }

    private static void KillTree(Process process)
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

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
            return host;
        var main = Process.GetCurrentProcess().MainModule?.FileName;
        return main is not null && Path.GetFileNameWithoutExtension(main) == "dotnet" ? main : "dotnet";
    }
}

/// <summary>A fresh temporary directory, deleted on dispose.</summary>
public sealed class TestDirectory : IDisposable
{
    /// <summary>Creates it under the system temp directory.</summary>
    public TestDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ledger-node-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    /// <summary>The absolute path.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is not a test failure.
        }
    }
}
