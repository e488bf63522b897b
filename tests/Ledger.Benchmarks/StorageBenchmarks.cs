using BenchmarkDotNet.Attributes;
using Ledger.Storage.RocksDb;

namespace Ledger.Benchmarks;

/// <summary>
/// Durable batched puts (docs/adr/0003-storage-engine.md): 32-byte random keys, 200-byte values, batches of 1,000;
/// results are per put (OperationsPerInvoke = 1,000). Every method generates its keys the same way, so the
/// figures differ only by the store. Files live under the system temp directory.
/// </summary>
public class StorageBenchmarks
{
    private const int BatchSize = 1_000;
    private const int KeyLength = 32;
    private const int ValueLength = 200;
    private const long FileReset = 1L << 30;

    private readonly Random random = new(42);
    private readonly byte[] keys = new byte[BatchSize * KeyLength];
    private byte[][] values = [];
    private string directory = "";
    private RocksDb? db;
    private ColumnFamilyHandle? blocks;
    private RocksDb? plainDb;
    private ColumnFamilyHandle? plainBlocks;
    private WriteBatch? batch;
    private FileStream? file;
    private long unsynced;

    [GlobalSetup]
    public void Setup()
    {
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
        plainDb = RocksDb.Open(Path.Combine(directory, "db-plain"), new RocksDbOptions { Compression = RocksDbCompression.None }, ["blocks"]);
        plainBlocks = plainDb.GetColumnFamily("blocks");
        batch = new WriteBatch();
        file = new FileStream(Path.Combine(directory, "segment"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        batch?.Dispose();
        db?.Dispose();
        plainDb?.Dispose();
        file?.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = BatchSize, Description = "RocksDB batch of 1,000, sync")]
    public void RocksDbBatchSync() => WriteRocksDbBatch(db!, blocks!, sync: true);

    [Benchmark(OperationsPerInvoke = BatchSize, Description = "RocksDB batch of 1,000, sync, no compression")]
    public void RocksDbBatchSyncUncompressed() => WriteRocksDbBatch(plainDb!, plainBlocks!, sync: true);

    [Benchmark(OperationsPerInvoke = BatchSize, Description = "RocksDB batch of 1,000, no sync")]
    public void RocksDbBatchNoSync() => WriteRocksDbBatch(db!, blocks!, sync: false);

    [Benchmark(OperationsPerInvoke = BatchSize, Description = "File append, fsync per MiB")]
    public void FileAppendSyncPerMiB()
    {
        AppendBatch();
        if (unsynced >= 1 << 20)
        {
            file!.Flush(flushToDisk: true);
            unsynced = 0;
        }
    }

    [Benchmark(OperationsPerInvoke = BatchSize, Description = "File append, fsync per batch")]
    public void FileAppendSyncPerBatch()
    {
        AppendBatch();
        file!.Flush(flushToDisk: true);
        unsynced = 0;
    }

    private void WriteRocksDbBatch(RocksDb target, ColumnFamilyHandle cf, bool sync)
    {
        random.NextBytes(keys);
        batch!.Clear();
        for (var i = 0; i < BatchSize; i++)
            batch.Put(cf, keys.AsSpan(i * KeyLength, KeyLength), values[i]);
        target.Write(batch, sync);
    }

    private void AppendBatch()
    {
        random.NextBytes(keys);
        if (file!.Position >= FileReset)
        {
            file.Flush(flushToDisk: true);
            file.SetLength(0);
        }
        for (var i = 0; i < BatchSize; i++)
        {
            file.Write(keys.AsSpan(i * KeyLength, KeyLength));
            file.Write(values[i]);
        }
        unsynced += BatchSize * (KeyLength + ValueLength);
    }
}

/// <summary>
/// A 1 MiB block body stored durably, per block: as one RocksDB value (sync put) versus appended to a segment file
/// (fsync). The body is random bytes, so compression does not help either side.
/// </summary>
public class StorageBlockBenchmarks
{
    private const int BodyLength = 1 << 20;
    private const long FileReset = 1L << 30;

    private readonly byte[] body = new byte[BodyLength];
    private string directory = "";
    private RocksDb? db;
    private ColumnFamilyHandle? blocks;
    private FileStream? file;
    private long height;

    [GlobalSetup]
    public void Setup()
    {
        directory = Path.Combine(Path.GetTempPath(), "ledger-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        new Random(7).NextBytes(body);
        db = RocksDb.Open(Path.Combine(directory, "db"), new RocksDbOptions(), ["blocks"]);
        blocks = db.GetColumnFamily("blocks");
        file = new FileStream(Path.Combine(directory, "segment"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        db?.Dispose();
        file?.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    [Benchmark(Description = "RocksDB put 1 MiB block, sync")]
    public void RocksDbBlockSync()
    {
        Span<byte> key = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(key, height++ % 1024); // overwrite: bounded disk use, compaction drops old versions
        db!.Put(blocks!, key, body, sync: true);
    }

    [Benchmark(Description = "File append 1 MiB block, fsync")]
    public void FileAppendBlockSync()
    {
        if (file!.Position >= FileReset)
            file.SetLength(0);
        file.Write(body);
        file.Flush(flushToDisk: true);
    }
}
