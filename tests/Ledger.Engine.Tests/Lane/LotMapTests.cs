using Ledger.Engine.Lane;
using Ledger.Engine.Verification;
using Ledger.Protocol;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Engine.Tests.Lane.LaneFixture;

namespace Ledger.Engine.Tests.Lane;

/// <summary>State map version 2: lot recalls and withdrawals are per-lot and per-product chains committed by the state root.</summary>
public sealed class LotMapTests
{
    [Fact]
    public async Task LotRecallAndProductWithdrawal_AreProvenByTheStateRoot_AcrossReopenAndStoreVerify()
    {
        var f = new LaneFixture();
        Assert.Equal(LaneStore.CurrentStateMapVersion, f.Engine.Store.StateMapVersion);
        Assert.True((await f.Submit(Maker, new CommissionPayload(Gtin, "LM1", "301231", MakerGln, ["LM-A"]))).Accepted);
        Assert.True((await f.Submit(Maker, new CommissionPayload(Gtin, "LM2", "301231", MakerGln, ["LM-B"]))).Accepted);
        var recall = await f.Submit(Maker, new RecallPayload(Gtin, "LM1", null, "contamination"));
        var withdraw = await f.Submit(Regulator, new WithdrawPayload(Gtin, null, "licence withdrawn"));
        Assert.True(recall.Accepted && withdraw.Accepted);

        var a = f.Engine.GetProvenance(Pack("LM-A"));
        var root = a.Header!.Header.StateRoot;
        Assert.Equal(ItemStatus.Recalled, a.Status); // Recalled wins over Withdrawn
        Assert.Equal([recall.Outcomes[0].RecordIds[0]], a.Lot!.Records.Select(e => e.Record.Id));
        Assert.True(SparseMerkleTree.Verify(root, LotMap.LotKey(Gtin, "LM1"), LotMap.Fold([recall.Outcomes[0].RecordIds[0]]), a.Lot.Proof).IsValid);
        Assert.True(SparseMerkleTree.Verify(root, LotMap.ProductKey(Gtin), LotMap.Fold([withdraw.Outcomes[0].RecordIds[0]]), a.Product!.Proof).IsValid);
        var b = f.Engine.GetProvenance(Pack("LM-B"));
        Assert.Equal(ItemStatus.Withdrawn, b.Status);
        Assert.Empty(b.Lot!.Records);
        Assert.True(SparseMerkleTree.Verify(root, LotMap.LotKey(Gtin, "LM2"), null, b.Lot.Proof).IsValid); // absence

        // After a reopen the chain goes on from the committed head: a second recall of LM1 extends it.
        await f.ReopenAsync();
        var again = await f.Submit(Regulator, new RecallPayload(Gtin, "LM1", null, "second notice"));
        Assert.True(again.Accepted);
        var after = f.Engine.GetProvenance(Pack("LM-A"));
        var ids = after.Lot!.Records.Select(e => e.Record.Id).ToList();
        Assert.Equal([recall.Outcomes[0].RecordIds[0], again.Outcomes[0].RecordIds[0]], ids);
        Assert.True(SparseMerkleTree.Verify(after.Header!.Header.StateRoot, LotMap.LotKey(Gtin, "LM1"), LotMap.Fold(ids), after.Lot.Proof).IsValid);
        Assert.False(SparseMerkleTree.Verify(after.Header.Header.StateRoot, LotMap.LotKey(Gtin, "LM1"), LotMap.Fold(ids.Take(1)), after.Lot.Proof).IsValid);

        await f.Engine.DisposeAsync();
        var report = StoreVerifier.Verify(f.Directory, consortium: LaneFixture.Consortium);
        Directory.Delete(f.Directory, recursive: true);
        Assert.True(report.Ok, report.FirstFailure?.ToString());
    }

    [Fact]
    public void LotKeys_AreDomainSeparatedFromEachOtherAndFromItems()
    {
        var lot = LotMap.LotKey(Gtin, "");
        Assert.NotEqual(lot, LotMap.ProductKey(Gtin));
        Assert.NotEqual(LotMap.LotKey(Gtin, "A"), LotMap.LotKey(Gtin, "B"));
        Assert.NotEqual(LotMap.Chain(null, Hash32.Zero), LotMap.Chain(LotMap.Chain(null, Hash32.Zero), Hash32.Zero));
        Assert.Null(LotMap.Fold([]));
        Assert.Null(LotMap.KeyOf(new LedgerRecord(Maker.Address, 1, T0, new RecallPayload(Gtin, "", [Pack("X")], "one pack"), [])));
    }
}
