using Ledger.Engine.Faults;
using Ledger.Engine.Lane;
using Ledger.Engine.Tests.Lane;
using Ledger.Engine.Verification;
using Ledger.Protocol;
using Ledger.Protocol.Records;
using Xunit;

namespace Ledger.Engine.Tests.Faults;

/// <summary>
/// A lane in a folder of its own that tests open, abandon (as a crash would) and reopen, with a book of what was
/// acknowledged: the checks after a fault are that every acknowledged record is on the ledger and `store verify` passes.
/// </summary>
internal sealed class FaultTestLane : IAsyncDisposable
{
    private ulong _nonce;
    private int _serial;

    public FaultTestLane(string? directory = null, LaneOptions? options = null)
    {
        Directory = directory ?? Path.Combine(Path.GetTempPath(), "ledger-faults-" + Guid.NewGuid().ToString("N"));
        Options = options ?? new LaneOptions { MinFreeMb = 0, ScrubBytesPerSecond = 0 };
    }

    public string Directory { get; }

    public LaneOptions Options { get; set; }

    public LedgerEngine? Engine { get; private set; }

    /// <summary>Record ids answered accepted, in order.</summary>
    public List<Hash32> Acknowledged { get; } = [];

    public LedgerEngine Open(FaultPoints? faults = null)
    {
        Engine = LedgerEngine.Open(Directory, LaneFixture.NodeKey, LaneFixture.Consortium, Options with { Faults = faults ?? FaultPoints.None });
        return Engine;
    }

    /// <summary>A batch of <paramref name="records"/> fresh commissions by the maker (about 200 bytes each in the block).</summary>
    public SignedBatch NextBatch(int records = 3)
    {
        var list = new List<LedgerRecord>();
        for (var i = 0; i < records; i++)
        {
            var serial = "F" + (++_serial).ToString(System.Globalization.CultureInfo.InvariantCulture);
            list.Add(new LedgerRecord(LaneFixture.Maker.Address, ++_nonce, LaneFixture.T0 + (long)_nonce * 1000,
                new CommissionPayload(LaneFixture.Gtin, "LOT-F", "281231", LaneFixture.MakerGln, [serial]), []));
        }
        return SignedBatch.Sign(list, LaneFixture.Maker);
    }

    /// <summary>Submits a batch that must be accepted and books its records.</summary>
    public async Task<SubmitResult> WriteAsync(int records = 3)
    {
        var batch = NextBatch(records);
        var result = await Engine!.SubmitAsync(batch);
        Assert.True(result.Accepted, "the batch was refused: " + string.Join("; ", result.Outcomes.Select(o => o.Code + " " + o.Message)));
        Acknowledged.AddRange(batch.Records.Select(r => r.Id));
        return result;
    }

    /// <summary>Closes the engine (after a fault: without a checkpoint, the segment buffer handed to the OS as a kill leaves it).</summary>
    public async Task CloseAsync()
    {
        if (Engine is not null)
            await Engine.DisposeAsync();
        Engine = null;
    }

    /// <summary>Every acknowledged record is on the ledger and reads back as itself.</summary>
    public void AssertAcknowledgedPresent(string context)
    {
        foreach (var id in Acknowledged)
        {
            var record = Engine!.Store.GetRecord(id);
            Assert.True(record is not null, $"{context}: acknowledged record {id} is missing");
            Assert.Equal(id, record!.Id);
        }
    }

    /// <summary>`store verify` on the closed store: every check holds, with the state replay.</summary>
    public StoreReport AssertVerifies(string context)
    {
        Assert.Null(Engine);
        var report = StoreVerifier.Verify(Directory, consortium: LaneFixture.Consortium);
        Assert.True(report.Ok, $"{context}: store verify: {report.FirstFailure}");
        return report;
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
