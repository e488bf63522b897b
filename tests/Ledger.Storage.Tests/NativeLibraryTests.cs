using Xunit;
using Db = Ledger.Storage.RocksDb.RocksDb;

namespace Ledger.Storage.Tests;

/// <summary>
/// The node must use the RocksDB bundled with the RocksDB package even where a system librocksdb.so exists (Debian's 7.8
/// cannot read what 11.x writes, so loading it by accident would make a store unreadable to the next release).
/// </summary>
public class NativeLibraryTests
{
    [Fact]
    public void NativeLibraryPath_IsTheBundledFileUnderTheApplicationFolder()
    {
        var path = Db.NativeLibraryPath;

        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "librocksdb.so"), path);
        Assert.True(File.Exists(path), path);
    }

    [Fact]
    public void ProcessMaps_AfterOpeningADatabase_MapOnlyTheBundledLibrary()
    {
        using var dir = new TempDirectory();
        using (var db = Db.Open(dir.Path, new Ledger.Storage.RocksDb.RocksDbOptions(), []))
            db.Put(db.DefaultColumnFamily, [1], [2], sync: true);

        var mapped = File.ReadAllLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && fields[5].Contains("librocksdb", StringComparison.Ordinal))
            .Select(fields => fields[5])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.Equal([Db.NativeLibraryPath], mapped);
    }

    [Fact]
    public void OptionsFile_OfANewDatabase_NamesRocksDb11()
    {
        using var dir = new TempDirectory();
        using (Db.Open(dir.Path, new Ledger.Storage.RocksDb.RocksDbOptions(), []))
        {
        }
        var options = Directory.GetFiles(dir.Path, "OPTIONS-*").Order(StringComparer.Ordinal).Last();

        Assert.Contains(File.ReadAllLines(options), line => line.Trim() == "rocksdb_version=11.12.0");
    }
}
