using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Attributes;
using Ledger.Storage.RocksDb;

namespace Ledger.Benchmarks;

/// <summary>
/// Raw durable puts through the node's binding, per RocksDB C library, in one run (docs/adr/0004): 32-byte random keys,
/// 200-byte values, sync write batches of 1,000, figures per put. One job uses the library bundled with the RocksDB
/// package; when <c>LEDGER_BENCH_ROCKSDB_BASELINE</c> names another librocksdb (e.g. Debian's
/// <c>/usr/lib/x86_64-linux-gnu/librocksdb.so.7.8</c>), a second job loads that file through <c>LEDGER_ROCKSDB_LIBRARY</c>.
/// </summary>
[Config(typeof(LibraryConfig))]
public class RocksDbLibraryBenchmarks
{
    private const int BatchSize = 1_000;
    private const int KeyLength = 32;
    private const int ValueLength = 200;

    private readonly Random random = new(42);
    private readonly byte[] keys = new byte[BatchSize * KeyLength];
    private byte[][] values = [];
    private string directory = "";
    private RocksDb? db;
    private ColumnFamilyHandle? blocks;
    private WriteBatch? batch;

    private sealed class LibraryConfig : ManualConfig
    {
        public LibraryConfig()
        {
            AddJob(Job.Default.WithId("bundled"));
            if (Environment.GetEnvironmentVariable("LEDGER_BENCH_ROCKSDB_BASELINE") is { Length: > 0 } baseline)
                AddJob(Job.Default.WithId("baseline").WithEnvironmentVariables(new EnvironmentVariable("LEDGER_ROCKSDB_LIBRARY", baseline)));
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        Console.WriteLine($"// RocksDB library: {RocksDb.NativeLibraryPath}");
        directory = Path.Combine(Path.GetTempPath(), "ledger-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        values = Enumerable.Range(0, BatchSize).Select(_ =>
        {
            var v = new byte[ValueLength];
            random.NextBytes(v);
            return v;
        }).ToArray();
        db = RocksDb.Open(Path.Combine(directory, "db"), new RocksDbOptions(), ["blocks"]);
        blocks = db.GetColumnFamily("blocks");
        batch = new WriteBatch();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        batch?.Dispose();
        db?.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = BatchSize, Description = "RocksDB batch of 1,000, sync")]
    public void BatchSync()
    {
        random.NextBytes(keys);
        batch!.Clear();
        for (var i = 0; i < BatchSize; i++)
            batch.Put(blocks!, keys.AsSpan(i * KeyLength, KeyLength), values[i]);
        db!.Write(batch, sync: true);
    }
}
