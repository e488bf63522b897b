using System.Text.Json;
using Xunit;

namespace Ledger.Cli.Tests;

public sealed class BenchCommandTests : IDisposable
{
    private static readonly string[] RequiredKeys =
    [
        "records_per_sec", "ack_p50_ms", "ack_p99_ms", "bytes_per_record", "query_p50_ms", "query_p99_ms",
        "raw_storage_puts_per_sec", "raw_verify_per_sec", "storage_ratio", "verify_ratio", "query_rest_p50_ms", "query_rest_p99_ms",
        "single_per_sec", "single_rest_per_sec", "verify_ratio_rest",
    ];

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("ledger-bench-test-");

    public void Dispose() => _work.Delete(recursive: true);

    private static string[] SmallRun(string json, params string[] extra) =>
        ["bench", "ingest", "--records", "2000", "--batch", "100", "--single", "50", "--queries", "100", "--raw-seconds", "0.2", "--json", json, .. extra];

    [Fact]
    public async Task BenchIngest_SmallRun_JsonHasEveryKeyPositiveAndFinite()
    {
        var json = Path.Combine(_work.FullName, "bench.json");
        var r = await CliRunner.RunAsync(SmallRun(json), timeout: TimeSpan.FromMinutes(5));
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var root = doc.RootElement;
        foreach (var key in RequiredKeys)
        {
            Assert.True(root.TryGetProperty(key, out var value), $"key {key} is missing");
            var number = value.GetDouble();
            Assert.True(double.IsFinite(number) && number > 0, $"{key} = {number}");
        }
        Assert.Equal(2000, root.GetProperty("records").GetDouble());
        Assert.Equal(50, root.GetProperty("single").GetDouble());
        Assert.Equal(1, root.GetProperty("low_priority_background").GetDouble()); // the node's default
        // The second query round waits for the node's background work; a store this small has none left for long.
        Assert.Equal(1, root.GetProperty("settled").GetDouble());
        Assert.InRange(root.GetProperty("settle_sec").GetDouble(), 0, 600);
        Assert.Contains("durable records/s", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("provenance p50 / p99, at rest", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchIngest_WithDataFolder_KeepsAStoreThatVerifies()
    {
        var json = Path.Combine(_work.FullName, "bench.json");
        var data = Path.Combine(_work.FullName, "data");
        var r = await CliRunner.RunAsync(SmallRun(json, "--data", data), timeout: TimeSpan.FromMinutes(5));
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        var verify = await CliRunner.RunAsync("store", "verify", data);
        Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);
        var report = JsonDocument.Parse(verify.StdOut).RootElement;
        Assert.Equal(2000 + 2 * 50, report.GetProperty("records").GetInt64()); // the singles right after and at rest
    }

    [Fact]
    public async Task BenchIngest_Stream_BuildsBatchesInTheWritersAndKeepsAStoreThatVerifies()
    {
        var json = Path.Combine(_work.FullName, "bench.json");
        var data = Path.Combine(_work.FullName, "data");
        var r = await CliRunner.RunAsync(SmallRun(json, "--data", data, "--stream"), timeout: TimeSpan.FromMinutes(5));
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        var figures = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement;
        Assert.Equal(1, figures.GetProperty("stream").GetDouble());
        Assert.Equal(20, figures.GetProperty("batches_per_sec").GetDouble() * figures.GetProperty("wall_sec").GetDouble(), 6);
        var verify = await CliRunner.RunAsync("store", "verify", data);
        Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);
        Assert.Equal(2000 + 2 * 50, JsonDocument.Parse(verify.StdOut).RootElement.GetProperty("records").GetInt64());
    }

    [Fact]
    public async Task BenchIngest_Foreign_AppliesEveryIngestedBlockOnAReplicaAndReportsTheApplyFigures()
    {
        var json = Path.Combine(_work.FullName, "bench.json");
        var r = await CliRunner.RunAsync(SmallRun(json, "--foreign"), timeout: TimeSpan.FromMinutes(5));
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        var figures = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement;
        // Every block of the lane, the ingest's and the singles', was applied (a refused one fails the run).
        Assert.True(figures.GetProperty("blocks").GetDouble() <= figures.GetProperty("apply_blocks").GetDouble());
        Assert.True(figures.GetProperty("apply_records_per_sec").GetDouble() > 0);
        Assert.Equal(figures.GetProperty("apply_records_per_sec").GetDouble() / figures.GetProperty("records_per_sec").GetDouble(),
            figures.GetProperty("apply_ratio").GetDouble(), 9);
        Assert.Contains("foreign blocks applied", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchIngest_NonEmptyDataFolder_Exit2NamingData()
    {
        var data = Path.Combine(_work.FullName, "data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "something"), "x");
        var r = await CliRunner.RunAsync(SmallRun(Path.Combine(_work.FullName, "bench.json"), "--data", data));
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("--data:", r.StdErr, StringComparison.Ordinal);
        Assert.Single(r.StdErr.Trim().Split('\n'));
    }

    [Fact]
    public async Task BenchIngest_ZeroBatch_Exit2NamingBatch()
    {
        var r = await CliRunner.RunAsync("bench", "ingest", "--records", "10", "--batch", "0", "--json", Path.Combine(_work.FullName, "b.json"));
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("--batch:", r.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_work.FullName, "b.json")));
    }
}
