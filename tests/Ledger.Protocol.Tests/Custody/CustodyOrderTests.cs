using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Protocol.Tests.Custody.CustodyWorld;

namespace Ledger.Protocol.Tests.Custody;

/// <summary>Concurrent records from different lanes applied in either order, and edge cases of the lot and expiry facts.</summary>
public class CustodyOrderTests
{
    private static readonly ItemId A = Pack("1");

    [Fact]
    public void LotRecallAndDispense_EitherOrder_ItemEndsRecalled()
    {
        // Both records are authored against the same view: the recall names no item, the dispense depends on the commission.
        var w1 = new CustodyWorld();
        w1.Commission("1");
        var dispense = w1.Record(M, new DecommissionPayload([A], DecommissionState.Supplied, MSite));
        var recall = w1.Record(R, new RecallPayload(Gtin, "L1", null, "sterility"));

        var w2 = new CustodyWorld();
        w2.Commission("1");

        Assert.True(w1.Ctx.Apply(dispense).IsAccepted);
        Assert.True(w1.Ctx.Apply(recall).IsAccepted);
        Assert.True(w2.Ctx.Apply(recall).IsAccepted);
        var late = w2.Ctx.Apply(dispense);
        Assert.Equal(CustodyErrorCodes.TerminalState, late.ErrorCode);

        Assert.Equal(ItemStatus.Recalled, w1.Status(A));
        Assert.Equal(ItemStatus.Recalled, w2.Status(A));
        Assert.Equal(w1.Ctx.Lots, w2.Ctx.Lots);
    }

    [Fact]
    public void LotRecallAndWithdrawal_EitherOrder_SameLotFactsAndStatus()
    {
        var w1 = new CustodyWorld();
        w1.Commission("1");
        var recall = w1.Record(M, new RecallPayload(Gtin, "L1", null, "sterility"));
        var withdraw = w1.Record(R, new WithdrawPayload(Gtin, null, "authorisation ended"));
        var w2 = new CustodyWorld();
        w2.Commission("1");

        w1.Ctx.Apply(recall);
        w1.Ctx.Apply(withdraw);
        w2.Ctx.Apply(withdraw);
        w2.Ctx.Apply(recall);

        Assert.Equal(w1.Ctx.Lots, w2.Ctx.Lots);
        Assert.Equal(ItemStatus.Recalled, w1.Status(A));
        Assert.Equal(ItemStatus.Recalled, w2.Status(A));
    }

    [Fact]
    public void LotRecall_Twice_AcceptedWithoutChange()
    {
        var w = new CustodyWorld();
        w.Must(M, new RecallPayload(Gtin, "L1", null, "sterility"));
        var lots = w.Ctx.Lots;
        w.Must(R, new RecallPayload(Gtin, "L1", null, "sterility"));
        Assert.Equal(lots, w.Ctx.Lots);
        Assert.Single(w.Ctx.Lots.RecalledLots);
    }

    [Fact]
    public void LotFacts_LotsDifferingOnlyInCase_AreDifferentLots()
    {
        var w = new CustodyWorld();
        w.Must(M, new RecallPayload(Gtin, "ab", null, "sterility"));
        Assert.True(w.Ctx.Lots.IsRecalled(Gtin, "ab"));
        Assert.False(w.Ctx.Lots.IsRecalled(Gtin, "AB"));
        w.CommissionLot("AB", "301231", "1");
    }

    [Fact]
    public void IsExpired_February29ResolvedToANonLeapYear_LastDayOfFebruary()
    {
        // YY = 00 with a reference year in 2050–2149 resolves to 2100, which is not a leap year.
        var s = new ItemState(A, ItemStatus.Active, M, MSite, default) { Expiry = "000229" };
        var feb28 = new DateTimeOffset(2100, 2, 28, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Assert.False(CustodyRules.IsExpired(s, feb28));
        Assert.True(CustodyRules.IsExpired(s, feb28 + Day));
    }
}
