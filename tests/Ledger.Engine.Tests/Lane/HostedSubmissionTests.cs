using Ledger.Engine.Lane;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Engine.Tests.Lane.LaneFixture;

namespace Ledger.Engine.Tests.Lane;

public sealed class HostedSubmissionTests
{
    private static Draft Commission(string key, params string[] serials) =>
        new(key, view => [new LedgerRecord(Maker.Address, (ulong)key.GetHashCode(StringComparison.Ordinal) & 0xffff, T0,
            new CommissionPayload(Gtin, "LOT1", "281231", MakerGln, serials), view.DepsFor([]))], [1, 2, 3]);

    private static Draft Verify(string key, string serial) =>
        new(key, view => [new LedgerRecord(Maker.Address, 7, T0 + 1000, new VerifyPayload(Pack(serial), "LOT1", "281231", "test", MakerGln, null),
            view.DepsFor([Pack(serial)]))]);

    [Fact]
    public async Task Rollback_OneDraftRefused_NothingWritten()
    {
        await using var f = new LaneFixture();
        await f.Submit(Maker, new CommissionPayload(Gtin, "LOT1", "281231", MakerGln, ["X1"]));
        var before = f.Engine.Head;
        var result = await f.Engine.SubmitHostedAsync(Maker, [Commission("e1", "N1"), Commission("e2", "X1")], rollback: true);
        Assert.False(result.Accepted);
        Assert.Equal([OutcomeStatus.Rejected, OutcomeStatus.Rejected], result.Outcomes.Select(o => o.Status));
        Assert.Equal(LedgerEngine.BatchRejectedCode, result.Outcomes[0].Code);
        Assert.Equal("already-commissioned", result.Outcomes[1].Code);
        Assert.Equal(before.Height, f.Engine.Head.Height);
        Assert.Null(f.Engine.Store.GetItem(Pack("N1")));
        Assert.Null(f.Engine.Store.GetEvent("e1"));
    }

    [Fact]
    public async Task Proceed_OneDraftRefused_OthersWritten()
    {
        await using var f = new LaneFixture();
        await f.Submit(Maker, new CommissionPayload(Gtin, "LOT1", "281231", MakerGln, ["X1"]));
        var result = await f.Engine.SubmitHostedAsync(Maker, [Commission("e1", "N1"), Commission("e2", "X1"), Commission("e3", "N3")], rollback: false);
        Assert.Equal([OutcomeStatus.Accepted, OutcomeStatus.Rejected, OutcomeStatus.Accepted], result.Outcomes.Select(o => o.Status));
        Assert.NotNull(f.Engine.Store.GetItem(Pack("N1")));
        Assert.NotNull(f.Engine.Store.GetItem(Pack("N3")));
        Assert.NotNull(f.Engine.Store.GetEvent("e3"));
        Assert.Null(f.Engine.Store.GetEvent("e2"));
    }

    [Fact]
    public async Task EventsThatMapToNoRecord_WithNothingElseToWrite_AreRefusedNotAcknowledged()
    {
        await using var f = new LaneFixture();
        var before = f.Engine.Head;
        // An event with no custody effect (an EPCIS event that maps to no record) is stored with the block its capture
        // writes; when there is no block to store it with, it is refused rather than acknowledged and lost.
        var unmapped = new Draft("u1", _ => [], [9]);
        var result = await f.Engine.SubmitHostedAsync(Maker, [unmapped], rollback: true);
        Assert.False(result.Accepted);
        Assert.Equal(OutcomeStatus.Rejected, result.Outcomes[0].Status);
        Assert.Equal(LedgerEngine.NoRecordCode, result.Outcomes[0].Code);
        Assert.Equal(before.Height, f.Engine.Head.Height);
        Assert.Null(f.Engine.Store.GetEvent("u1"));

        // Together with an event that writes a block, it is stored and acknowledged.
        var mixed = await f.Engine.SubmitHostedAsync(Maker, [Commission("c1", "M1"), new Draft("u2", _ => [], [8])], rollback: true);
        Assert.True(mixed.Accepted, string.Join("; ", mixed.Outcomes.Select(o => o.Message)));
        Assert.NotNull(f.Engine.Store.GetEvent("u2"));
    }

    [Fact]
    public async Task SameKeyAgain_IsDuplicateWithOriginalRecords()
    {
        await using var f = new LaneFixture();
        var first = await f.Engine.SubmitHostedAsync(Maker, [Commission("k1", "D1")], rollback: true);
        var height = f.Engine.Head.Height;
        var again = await f.Engine.SubmitHostedAsync(Maker, [Commission("k1", "D1")], rollback: true);
        Assert.Equal(OutcomeStatus.Duplicate, again.Outcomes[0].Status);
        Assert.Equal(first.Outcomes[0].RecordIds, again.Outcomes[0].RecordIds);
        Assert.Equal(height, f.Engine.Head.Height);
        var stored = f.Engine.Store.GetEvent("k1")!.Value.Event;
        Assert.Equal([1, 2, 3], stored.Payload);
        Assert.Equal(Maker.Address, stored.Author);
    }

    [Fact]
    public async Task DraftsInOneSubmission_SeeEachOthersState()
    {
        await using var f = new LaneFixture();
        // The verify draft is built after the commission draft was applied, so its deps name the commission.
        var result = await f.Engine.SubmitHostedAsync(Maker, [Commission("c", "S1"), Verify("v", "S1")], rollback: true);
        Assert.True(result.Accepted, string.Join("; ", result.Outcomes.Select(o => o.Message)));
        Assert.True(result.Outcomes[1].Verification!.Verified);
        Assert.Equal(2, f.Engine.GetProvenance(Pack("S1")).Records.Count);
    }

    [Fact]
    public async Task ThrowingDraft_IsRefusedWithItsMessage()
    {
        await using var f = new LaneFixture();
        var bad = new Draft("bad", _ => throw new RecordFormatException("payload.gtin", "check-digit", "GTIN check digit is wrong"));
        var result = await f.Engine.SubmitHostedAsync(Maker, [bad], rollback: false);
        Assert.Equal(OutcomeStatus.Rejected, result.Outcomes[0].Status);
        Assert.Equal(LedgerEngine.InvalidEventCode, result.Outcomes[0].Code);
        Assert.Contains("check digit", result.Outcomes[0].Message, StringComparison.Ordinal);
        Assert.Equal(0, f.Engine.Head.Height);
    }
}
