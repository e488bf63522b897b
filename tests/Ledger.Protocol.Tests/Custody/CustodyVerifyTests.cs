using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Protocol.Tests.Custody.CustodyWorld;

namespace Ledger.Protocol.Tests.Custody;

/// <summary>Verify: the computed answer (GS1 Lightweight Verification codes) and its alerts; custody never changes.</summary>
public class CustodyVerifyTests
{
    private static readonly ItemId A = Pack("1");

    private static (CustodyOutcome Outcome, ItemState? Before, ItemState? After, Hash32 Id) Scan(CustodyWorld w, Address by, string? lot, string? expiry, long? time = null)
    {
        var before = w.Ctx.Get(A);
        var record = w.Record(by, new VerifyPayload(A, lot, expiry, "dscsaSaleableReturn", null, null), time);
        var outcome = w.Ctx.Apply(record);
        Assert.True(outcome.IsAccepted, outcome.ToString());
        return (outcome, before, w.Ctx.Get(A), record.Id);
    }

    [Fact]
    public void Verify_MatchingScanByCustodian_VerifiedNoAlertsOnlyChainMoves()
    {
        var w = new CustodyWorld();
        w.Commission("1");
        var (o, before, after, id) = Scan(w, M, "L1", "301231");
        Assert.Equal(new ItemVerification(true, VerificationFailureReason.None, VerificationInfo.None), o.Verification);
        Assert.Empty(o.Alerts);
        Assert.Equal(before! with { LatestRecord = id }, after);
    }

    [Fact]
    public void Verify_UnknownSerial_NoMatchGtinSerialAndAlert()
    {
        var w = new CustodyWorld();
        var (o, _, after, _) = Scan(w, D, "L1", null);
        Assert.False(o.Verification!.Verified);
        Assert.Equal("No_match_GTIN_Serial", o.Verification.FailureCode);
        Assert.Equal(CustodyAlertKind.UnknownSerial, Assert.Single(o.Alerts).Kind);
        Assert.Null(after);
    }

    [Theory]
    [InlineData("L2", null, "No_match_GTIN_Serial_Lot")]
    [InlineData(null, "301130", "No_match_GTIN_Serial_Expiry")]
    [InlineData("L2", "301130", "No_match_GTIN_Serial_Lot_Expiry")]
    public void Verify_MismatchedLotOrExpiry_FailureReasonAndAlerts(string? lot, string? expiry, string code)
    {
        var w = new CustodyWorld();
        w.Commission("1");
        var (o, _, _, _) = Scan(w, M, lot, expiry);
        Assert.False(o.Verification!.Verified);
        Assert.Equal(code, o.Verification.FailureCode);
        Assert.Equal(lot is not null, o.Alerts.Any(a => a.Kind == CustodyAlertKind.LotMismatch));
        Assert.Equal(expiry is not null, o.Alerts.Any(a => a.Kind == CustodyAlertKind.ExpiryMismatch));
    }

    [Fact]
    public void Verify_ByNonCustodian_AlertOnlyCustodyUnchanged()
    {
        var w = new CustodyWorld();
        w.Commission("1");
        var (o, before, after, id) = Scan(w, D, "L1", "301231");
        Assert.True(o.Verification!.Verified);
        Assert.Equal(CustodyAlertKind.ScanByNonCustodian, Assert.Single(o.Alerts).Kind);
        Assert.Equal(before! with { LatestRecord = id }, after);
    }

    [Fact]
    public void Verify_RecalledLot_AdditionalInfoRecalled()
    {
        var w = new CustodyWorld();
        w.Commission("1");
        w.Must(M, new RecallPayload(Gtin, "L1", null, "sterility"));
        var (o, _, _, _) = Scan(w, M, "L1", null);
        Assert.Equal(VerificationInfo.Recalled, o.Verification!.AdditionalInfo);
        Assert.Contains(o.Alerts, a => a.Kind == CustodyAlertKind.ActivityAfterTerminal);
    }

    [Fact]
    public void Verify_ExpiredPack_AdditionalInfoExpired()
    {
        var w = new CustodyWorld();
        w.CommissionLot("L1", "260115", "1");
        var (o, _, _, _) = Scan(w, M, "L1", "260115", T0 + 20 * Day);
        Assert.True(o.Verification!.Verified);
        Assert.Equal(VerificationInfo.Expired, o.Verification.AdditionalInfo);
    }

    [Fact]
    public void Verify_StolenPack_SuspectAndTerminalAlert()
    {
        var w = new CustodyWorld();
        w.Commission("1");
        w.Decommission(M, DecommissionState.Stolen, MSite, A);
        var (o, _, _, _) = Scan(w, D, null, null);
        Assert.Equal(VerificationInfo.Suspect, o.Verification!.AdditionalInfo);
        Assert.Contains(o.Alerts, a => a.Kind == CustodyAlertKind.ActivityAfterTerminal);
        Assert.Contains(o.Alerts, a => a.Kind == CustodyAlertKind.ScanByNonCustodian);
    }

    [Fact]
    public void Verify_StaleView_Rejected()
    {
        var w = new CustodyWorld();
        w.Commission("1");
        var o = w.Ctx.Apply(w.Record(D, new VerifyPayload(A, null, null, "check", null, null), deps: []));
        Assert.Equal(CustodyErrorCodes.StaleDependency, o.ErrorCode);
    }
}
