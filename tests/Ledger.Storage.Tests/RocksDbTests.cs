using System.Text;
using Ledger.Storage.RocksDb;
using Xunit;
using Db = Ledger.Storage.RocksDb.RocksDb;

namespace Ledger.Storage.Tests;

public class RocksDbTests
{
    private static readonly string[] Families = ["blocks", "index"];

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(ReadOnlySpan<byte> b) => Encoding.UTF8.GetString(b);

    private static Db Open(string path, RocksDbOptions? options = null) => Db.Open(path, options ?? new RocksDbOptions(), Families);

    private static List<string> Keys(RocksIterator it)
    {
        var keys = new List<string>();
        for (; it.Valid(); it.Next())
            keys.Add(S(it.Key()));
        return keys;
    }

    [Fact]
    public void PutGetDelete_AcrossColumnFamilies_KeepsFamiliesSeparate()
    {
        using var dir = new TempDirectory();
        using var db = Open(dir.Path);
        var blocks = db.GetColumnFamily("blocks");
        var index = db.GetColumnFamily("index");

        db.Put(blocks, B("k"), B("block value"), sync: false);
        db.Put(index, B("k"), B("index value"), sync: true);
        db.Put(db.DefaultColumnFamily, B("k"), [], sync: false);

        Assert.Equal("block value", S(db.Get(blocks, B("k"))));
        Assert.Equal("index value", S(db.Get(index, B("k"))));
        Assert.Empty(db.Get(db.DefaultColumnFamily, B("k"))!);
        Assert.Null(db.Get(blocks, B("absent")));

        db.Delete(blocks, B("k"), sync: true);
        Assert.Null(db.Get(blocks, B("k")));
        Assert.Equal("index value", S(db.Get(index, B("k"))));
        db.Delete(blocks, B("never there"), sync: false);
    }

    [Fact]
    public void Put_BinaryKeyAndLargeValue_RoundTrips()
    {
        using var dir = new TempDirectory();
        using var db = Open(dir.Path);
        var key = new byte[] { 0, 255, 0, 1 };
        var value = new byte[1 << 20];
        new Random(1).NextBytes(value);
        db.Put(db.DefaultColumnFamily, key, value, sync: true);
        Assert.Equal(value, db.Get(db.DefaultColumnFamily, key));
        Assert.Null(db.Get(db.DefaultColumnFamily, key.AsSpan(0, 3)));
    }

    [Fact]
    public void Open_UnknownFamilyRequested_IsCreatedAndPersists()
    {
        using var dir = new TempDirectory();
        using (var db = Db.Open(dir.Path, new RocksDbOptions(), ["a"]))
            db.Put(db.GetColumnFamily("a"), B("x"), B("1"), sync: true);
        using (var db = Db.Open(dir.Path, new RocksDbOptions(), ["a", "b"]))
        {
            Assert.Equal("1", S(db.Get(db.GetColumnFamily("a"), B("x"))));
            Assert.Null(db.Get(db.GetColumnFamily("b"), B("x")));
            Assert.Throws<KeyNotFoundException>(() => db.GetColumnFamily("c"));
        }
    }

    [Fact]
    public void Open_ExistingFamilyNotListed_ThrowsWithRocksDbMessage()
    {
        using var dir = new TempDirectory();
        using (Db.Open(dir.Path, new RocksDbOptions(), ["a"]))
        {
        }
        var e = Assert.Throws<RocksDbException>(() => Db.Open(dir.Path, new RocksDbOptions(), []));
        Assert.Contains("column families not opened", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Every file under the directory with its bytes.</summary>
    private static Dictionary<string, byte[]> Files(string path) =>
        Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);

    [Fact]
    public void OpenReadOnly_ReadsWhatWasWrittenIncludingTheUnflushedLog_AndChangesNoFile()
    {
        using var dir = new TempDirectory();
        using (var db = Open(dir.Path))
        {
            db.Put(db.GetColumnFamily("blocks"), B("flushed"), B("1"), sync: true);
            db.Flush();
            db.Put(db.GetColumnFamily("index"), B("in-log"), B("2"), sync: true);
        }
        var before = Files(dir.Path);
        using (var db = Db.OpenReadOnly(dir.Path, new RocksDbOptions(), ["index"]))
        {
            Assert.True(db.IsReadOnly);
            Assert.Equal("2", S(db.Get(db.GetColumnFamily("index"), B("in-log"))));
            Assert.Throws<KeyNotFoundException>(() => db.GetColumnFamily("blocks"));
            Assert.Throws<RocksDbException>(() => db.Put(db.GetColumnFamily("index"), B("x"), B("y"), sync: true));
        }
        using (var db = Db.OpenReadOnly(dir.Path, new RocksDbOptions(), Families))
            Assert.Equal("1", S(db.Get(db.GetColumnFamily("blocks"), B("flushed"))));
        var after = Files(dir.Path);
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        Assert.All(before, f => Assert.Equal(f.Value, after[f.Key]));
    }

    [Fact]
    public void OpenReadOnly_FamilyNotOnDiskOrNoDatabase_Throws()
    {
        using var dir = new TempDirectory();
        Assert.Throws<RocksDbException>(() => Db.OpenReadOnly(dir.Path, new RocksDbOptions(), Families));
        Assert.False(Db.Exists(dir.Path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
        using (Open(dir.Path))
        {
        }
        Assert.True(Db.Exists(dir.Path));
        Assert.Throws<RocksDbException>(() => Db.OpenReadOnly(dir.Path, new RocksDbOptions(), ["absent"]));
    }

    [Fact]
    public void ListAndDropColumnFamilies_DroppedFamilyIsGoneAfterReopen()
    {
        using var dir = new TempDirectory();
        using (var db = Open(dir.Path))
        {
            db.Put(db.GetColumnFamily("index"), B("k"), B("v"), sync: true);
            Assert.Equal(["blocks", "default", "index"], Db.ListColumnFamilies(dir.Path).Order(StringComparer.Ordinal));
            db.DropColumnFamily("index");
            Assert.Throws<KeyNotFoundException>(() => db.GetColumnFamily("index"));
        }
        Assert.Equal(["blocks", "default"], Db.ListColumnFamilies(dir.Path).Order(StringComparer.Ordinal));
        using (var db = Db.Open(dir.Path, new RocksDbOptions(), ["blocks"]))
            Assert.Equal(2, db.ColumnFamilies.Count);
    }

    [Fact]
    public void Open_IndexAndFilterBlocksInCache_ReadsTheSameAndTableReadersHoldLess()
    {
        ulong? Readers(bool cached)
        {
            using var dir = new TempDirectory();
            var options = new RocksDbOptions { CacheIndexAndFilterBlocks = cached, MemtableBudget = 1 << 20 };
            using (var db = Open(dir.Path, options))
            {
                for (var i = 0; i < 20_000; i++)
                    db.Put(db.GetColumnFamily("blocks"), B("k" + i), new byte[100], sync: false);
                db.Flush();
            }
            using (var db = Open(dir.Path, options))
            {
                Assert.Equal(100, db.Get(db.GetColumnFamily("blocks"), B("k19999"))!.Length);
                Assert.Null(db.Get(db.GetColumnFamily("blocks"), B("k20000")));
                return db.GetIntProperty(db.GetColumnFamily("blocks"), "rocksdb.estimate-table-readers-mem");
            }
        }
        var (cached, held) = (Readers(true), Readers(false));
        // In the cache, the index and filter blocks are not held by the open files' readers.
        Assert.True(cached < held, $"table readers hold {cached} bytes with the blocks in the cache, {held} without");
    }

    [Fact]
    public void Reopen_SyncWrites_AllPresent()
    {
        using var dir = new TempDirectory();
        using (var db = Open(dir.Path))
        {
            for (var i = 0; i < 1000; i++)
                db.Put(db.GetColumnFamily("blocks"), B($"k{i:D4}"), B($"v{i}"), sync: true);
            db.Delete(db.GetColumnFamily("blocks"), B("k0500"), sync: true);
        }
        using (var db = Open(dir.Path))
        {
            var blocks = db.GetColumnFamily("blocks");
            for (var i = 0; i < 1000; i++)
            {
                if (i == 500)
                    Assert.Null(db.Get(blocks, B("k0500")));
                else
                    Assert.Equal($"v{i}", S(db.Get(blocks, B($"k{i:D4}"))));
            }
        }
    }

    [Fact]
    public void Flush_ThenReopen_DataInSstFilesAndKeyEstimate()
    {
        using var dir = new TempDirectory();
        using (var db = Open(dir.Path, new RocksDbOptions { Compression = RocksDbCompression.Lz4 }))
        {
            for (var i = 0; i < 500; i++)
                db.Put(db.GetColumnFamily("index"), B($"k{i:D4}"), B($"v{i}"), sync: false);
            db.Flush();
            Assert.NotEmpty(Directory.GetFiles(dir.Path, "*.sst"));
            var estimate = db.EstimateNumKeys(db.GetColumnFamily("index"));
            Assert.InRange(estimate, 1UL, 1000UL);
            Assert.Null(db.GetIntProperty(db.DefaultColumnFamily, "rocksdb.no-such-property"));
        }
        using (var db = Open(dir.Path, new RocksDbOptions { Compression = RocksDbCompression.None, ParanoidChecks = true }))
            Assert.Equal("v499", S(db.Get(db.GetColumnFamily("index"), B("k0499"))));
    }

    [Theory]
    [InlineData(10.0, true)]
    [InlineData(0.0, false)]
    public void Open_BloomBitsPerKey_WritesFiltersIntoSstFilesOnlyWhenOn(double bits, bool expectFilter)
    {
        using var dir = new TempDirectory();
        using var db = Open(dir.Path, new RocksDbOptions { BloomBitsPerKey = bits, BlockCacheSize = 1024 * 1024 });
        var index = db.GetColumnFamily("index");
        for (var i = 0; i < 500; i++)
            db.Put(index, B($"k{i:D4}"), B($"v{i}"), sync: false);
        db.Flush();
        var ssts = Directory.GetFiles(dir.Path, "*.sst");
        Assert.NotEmpty(ssts);
        // The full-filter meta block is named after the policy: "fullfilter.rocksdb.BuiltinBloomFilter".
        var hasFilter = ssts.Any(f => System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(f)).Contains("rocksdb.BuiltinBloomFilter", StringComparison.Ordinal));
        Assert.Equal(expectFilter, hasFilter);
        Assert.Equal("v123", S(db.Get(index, B("k0123"))));
        Assert.Null(db.Get(index, B("k9999")));
    }

    [Theory]
    [InlineData(2L * 1024 * 1024, true)]
    [InlineData(1L << 40, false)]
    public void Write_RarelyWrittenFamily_LogFilesStayBoundedOnlyWithMaxTotalWalSize(long maxTotalWalSize, bool bounded)
    {
        using var dir = new TempDirectory();
        using var db = Open(dir.Path, new RocksDbOptions { WriteBufferSize = 1024 * 1024, MaxTotalWalSize = maxTotalWalSize });
        // One write to "blocks", then ~12 MiB to "index" only: "blocks" keeps the first log file alive unless flushed.
        db.Put(db.GetColumnFamily("blocks"), B("once"), B("v"), sync: false);
        var index = db.GetColumnFamily("index");
        var value = new byte[1000];
        using var batch = new WriteBatch();
        for (var i = 0; i < 12_000; i++)
        {
            batch.Put(index, B($"k{i:D8}"), value);
            if (batch.Count == 500)
            {
                db.Write(batch, sync: false);
                batch.Clear();
            }
        }
        var logs = Directory.GetFiles(dir.Path, "*.log").Sum(f => new FileInfo(f).Length);
        if (bounded)
            Assert.True(logs < 6L * 1024 * 1024, $"{logs} bytes of write-ahead log");
        else
            Assert.True(logs > 9L * 1024 * 1024, $"{logs} bytes of write-ahead log (the unbounded case this option exists for)");
        Assert.Equal("v", S(db.Get(db.GetColumnFamily("blocks"), B("once"))));
    }

    [Theory]
    [InlineData(-1.0, 1024L, "BloomBitsPerKey")]
    [InlineData(10.0, 0L, "BlockCacheSize")]
    [InlineData(10.0, -5L, "MaxTotalWalSize")]
    [InlineData(10.0, -1L, "MemtableBudget")]
    public void Open_InvalidTableOptions_ThrowsNamingTheOption(double bits, long cache, string option)
    {
        using var dir = new TempDirectory();
        var options = option switch
        {
            "MaxTotalWalSize" => new RocksDbOptions { MaxTotalWalSize = cache },
            "MemtableBudget" => new RocksDbOptions { MemtableBudget = cache },
            _ => new RocksDbOptions { BloomBitsPerKey = bits, BlockCacheSize = cache },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Open(dir.Path, options));
        Assert.Equal(option, e.ParamName);
    }

    [Fact]
    public void Write_Batch_AppliesAllUpdatesAcrossFamilies()
    {
        using var dir = new TempDirectory();
        using (var db = Open(dir.Path))
        {
            var blocks = db.GetColumnFamily("blocks");
            var index = db.GetColumnFamily("index");
            db.Put(blocks, B("old"), B("x"), sync: false);
            using var batch = new WriteBatch();
            batch.Put(blocks, B("b1"), B("body")).Put(index, B("h1"), B("b1")).Delete(blocks, B("old"));
            Assert.Equal(3, batch.Count);
            Assert.Null(db.Get(blocks, B("b1")));
            db.Write(batch, sync: true);
            batch.Clear();
            Assert.Equal(0, batch.Count);
            db.Write(batch, sync: true);
        }
        using (var db = Open(dir.Path))
        {
            Assert.Equal("body", S(db.Get(db.GetColumnFamily("blocks"), B("b1"))));
            Assert.Equal("b1", S(db.Get(db.GetColumnFamily("index"), B("h1"))));
            Assert.Null(db.Get(db.GetColumnFamily("blocks"), B("old")));
        }
    }

    [Fact]
    public void Write_BatchNeverWritten_NothingOnReopen()
    {
        using var dir = new TempDirectory();
        using (var db = Open(dir.Path))
        {
            db.Put(db.GetColumnFamily("blocks"), B("before"), B("1"), sync: true);
            using var batch = new WriteBatch();
            batch.Put(db.GetColumnFamily("blocks"), B("b1"), B("body")).Put(db.GetColumnFamily("index"), B("h1"), B("b1"));
            // disposed without Write: none of it may appear
        }
        using (var db = Open(dir.Path))
        {
            Assert.Equal("1", S(db.Get(db.GetColumnFamily("blocks"), B("before"))));
            Assert.Null(db.Get(db.GetColumnFamily("blocks"), B("b1")));
            Assert.Null(db.Get(db.GetColumnFamily("index"), B("h1")));
        }
    }

    [Fact]
    public void Iterator_SeekNextPrev_FollowsBytewiseOrder()
    {
        using var dir = new TempDirectory();
        using var db = Open(dir.Path);
        var cf = db.GetColumnFamily("index");
        foreach (var k in new[] { "b", "a", "d", "c2", "c1", "c" })
            db.Put(cf, B(k), B("v" + k), sync: false);
        db.Put(cf, [0xff], B("high"), sync: false);

        using var it = db.NewIterator(cf);
        it.SeekToFirst();
        Assert.Equal(["a", "b", "c", "c1", "c2", "d", "\uFFFD"], Keys(it));

        it.Seek(B("c0"));
        Assert.True(it.Valid());
        Assert.Equal("c1", S(it.Key()));
        Assert.Equal("vc1", S(it.Value()));
        it.Prev();
        Assert.Equal("c", S(it.Key()));

        it.SeekForPrev(B("c0"));
        Assert.Equal("c", S(it.Key()));
        it.SeekForPrev(B("0"));
        Assert.False(it.Valid());
        Assert.Throws<InvalidOperationException>(() => it.Key().Length);
        Assert.Throws<InvalidOperationException>(it.Next);

        it.SeekToLast();
        Assert.Equal([0xff], it.Key().ToArray());
        it.Prev();
        Assert.Equal("d", S(it.Key()));
        it.Seek(B("e"));
        Assert.Equal([0xff], it.Key().ToArray());
    }

    [Fact]
    public void Iterator_UpperBound_StopsBeforeBoundForPrefixScan()
    {
        using var dir = new TempDirectory();
        using var db = Open(dir.Path);
        var cf = db.GetColumnFamily("index");
        foreach (var k in new[] { "lane1/0001", "lane1/0002", "lane1/0010", "lane10/0001", "lane2/0001", "lane1" })
            db.Put(cf, B(k), B(k), sync: false);

        var prefix = B("lane1/");
        using var ro = new ReadOptions();
        ro.SetIterateUpperBound(B("zzz")); // replaced: the last bound set is the one used
        ro.SetIterateUpperBound(B("lane1" + (char)('/' + 1))); // the prefix's successor, "lane10"
        using var it = db.NewIterator(cf, ro);
        it.Seek(prefix);
        Assert.Equal(["lane1/0001", "lane1/0002", "lane1/0010"], Keys(it));

        it.SeekToLast();
        Assert.Equal("lane1/0010", S(it.Key()));
    }

    [Fact]
    public void Iterator_ReadOptionsDisposedFirst_StaysUsable()
    {
        using var dir = new TempDirectory();
        using var db = Open(dir.Path);
        var cf = db.GetColumnFamily("index");
        db.Put(cf, B("a"), B("1"), sync: false);
        db.Put(cf, B("b"), B("2"), sync: false);
        RocksIterator it;
        using (var ro = new ReadOptions())
        {
            ro.SetIterateUpperBound(B("b"));
            it = db.NewIterator(cf, ro);
        }
        using (it)
        {
            it.SeekToFirst();
            Assert.Equal(["a"], Keys(it));
        }
    }

    [Fact]
    public void Snapshot_LaterWrites_InvisibleThroughSnapshot()
    {
        using var dir = new TempDirectory();
        using var db = Open(dir.Path);
        var cf = db.GetColumnFamily("blocks");
        db.Put(cf, B("a"), B("1"), sync: false);
        db.Put(cf, B("b"), B("1"), sync: false);

        using var snapshot = db.GetSnapshot();
        db.Put(cf, B("a"), B("2"), sync: false);
        db.Delete(cf, B("b"), sync: false);
        db.Put(cf, B("c"), B("2"), sync: false);

        using var ro = new ReadOptions { Snapshot = snapshot };
        Assert.Equal("1", S(db.Get(cf, B("a"), ro)));
        Assert.Equal("1", S(db.Get(cf, B("b"), ro)));
        Assert.Null(db.Get(cf, B("c"), ro));
        using (var it = db.NewIterator(cf, ro))
        {
            it.SeekToFirst();
            Assert.Equal(["a", "b"], Keys(it));
        }

        Assert.Equal("2", S(db.Get(cf, B("a"))));
        Assert.Null(db.Get(cf, B("b")));
        ro.Snapshot = null;
        Assert.Equal("2", S(db.Get(cf, B("a"), ro)));
    }

    [Fact]
    public void Snapshot_DisposedWhileSetInReadOptions_StaysInForceUntilUnset()
    {
        using var dir = new TempDirectory();
        using var db = Open(dir.Path);
        var cf = db.GetColumnFamily("blocks");
        db.Put(cf, B("a"), B("1"), sync: false);
        using var ro = new ReadOptions();
        using (var snapshot = db.GetSnapshot())
            ro.Snapshot = snapshot;
        db.Put(cf, B("a"), B("2"), sync: false);
        Assert.Equal("1", S(db.Get(cf, B("a"), ro)));
        ro.Snapshot = null;
        Assert.Equal("2", S(db.Get(cf, B("a"), ro)));
    }

    [Fact]
    public void Open_DirectoryLockedByOpenHandle_ThrowsRocksDbExceptionAboutLock()
    {
        using var dir = new TempDirectory();
        using var first = Open(dir.Path);
        var e = Assert.Throws<RocksDbException>(() => Open(dir.Path));
        Assert.Contains("lock", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("LOCK", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_PathIsRegularFile_ThrowsRocksDbExceptionNamingPath()
    {
        using var dir = new TempDirectory();
        var file = dir.Sub("not-a-directory");
        File.WriteAllText(file, "x");
        var e = Assert.Throws<RocksDbException>(() => Open(file));
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MissingWithoutCreateIfMissing_ThrowsRocksDbException()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<RocksDbException>(() => Open(dir.Sub("absent"), new RocksDbOptions { CreateIfMissing = false }));
        Assert.Contains("does not exist", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Dispose_WhileIteratorOpen_ClosesWhenIteratorDisposed()
    {
        using var dir = new TempDirectory();
        var db = Open(dir.Path);
        var cf = db.GetColumnFamily("blocks");
        db.Put(cf, B("a"), B("1"), sync: true);
        var it = db.NewIterator(cf);
        db.Dispose();
        it.SeekToFirst();
        Assert.Equal("a", S(it.Key())); // the native database is still open for the iterator
        Assert.Throws<RocksDbException>(() => Open(dir.Path)); // and still holds the lock
        it.Dispose();
        using var again = Open(dir.Path);
        Assert.Equal("1", S(again.Get(again.GetColumnFamily("blocks"), B("a"))));
    }
}
