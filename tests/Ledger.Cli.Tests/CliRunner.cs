using System.Diagnostics;

namespace Ledger.Cli.Tests;

/// <summary>The outcome of one run of the real `ledger` program.</summary>
public sealed record CliResult(int ExitCode, string StdOut, string StdErr);

/// <summary>
/// Starts the built `ledger` program (ledger.dll, copied next to the tests) as a real child process
/// under the same `dotnet` host that runs the tests.
/// </summary>
public static class CliRunner
{
    private static readonly string LedgerDll = Path.Combine(AppContext.BaseDirectory, "ledger.dll");

    /// <summary>Runs <c>ledger args…</c>, optionally feeding <paramref name="stdin"/>, and waits for it to exit (bounded).</summary>
    public static async Task<CliResult> RunAsync(IEnumerable<string> args, string? stdin = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(LedgerDll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start ledger");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ledger {string.Join(' ', args)} did not exit in time");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs <c>ledger args…</c>.</summary>
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync((IEnumerable<string>)args);

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
            return host;
        var main = Process.GetCurrentProcess().MainModule?.FileName;
        return main is not null && Path.GetFileNameWithoutExtension(main) == "dotnet" ? main : "dotnet";
    }
}
