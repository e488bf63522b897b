using System.Diagnostics;
using System.Globalization;
using Ledger.Storage.CrashProbe;
using Ledger.Storage.RocksDb;
using Xunit;
using Db = Ledger.Storage.RocksDb.RocksDb;

namespace Ledger.Storage.Tests;

/// <summary>
/// A real writer process killed with SIGKILL at a deterministic point, right after its n-th synced batch was
/// acknowledged: after each kill every acknowledged batch is present in full, no batch is partially present, and
/// nothing else is there. A process kill leaves the OS page cache intact, so this checks the write-ahead log's recovery
/// and batch atomicity; it cannot simulate a power loss (which is what <c>sync</c> is for). The node's random kill -9
/// suite (Ledger.Node.Tests, CrashSafetyTests) kills at random moments.
/// </summary>
public class CrashDurabilityTests
{
    private static readonly string ProbeDll = Path.Combine(AppContext.BaseDirectory, "Ledger.Storage.CrashProbe.dll");

    [Fact]
    public async Task Write_ProcessKilledRightAfterAcknowledgements_AcknowledgedBatchesCompleteAndNothingElse()
    {
        using var dir = new TempDirectory();
        var acknowledged = new HashSet<long>();
        long[] kills = [1, 7, 60];
        for (var run = 0; run < kills.Length; run++)
        {
            var first = run * 1_000_000L;
            var acks = await RunUntilKilledAsync(dir.Path, first, kills[run]);
            Assert.Equal(kills[run], acks.Count);
            acknowledged.UnionWith(acks);

            var present = CheckDatabase(dir.Path);
            var lost = acknowledged.Where(id => !present.Contains(id)).Take(5).ToList();
            Assert.True(lost.Count == 0, $"run {run}: acknowledged batches missing after the kill: {string.Join(", ", lost)}");
            // The kill came right after an acknowledgement: no batch was in flight.
            Assert.Equal(acknowledged.Count, present.Count);
        }
    }

    [Fact]
    public void Open_WhileAnotherHandleHoldsTheDatabase_RefusedByTheLockFile()
    {
        using var dir = new TempDirectory();
        using var db = Db.Open(dir.Path, new RocksDbOptions(), ProbeBatch.ColumnFamilies);
        var locked = Assert.Throws<RocksDbException>(() => Db.Open(dir.Path, new RocksDbOptions(), ProbeBatch.ColumnFamilies));
        Assert.Contains("lock", locked.Message, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Starts the probe with <c>kill-after</c>, waits for it to kill itself, returns the ids it printed.</summary>
    private static async Task<List<long>> RunUntilKilledAsync(string dbPath, long firstId, long killAfter)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(ProbeDll);
        psi.ArgumentList.Add(dbPath);
        psi.ArgumentList.Add(firstId.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add("kill-after");
        psi.ArgumentList.Add(killAfter.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the crash probe");
        var stderr = process.StandardError.ReadToEndAsync();
        var acks = new List<long>();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            // Only whole lines "ack <id>." count.
            if (line.StartsWith("ack ", StringComparison.Ordinal) && line.EndsWith('.'))
                acks.Add(long.Parse(line.AsSpan(4, line.Length - 5), NumberStyles.None, CultureInfo.InvariantCulture));
        }
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            await process.WaitForExitAsync(timeout.Token);
        // SIGKILL: 128 + 9 as a shell reports it, or the signal itself.
        Assert.True(process.ExitCode is 137 or -9 or 9, $"the probe exited {process.ExitCode}, not by SIGKILL; stderr: {await stderr}");
        return acks;
    }

    /// <summary>Reopens the database; asserts every batch is all-or-nothing; returns the ids of the batches present.</summary>
    private static HashSet<long> CheckDatabase(string path)
    {
        using var db = Db.Open(path, new RocksDbOptions(), ProbeBatch.ColumnFamilies);
        var entries = new Dictionary<long, int>();
        using (var it = db.NewIterator(db.GetColumnFamily(ProbeBatch.Blocks)))
        {
            for (it.SeekToFirst(); it.Valid(); it.Next())
            {
                var key = it.Key();
                var id = ProbeBatch.IdOf(key);
                var i = int.Parse(key[13..], NumberStyles.None, CultureInfo.InvariantCulture);
                Assert.True(it.Value().SequenceEqual(ProbeBatch.EntryValue(id, i)), $"batch {id} entry {i}: wrong value");
                entries[id] = entries.GetValueOrDefault(id) + 1;
            }
        }
        var indexed = new HashSet<long>();
        using (var it = db.NewIterator(db.GetColumnFamily(ProbeBatch.Index)))
        {
            for (it.SeekToFirst(); it.Valid(); it.Next())
                indexed.Add(long.Parse(it.Key(), NumberStyles.None, CultureInfo.InvariantCulture));
        }
        foreach (var (id, count) in entries)
        {
            Assert.True(count == ProbeBatch.EntriesPerBatch, $"batch {id} is partially present: {count} of {ProbeBatch.EntriesPerBatch} entries");
            Assert.True(indexed.Contains(id), $"batch {id} has its entries but not its index marker");
        }
        foreach (var id in indexed)
            Assert.True(entries.ContainsKey(id), $"batch {id} has its index marker but no entries");
        return indexed;
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
            return host;
        var main = Environment.ProcessPath;
        return main is not null && Path.GetFileNameWithoutExtension(main) == "dotnet" ? main : "dotnet";
    }
}
