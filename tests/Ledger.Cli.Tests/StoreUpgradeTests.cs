using System.Buffers.Binary;
using System.Text.Json;
using Ledger.Engine.Lane;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Ledger.Storage.Segments;
using Xunit;

namespace Ledger.Cli.Tests;

/// <summary>
/// A store written by the release on RocksDB 7.8 (tests/vectors/upgrade, see its README) opens under the bundled
/// RocksDB 11.12, takes new blocks and passes <c>store verify</c>. The upgrade is one-way: the index then carries
/// RocksDB 11.12's OPTIONS and table format, which 7.8 cannot read.
/// </summary>
public sealed class StoreUpgradeTests : IDisposable
{
    // The fixture's keys (see tests/vectors/upgrade/README.md).
    private static readonly PrivateKey NodeKey = PrivateKey.FromBytes([.. Enumerable.Repeat((byte)0x31, 32)]);
    private static readonly PrivateKey Maker = PrivateKey.FromBytes([.. Enumerable.Repeat((byte)0x32, 32)]);
    private const string MakerGln = "0614141000005";

    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("ledger-upgrade-");

    public StoreUpgradeTests() => Copy(Path.Combine(AppContext.BaseDirectory, "vectors", "upgrade", "lane-rocksdb-7.8"), _data.FullName);

    public void Dispose() => _data.Delete(recursive: true);

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from))
            Copy(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    private string Index => Path.Combine(_data.FullName, "ledger", "index");

    private string[] NewestOptions() =>
        File.ReadAllLines(Directory.GetFiles(Index, "OPTIONS-*").OrderBy(f => f, StringComparer.Ordinal).Last()).Select(l => l.Trim()).ToArray();

    [Fact]
    public void Fixture_AsCommitted_WasWrittenByRocksDb78WithTableFormat5()
    {
        var options = NewestOptions();

        Assert.Contains("rocksdb_version=7.8.3", options);
        Assert.Contains("format_version=5", options);
        Assert.NotEmpty(Directory.GetFiles(Index, "*.sst"));
        Assert.Contains(Directory.GetFiles(Index, "*.log"), f => new FileInfo(f).Length > 0);
    }

    [Fact]
    public async Task StoreVerify_FixtureFromRocksDb78_Exit0WithItsThreeBlocks()
    {
        var r = await CliRunner.RunAsync("store", "verify", _data.FullName);

        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        var json = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.Equal(3, json.GetProperty("blocks").GetInt64());
        Assert.Equal(3, json.GetProperty("records").GetInt64());
    }

    [Fact]
    public async Task Engine_OnFixtureFromRocksDb78_AppendsBlock4AndUpgradesTheIndex()
    {
        var consortium = new ConsortiumDirectory(new ConsortiumDefinition("upgrade-fixture", 1, [new ConsortiumNode("node-1", NodeKey.Address, "")],
            [new Party("maker", Maker.Address, PartyRoles.Manufacturer, [MakerGln], ["0614141"], [], NodeKey.Address)]));
        var engine = LedgerEngine.Open(Path.Combine(_data.FullName, "ledger"), NodeKey, consortium);
        try
        {
            var record = new LedgerRecord(Maker.Address, 4, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                new CommissionPayload("00614141123452", "LOT1", "281231", MakerGln, ["UPG4", "UPH4"]), []);
            var result = await engine.SubmitAsync(SignedBatch.Sign([record], Maker));
            Assert.True(result.Accepted, result.Outcomes[0].Message);
        }
        finally
        {
            await engine.DisposeAsync();
        }

        var options = NewestOptions();
        Assert.Contains("rocksdb_version=11.12.0", options);
        Assert.Contains("format_version=7", options);
        // The block segment files keep their own format (version 1): the upgrade concerns RocksDB's files only.
        var header = File.ReadAllBytes(Path.Combine(_data.FullName, "ledger", "blocks", SegmentFormat.FileName(1)))[..SegmentFormat.HeaderSize];
        Assert.Equal(SegmentFormat.FormatVersion, BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(8)));
        var r = await CliRunner.RunAsync("store", "verify", _data.FullName);
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        var json = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.Equal(4, json.GetProperty("blocks").GetInt64());
        Assert.Equal(4, json.GetProperty("records").GetInt64());
    }
}

/// <summary><c>ledger store upgrade</c> on the one-lane store of format 1 (tests/vectors/upgrade/lane-v1), then <c>store verify</c>.</summary>
public sealed class StoreUpgradeLaneV1Tests : IDisposable
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("ledger-upgrade-v1-");

    public StoreUpgradeLaneV1Tests() => Copy(Path.Combine(AppContext.BaseDirectory, "vectors", "upgrade", "lane-v1"), _data.FullName);

    public void Dispose() => _data.Delete(recursive: true);

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from))
            Copy(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    [Fact]
    public async Task StoreUpgrade_Format1Fixture_ReportsFormat1To2ThenVerifies_AndASecondRunFindsFormat2()
    {
        var r = await CliRunner.RunAsync("store", "upgrade", _data.FullName);
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        var json = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.Equal((1, 2, 5L), (json.GetProperty("formatBefore").GetInt32(), json.GetProperty("format").GetInt32(), json.GetProperty("height").GetInt64()));

        var again = JsonDocument.Parse((await CliRunner.RunAsync("store", "upgrade", _data.FullName)).StdOut).RootElement;
        Assert.Equal(2, again.GetProperty("formatBefore").GetInt32());

        var v = await CliRunner.RunAsync("store", "verify", _data.FullName);
        Assert.True(v.ExitCode == 0, v.StdOut + v.StdErr);
        Assert.Equal(5, JsonDocument.Parse(v.StdOut).RootElement.GetProperty("blocks").GetInt64());
    }

    [Fact]
    public async Task StoreUpgrade_NotADataFolder_Exit2()
    {
        var r = await CliRunner.RunAsync("store", "upgrade", Path.Combine(_data.FullName, "nope"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a node data folder", r.StdErr, StringComparison.Ordinal);
    }
}
