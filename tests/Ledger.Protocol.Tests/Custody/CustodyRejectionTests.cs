using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Protocol.Tests.Custody.CustodyWorld;
using C = Ledger.Protocol.Custody.CustodyErrorCodes;

namespace Ledger.Protocol.Tests.Custody;

/// <summary>Every forbidden transition: its code, and no state change.</summary>
public class CustodyRejectionTests
{
    private sealed record Case(string Code, Func<CustodyWorld, LedgerRecord> Build, CustodyAlertKind? Alert = null);

    private static readonly ItemId A = Pack("1"), B = Pack("2"), C3 = Pack("3"), P1 = Pallet("1"), P2 = Pallet("2");

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // deps
        ["ship without the item's latest record in deps"] = new(C.StaleDependency, w =>
        {
            w.Commission("1");
            return w.Record(M, new ShipPayload([A], MSite, W, WSite), deps: []);
        }),
        ["decommission with the commission as dep after a verify moved the chain"] = new(C.StaleDependency, w =>
        {
            var commission = w.Commission("1");
            w.Must(M, new VerifyPayload(A, "L1", null, "check", null, null));
            return w.Record(M, new DecommissionPayload([A], DecommissionState.Destroyed, MSite), deps: [commission]);
        }),
        // Commission
        ["commission of an existing serial"] = new(C.AlreadyCommissioned, w =>
        {
            w.Commission("1");
            return w.Record(M, new CommissionPayload(Gtin, "L2", "301231", MSite, ["1", "9"]));
        }, CustodyAlertKind.SecondCommissioning),
        ["commission of a GTIN under another party's prefix"] = new(C.PrefixNotOwned, w => w.Record(W, new CommissionPayload(Gtin, "L1", "301231", WSite, ["1"]))),
        ["commission of a foreign GTIN by a party delegated another GTIN"] = new(C.PrefixNotOwned, w => w.Record(M2, new CommissionPayload(Gtin, "L1", "301231", M2Site, ["1"]))),
        ["commission at a GLN the author does not own"] = new(C.GlnNotOwned, w => w.Record(M, new CommissionPayload(Gtin, "L1", "301231", WSite, ["1"]))),
        ["commission into a recalled lot"] = new(C.LotRecalled, w =>
        {
            w.Must(M, new RecallPayload(Gtin, "L1", null, "sterility"));
            return w.Record(M, new CommissionPayload(Gtin, "L1", "301231", MSite, ["1"]));
        }),
        ["commission of a withdrawn product"] = new(C.Withdrawn, w =>
        {
            w.Must(M, new WithdrawPayload(Gtin, null, "authorisation ended"));
            return w.Record(M, new CommissionPayload(Gtin, "L9", "301231", MSite, ["1"]));
        }),
        ["commission into a withdrawn lot"] = new(C.Withdrawn, w =>
        {
            w.Must(R, new WithdrawPayload(Gtin, "L1", "quality"));
            return w.Record(M, new CommissionPayload(Gtin, "L1", "301231", MSite, ["1"]));
        }),
        ["commission of an already expired lot"] = new(C.Expired, w => w.Record(M, new CommissionPayload(Gtin, "L1", "251231", MSite, ["1"]))),
        // Pack
        ["pack a child the author does not hold"] = new(C.NotCustodian, w =>
        {
            w.Commission("1");
            return w.Record(W, new PackPayload(P1, [A], WSite));
        }),
        ["pack a child already in another parent"] = new(C.InParent, w =>
        {
            w.Commission("1");
            w.PackInto(M, P1, MSite, A);
            return w.Record(M, new PackPayload(P2, [A], MSite));
        }),
        ["pack a child in transit"] = new(C.InTransit, w =>
        {
            w.Commission("1");
            w.Ship(M, MSite, W, WSite, A);
            return w.Record(M, new PackPayload(P1, [A], MSite));
        }),
        ["pack a destroyed child"] = new(C.TerminalState, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.Destroyed, MSite, A);
            return w.Record(M, new PackPayload(P1, [A], MSite));
        }, CustodyAlertKind.ActivityAfterTerminal),
        ["pack a child of a recalled lot"] = new(C.TerminalState, w =>
        {
            w.Commission("1");
            w.Must(M, new RecallPayload(Gtin, "L1", null, "sterility"));
            return w.Record(M, new PackPayload(P1, [A], MSite));
        }, CustodyAlertKind.ActivityAfterTerminal),
        ["pack a dispensed child"] = new(C.AlreadyInactive, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.Supplied, MSite, A);
            return w.Record(M, new PackPayload(P1, [A], MSite));
        }),
        ["pack at a GLN the author does not own"] = new(C.GlnNotOwned, w =>
        {
            w.Commission("1");
            return w.Record(M, new PackPayload(P1, [A], WSite));
        }),
        ["pack a pallet into a pallet inside it"] = new(C.PackCycle, w =>
        {
            w.Commission("1");
            w.PackInto(M, P2, MSite, A);
            w.PackInto(M, P1, MSite, P2);
            return w.Record(M, new PackPayload(P2, [P1], MSite));
        }),
        ["pack into an SGTIN parent that was never commissioned"] = new(C.UnknownItem, w =>
        {
            w.Commission("1");
            return w.Record(M, new PackPayload(Pack("99", Gtin2), [A], MSite));
        }),
        ["pack an unknown child"] = new(C.UnknownItem, w => w.Record(M, new PackPayload(P1, [A], MSite))),
        ["pack into a parent held by another party"] = new(C.NotCustodian, w =>
        {
            var (pallet, _, _, _) = w.PalletAtWholesaler();
            w.Commission("7");
            return w.Record(M, new PackPayload(pallet, [Pack("7")], MSite));
        }),
        // Unpack
        ["unpack a parent the author does not hold"] = new(C.NotCustodian, w =>
        {
            w.Commission("1");
            w.PackInto(M, P1, MSite, A);
            return w.Record(W, new UnpackPayload(P1, [], WSite));
        }),
        ["unpack a child that is not inside the parent"] = new(C.NotInParent, w =>
        {
            w.Commission("1", "2");
            w.PackInto(M, P1, MSite, A);
            return w.Record(M, new UnpackPayload(P1, [B], MSite));
        }),
        ["unpack a parent in transit"] = new(C.InTransit, w =>
        {
            w.Commission("1");
            w.PackInto(M, P1, MSite, A);
            w.Ship(M, MSite, W, WSite, P1);
            return w.Record(M, new UnpackPayload(P1, [], MSite));
        }),
        ["unpack an unknown parent"] = new(C.UnknownItem, w => w.Record(M, new UnpackPayload(P1, [], MSite))),
        // Ship
        ["ship an item the author does not hold"] = new(C.NotCustodian, w =>
        {
            w.Commission("1");
            return w.Record(W, new ShipPayload([A], WSite, D, DSite));
        }),
        ["ship a child inside a parent"] = new(C.InParent, w =>
        {
            w.Commission("1");
            w.PackInto(M, P1, MSite, A);
            return w.Record(M, new ShipPayload([A], MSite, W, WSite));
        }),
        ["ship from a GLN the author does not own"] = new(C.GlnNotOwned, w =>
        {
            w.Commission("1");
            return w.Record(M, new ShipPayload([A], WSite, W, WSite));
        }),
        ["ship an item already in transit"] = new(C.InTransit, w =>
        {
            w.Commission("1");
            w.Ship(M, MSite, W, WSite, A);
            return w.Record(M, new ShipPayload([A], MSite, D, DSite));
        }),
        ["ship a dispensed item"] = new(C.AlreadyInactive, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.Supplied, MSite, A);
            return w.Record(M, new ShipPayload([A], MSite, W, WSite));
        }),
        ["ship a recalled item"] = new(C.TerminalState, w =>
        {
            w.Commission("1");
            w.Must(M, new RecallPayload(Gtin, null, [A], "tampering"));
            return w.Record(M, new ShipPayload([A], MSite, W, WSite));
        }, CustodyAlertKind.ActivityAfterTerminal),
        ["ship a pallet holding a recalled child"] = new(C.TerminalState, w =>
        {
            w.Commission("1");
            w.PackInto(M, P1, MSite, A);
            w.Must(M, new RecallPayload(Gtin, null, [A], "tampering"));
            return w.Record(M, new ShipPayload([P1], MSite, W, WSite));
        }, CustodyAlertKind.ActivityAfterTerminal),
        ["ship an item of a withdrawn product"] = new(C.TerminalState, w =>
        {
            w.Commission("1");
            w.Must(M, new WithdrawPayload(Gtin, null, "authorisation ended"));
            return w.Record(M, new ShipPayload([A], MSite, W, WSite));
        }, CustodyAlertKind.ActivityAfterTerminal),
        // Receive
        ["receive under a Ship that is not certified"] = new(C.ShipNotCertified, w =>
        {
            w.Ctx.CertifyAllShips = false;
            w.Commission("1");
            var ship = w.Ship(M, MSite, W, WSite, A);
            return w.Record(W, new ReceivePayload(ship, [A], WSite));
        }),
        ["receive by a party that is not the recipient"] = new(C.NotRecipient, w =>
        {
            w.Commission("1");
            var ship = w.Ship(M, MSite, W, WSite, A);
            return w.Record(D, new ReceivePayload(ship, [A], DSite));
        }),
        ["receive an item that is not in the Ship"] = new(C.ReceiveMismatch, w =>
        {
            w.Commission("1", "2");
            var ship = w.Ship(M, MSite, W, WSite, A);
            return w.Record(W, new ReceivePayload(ship, [A, B], WSite));
        }, CustodyAlertKind.ReceiveMismatch),
        ["receive a child of a shipped pallet by itself"] = new(C.ReceiveMismatch, w =>
        {
            w.Commission("1");
            w.PackInto(M, P1, MSite, A);
            var ship = w.Ship(M, MSite, W, WSite, P1);
            return w.Record(W, new ReceivePayload(ship, [A], WSite));
        }, CustodyAlertKind.ReceiveMismatch),
        ["receive twice"] = new(C.ReceiveMismatch, w =>
        {
            w.Commission("1");
            var ship = w.Ship(M, MSite, W, WSite, A);
            w.Receive(W, ship, WSite, A);
            return w.Record(W, new ReceivePayload(ship, [A], WSite));
        }, CustodyAlertKind.ReceiveMismatch),
        ["receive at a GLN the recipient does not own"] = new(C.GlnNotOwned, w =>
        {
            w.Commission("1");
            var ship = w.Ship(M, MSite, W, WSite, A);
            return w.Record(W, new ReceivePayload(ship, [A], DSite));
        }),
        ["receive an item recalled in transit"] = new(C.TerminalState, w =>
        {
            w.Commission("1");
            var ship = w.Ship(M, MSite, W, WSite, A);
            w.Must(R, new RecallPayload(Gtin, "L1", null, "sterility"));
            return w.Record(W, new ReceivePayload(ship, [A], WSite));
        }, CustodyAlertKind.ActivityAfterTerminal),
        // Decommission
        ["decommission by a party that does not hold the item"] = new(C.NotCustodian, w =>
        {
            w.Commission("1");
            return w.Record(D, new DecommissionPayload([A], DecommissionState.Supplied, DSite));
        }),
        ["decommission into the state the item already has"] = new(C.StatusAlreadySet, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.Locked, MSite, A);
            return w.Record(M, new DecommissionPayload([A], DecommissionState.Locked, MSite));
        }),
        ["decommission an already inactive item"] = new(C.AlreadyInactive, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.Exported, MSite, A);
            return w.Record(M, new DecommissionPayload([A], DecommissionState.Locked, MSite));
        }),
        ["dispense a pack marked Sample"] = new(C.StatusChangeNotPossible, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.Sample, MSite, A);
            return w.Record(M, new DecommissionPayload([A], DecommissionState.Supplied, MSite));
        }),
        ["dispense a pack marked FreeSample"] = new(C.StatusChangeNotPossible, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.FreeSample, MSite, A);
            return w.Record(M, new DecommissionPayload([A], DecommissionState.Supplied, MSite));
        }),
        ["report a destroyed pack stolen"] = new(C.TerminalState, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.Destroyed, MSite, A);
            return w.Record(M, new DecommissionPayload([A], DecommissionState.Stolen, MSite));
        }, CustodyAlertKind.ActivityAfterTerminal),
        ["decommission an item in transit"] = new(C.InTransit, w =>
        {
            w.Commission("1");
            w.Ship(M, MSite, W, WSite, A);
            return w.Record(M, new DecommissionPayload([A], DecommissionState.Stolen, MSite));
        }),
        ["dispense an expired pack"] = new(C.Expired, w =>
        {
            w.CommissionLot("L1", "260131", "1");
            return w.Record(M, new DecommissionPayload([A], DecommissionState.Supplied, MSite), time: T0 + 40 * Day);
        }),
        ["export an expired pack"] = new(C.Expired, w =>
        {
            w.CommissionLot("L1", "260100", "1");
            return w.Record(M, new DecommissionPayload([A], DecommissionState.Exported, MSite), time: T0 + 31 * Day);
        }),
        ["decommission a pallet that holds items"] = new(C.HasChildren, w =>
        {
            w.Commission("1");
            w.PackInto(M, P1, MSite, A);
            return w.Record(M, new DecommissionPayload([P1], DecommissionState.Destroyed, MSite));
        }),
        ["decommission of a recalled pack"] = new(C.TerminalState, w =>
        {
            w.Commission("1");
            w.Must(M, new RecallPayload(Gtin, "L1", null, "sterility"));
            return w.Record(M, new DecommissionPayload([A], DecommissionState.Supplied, MSite));
        }, CustodyAlertKind.ActivityAfterTerminal),
        // Reactivate
        ["undo of an Active pack"] = new(C.UndoStatusMismatch, w =>
        {
            w.Commission("1");
            return w.Record(M, new ReactivatePayload([A], MSite));
        }),
        ["undo of a Stolen pack"] = new(C.UndoStatusMismatch, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.Stolen, MSite, A);
            return w.Record(M, new ReactivatePayload([A], MSite));
        }, CustodyAlertKind.ActivityAfterTerminal),
        ["undo of a Destroyed pack"] = new(C.UndoStatusMismatch, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.Destroyed, MSite, A);
            return w.Record(M, new ReactivatePayload([A], MSite));
        }, CustodyAlertKind.ActivityAfterTerminal),
        ["undo of a dispensed pack whose lot was then recalled"] = new(C.UndoStatusMismatch, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.Supplied, MSite, A);
            w.Must(M, new RecallPayload(Gtin, "L1", null, "sterility"));
            return w.Record(M, new ReactivatePayload([A], MSite));
        }, CustodyAlertKind.ActivityAfterTerminal),
        ["undo of a withdrawn pack"] = new(C.UndoStatusMismatch, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.Locked, MSite, A);
            w.Must(M, new WithdrawPayload(Gtin, null, "authorisation ended"));
            return w.Record(M, new ReactivatePayload([A], MSite));
        }, CustodyAlertKind.ActivityAfterTerminal),
        ["undo of a pack that has expired since"] = new(C.UndoStatusMismatch, w =>
        {
            w.CommissionLot("L1", "260105", "1");
            w.Decommission(M, DecommissionState.Locked, MSite, A);
            return w.Record(M, new ReactivatePayload([A], MSite), time: T0 + 7 * Day);
        }),
        ["undo by a different party"] = new(C.UndoDifferentUser, w =>
        {
            var (_, _, _, c) = w.PalletAtWholesaler();
            w.Decommission(M, DecommissionState.Supplied, MSite, c);
            return w.Record(W, new ReactivatePayload([c], WSite));
        }),
        ["undo at a different location"] = new(C.UndoDifferentUser, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.Supplied, MSite, A);
            return w.Record(M, new ReactivatePayload([A], MSite2));
        }),
        ["undo 10 days and 1 ms after the dispense"] = new(C.UndoTimeExceeded, w =>
        {
            w.Commission("1");
            w.Must(M, new DecommissionPayload([A], DecommissionState.Supplied, MSite), time: T0 + Day);
            return w.Record(M, new ReactivatePayload([A], MSite), time: T0 + Day + CustodyRules.UndoWindowMs + 1);
        }),
        ["undo of a sample after 11 days"] = new(C.UndoTimeExceeded, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.Sample, MSite, A);
            return w.Record(M, new ReactivatePayload([A], MSite), time: w.Time + 11 * Day);
        }),
        ["undo at a GLN the author does not own"] = new(C.GlnNotOwned, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.Supplied, MSite, A);
            return w.Record(M, new ReactivatePayload([A], WSite));
        }),
        // Recall and Withdraw
        ["recall by a party that is neither brand owner nor regulator"] = new(C.NotAuthorised, w => w.Record(W, new RecallPayload(Gtin, "L1", null, "rumour"))),
        ["recall by a party holding only a delegation"] = new(C.NotAuthorised, w => w.Record(M2, new RecallPayload(Gtin2, "L1", null, "rumour"))),
        ["recall a serial twice"] = new(C.StatusAlreadySet, w =>
        {
            w.Commission("1");
            w.Must(M, new RecallPayload(Gtin, null, [A], "tampering"));
            return w.Record(M, new RecallPayload(Gtin, null, [A], "tampering"));
        }),
        ["recall a destroyed serial"] = new(C.TerminalState, w =>
        {
            w.Commission("1");
            w.Decommission(M, DecommissionState.Destroyed, MSite, A);
            return w.Record(M, new RecallPayload(Gtin, null, [A], "tampering"));
        }, CustodyAlertKind.ActivityAfterTerminal),
        ["recall an unknown serial"] = new(C.UnknownItem, w => w.Record(M, new RecallPayload(Gtin, null, [A], "tampering"))),
        ["withdraw by a party that is neither brand owner nor regulator"] = new(C.NotAuthorised, w => w.Record(D, new WithdrawPayload(Gtin, null, "rumour"))),
        // Observation
        ["observation by a party that neither holds the item nor is at its location"] = new(C.NotCustodian, w =>
        {
            w.Commission("1");
            return w.Record(W, new ObservationPayload([A], WSite, [new SensorReading("Temperature", "4", "CEL", w.Time)]));
        }),
        ["observation of an unknown item"] = new(C.UnknownItem, w => w.Record(M, new ObservationPayload([C3], MSite, [new SensorReading("Temperature", "4", "CEL", T0)]))),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Apply_ForbiddenTransition_RejectedWithCodeAndNoStateChange(string name)
    {
        var c = Cases[name];
        var w = new CustodyWorld();
        var record = c.Build(w);
        var before = w.Ctx.Items.ToDictionary();
        var lotsBefore = w.Ctx.Lots;

        var outcome = w.Ctx.Apply(record);

        Assert.False(outcome.IsAccepted, $"{name}: accepted, expected {c.Code}");
        Assert.Equal(c.Code, outcome.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Message));
        Assert.Empty(outcome.Updates);
        Assert.Null(outcome.Lots);
        Assert.Equal(before, w.Ctx.Items.ToDictionary());
        Assert.Equal(lotsBefore, w.Ctx.Lots);
        if (c.Alert is { } kind)
            Assert.Contains(outcome.Alerts, a => a.Kind == kind && a.Record == record.Id);
        else
            Assert.Empty(outcome.Alerts);
    }

    [Fact]
    public void Apply_RejectionMessage_NamesTheItem()
    {
        var w = new CustodyWorld();
        w.Commission("1");
        var outcome = w.Apply(W, new ShipPayload([A], WSite, D, DSite));
        Assert.Contains(A.ToString(), outcome.Message, StringComparison.Ordinal);
    }
}
