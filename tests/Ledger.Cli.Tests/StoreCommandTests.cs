using System.Text.Json;
using Ledger.Protocol.Consortium;
using Ledger.Engine.Lane;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Ledger.Storage.Segments;
using Xunit;

namespace Ledger.Cli.Tests;

public sealed class StoreCommandTests : IDisposable
{
    private static readonly PrivateKey NodeKey = PrivateKey.FromBytes([.. Enumerable.Repeat((byte)0x21, 32)]);
    private static readonly PrivateKey Maker = PrivateKey.FromBytes([.. Enumerable.Repeat((byte)0x22, 32)]);
    private const string MakerGln = "0614141000005";

    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("ledger-store-");

    public void Dispose() => _data.Delete(recursive: true);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    /// <summary>A data folder whose ledger/ holds two blocks written by the real engine, which is closed afterwards.</summary>
    private static readonly ConsortiumDirectory Consortium = new(new ConsortiumDefinition("cli-test", 1, [new ConsortiumNode("node-1", NodeKey.Address, "")],
        [new Party("maker", Maker.Address, PartyRoles.Manufacturer, [MakerGln], ["0614141"], [], NodeKey.Address)]));

    private async Task BuildAsync()
    {
        var engine = LedgerEngine.Open(Path.Combine(_data.FullName, "ledger"), NodeKey, Consortium);
        try
        {
            var time = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (var i = 1; i <= 2; i++)
            {
                var record = new LedgerRecord(Maker.Address, (ulong)i, time + i,
                    new CommissionPayload("00614141123452", "LOT1", "281231", MakerGln, [$"CLI{i}", $"CLJ{i}"]), []);
                var result = await engine.SubmitAsync(SignedBatch.Sign([record], Maker));
                Assert.True(result.Accepted, result.Outcomes[0].Message);
            }
        }
        finally
        {
            await engine.DisposeAsync();
        }
    }

    [Fact]
    public async Task StoreVerify_CleanStore_Exit0WithCounts()
    {
        await BuildAsync();
        var r = await CliRunner.RunAsync("store", "verify", _data.FullName);
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        var json = Json(r.StdOut);
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.Equal(2, json.GetProperty("blocks").GetInt64());
        Assert.Equal(2, json.GetProperty("records").GetInt64());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("firstFailure").ValueKind);
        Assert.Contains(json.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.StartsWith("state root not checked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StoreVerify_DamagedFrame_Exit1NamingHeightAndCheck()
    {
        await BuildAsync();
        var segment = Path.Combine(_data.FullName, "ledger", "blocks", SegmentFormat.FileName(1));
        var second = BlockSegmentStore.ScanDirectory(Path.GetDirectoryName(segment)!).ElementAt(1);
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = second.Location.Offset + SegmentFormat.FrameHeaderSize + 5;
            var b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0xFF));
        }
        var r = await CliRunner.RunAsync("store", "verify", _data.FullName);
        Assert.Equal(1, r.ExitCode);
        var json = Json(r.StdOut);
        Assert.False(json.GetProperty("ok").GetBoolean());
        Assert.Equal(1, json.GetProperty("blocks").GetInt64());
        var failure = json.GetProperty("firstFailure");
        Assert.Equal(2, failure.GetProperty("height").GetInt64());
        Assert.Equal("frame-crc", failure.GetProperty("check").GetString());
    }

    [Fact]
    public async Task StoreRebuildIndexes_IndexDeleted_Exit0AndVerifyPasses()
    {
        await BuildAsync();
        Ledger.Engine.Consortium.ConsortiumStore.Save(Path.Combine(_data.FullName, "consortium.json"), Consortium.Definition);
        Ledger.Node.KeyFile.Save(Path.Combine(_data.FullName, Ledger.Node.NodeIdentity.KeyFileName), NodeKey);
        Directory.Delete(Path.Combine(_data.FullName, "ledger", "index"), recursive: true);
        var r = await CliRunner.RunAsync("store", "rebuild-indexes", _data.FullName);
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        var json = Json(r.StdOut);
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.Equal(2, json.GetProperty("blocks").GetInt64());
        var verify = await CliRunner.RunAsync("store", "verify", _data.FullName);
        Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);
        Assert.Equal(2, Json(verify.StdOut).GetProperty("records").GetInt64());
    }

    [Fact]
    public async Task StoreRebuildIndexes_NoConsortiumFile_Exit2NamingIt()
    {
        await BuildAsync();
        var r = await CliRunner.RunAsync("store", "rebuild-indexes", _data.FullName);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("--consortium:", r.StdErr, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(_data.FullName, "ledger", "index")));
    }

    [Fact]
    public async Task StoreVerify_MissingDirectory_Exit2WithOneLine()
    {
        var r = await CliRunner.RunAsync("store", "verify", Path.Combine(_data.FullName, "absent"));
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        Assert.Single(r.StdErr.Trim().Split('\n'));
        Assert.StartsWith("dir:", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoreVerify_FolderWithoutLedger_Exit2()
    {
        var r = await CliRunner.RunAsync("store", "verify", _data.FullName);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("ledger/", r.StdErr, StringComparison.Ordinal);
    }
}
