using System.Text;
using Ledger.Storage.RocksDb;
using Ledger.Storage.Threads;
using Xunit;
using Db = Ledger.Storage.RocksDb.RocksDb;

namespace Ledger.Storage.Tests;

/// <summary>Background work below the priority of the work callers wait for: a thread's nice value, RocksDB's compaction threads.</summary>
public class ThreadPriorityTests
{
    [Fact]
    public void TrySet_OnAThreadOfItsOwn_ChangesThatThreadOnly()
    {
        Assert.True(OperatingSystem.IsLinux(), "the node runs on Linux, where the nice value is per thread");
        var before = ThreadNice.Current();
        Assert.NotNull(before);
        int? inside = null;
        var set = false;
        var thread = new Thread(() =>
        {
            set = ThreadNice.TrySet(Math.Min(19, before.Value + 3));
            inside = ThreadNice.Current();
        });
        thread.Start();
        thread.Join();

        Assert.True(set);
        Assert.Equal(Math.Min(19, before.Value + 3), inside);
        Assert.Equal(before, ThreadNice.Current());
    }

    [Fact]
    public void LowPriorityCompactions_AfterACompaction_RocksDbsCompactionThreadsRunAtNice19()
    {
        using var dir = new TempDirectory();
        using var db = Db.Open(dir.Path, new RocksDbOptions { LowPriorityCompactions = true }, ["data"]);
        var data = db.GetColumnFamily("data");
        // Five flushed memtables: four level-0 files are RocksDB's trigger for a compaction, which runs in the LOW pool.
        for (var file = 0; file < 5; file++)
        {
            for (var i = 0; i < 100; i++)
                db.Put(data, Encoding.UTF8.GetBytes($"key-{i:D4}"), Encoding.UTF8.GetBytes($"value {file} {i}"), sync: false);
            db.Flush();
        }
        var waited = System.Diagnostics.Stopwatch.StartNew();
        int FilesAtLevel0() => int.Parse(db.GetProperty(data, "rocksdb.num-files-at-level0")!, System.Globalization.CultureInfo.InvariantCulture);
        while (FilesAtLevel0() >= 4 && waited.Elapsed < TimeSpan.FromMinutes(1))
            Thread.Sleep(20);
        Assert.True(FilesAtLevel0() < 4, "no compaction ran within a minute");

        // A pool thread lowers itself when it takes its next job, so the one that ran this compaction is at 19 (any other
        // compaction thread may not have run since). Flush threads (the HIGH pool) keep the node's priority.
        Assert.Contains(19, ThreadsNamed("rocksdb:low").Select(NiceOf));
        Assert.DoesNotContain(19, ThreadsNamed("rocksdb:high").Select(NiceOf));
    }

    /// <summary>This process's threads whose name starts with <paramref name="prefix"/> (threads that end meanwhile are left out).</summary>
    private static List<string> ThreadsNamed(string prefix)
    {
        var named = new List<string>();
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).Trim().StartsWith(prefix, StringComparison.Ordinal))
                    named.Add(task);
            }
            catch (IOException)
            {
            }
        }
        return named;
    }

    /// <summary>Field 19 of <c>/proc/self/task/TID/stat</c>; the command name in field 2 may hold spaces, so count from its closing parenthesis.</summary>
    private static int NiceOf(string task)
    {
        var stat = File.ReadAllText(Path.Combine(task, "stat"));
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[19 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }
}
