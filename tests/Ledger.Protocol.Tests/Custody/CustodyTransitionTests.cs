using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Protocol.Tests.Custody.CustodyWorld;

namespace Ledger.Protocol.Tests.Custody;

/// <summary>Every allowed transition and the state it leaves.</summary>
public class CustodyTransitionTests
{
    private static readonly ItemId A = Pack("1"), B = Pack("2"), C3 = Pack("3"), P1 = Pallet("1"), P2 = Pallet("2");

    [Fact]
    public void Commission_OwnPrefixAndSite_ActiveAtSiteWithLotFacts()
    {
        var w = new CustodyWorld();
        var id = w.Commission("1", "2");
        var s = w.State(A);
        Assert.Equal(ItemStatus.Active, s.Status);
        Assert.Equal(M, s.Custodian);
        Assert.Equal(MSite, s.Location);
        Assert.Equal((Gtin, "L1", "301231"), (s.Gtin, s.Lot, s.Expiry));
        Assert.Equal(id, s.LatestRecord);
        Assert.Null(s.Parent);
        Assert.Equal(ItemStatus.Active, w.Status(B));
    }

    [Fact]
    public void Commission_DelegatedGtin_Accepted()
    {
        var w = new CustodyWorld();
        w.Must(M2, new CommissionPayload(Gtin2, "C1", "301231", M2Site, ["5"]));
        Assert.Equal(M2, w.State(Pack("5", Gtin2)).Custodian);
    }

    [Fact]
    public void Pack_NewSscc_CreatesParentAndLinksChildren()
    {
        var w = new CustodyWorld();
        w.Commission("1", "2", "3");
        w.PackInto(M, P1, MSite, A, B);
        Assert.Equal([A, B], w.State(P1).Children);
        Assert.Equal((ItemStatus.Active, M, MSite), (w.State(P1).Status, w.State(P1).Custodian, w.State(P1).Location));
        Assert.Equal(P1, w.State(A).Parent);
        Assert.Equal(P1, w.State(B).Parent);
        w.PackInto(M, P1, MSite, C3);
        Assert.Equal([A, B, C3], w.State(P1).Children);
        w.PackInto(M, P2, MSite, P1);
        Assert.Equal(P2, w.State(P1).Parent);
    }

    [Fact]
    public void Unpack_EmptyListOrNamedChildren_ReleasesThem()
    {
        var w = new CustodyWorld();
        w.Commission("1", "2", "3");
        w.PackInto(M, P1, MSite, A, B, C3);
        w.Must(M, new UnpackPayload(P1, [B], MSite));
        Assert.Null(w.State(B).Parent);
        Assert.Equal([A, C3], w.State(P1).Children);
        w.Must(M, new UnpackPayload(P1, [], MSite));
        Assert.Empty(w.State(P1).Children);
        Assert.Null(w.State(A).Parent);
        Assert.Null(w.State(C3).Parent);
    }

    [Fact]
    public void ShipAndReceive_Pallet_MovesDescendants()
    {
        var w = new CustodyWorld();
        w.Commission("1", "2");
        w.PackInto(M, P1, MSite, A);
        w.PackInto(M, P2, MSite, P1, B);
        var ship = w.Ship(M, MSite, W, WSite2, P2);
        foreach (var i in new[] { P2, P1, A, B })
        {
            var s = w.State(i);
            Assert.Equal(ItemStatus.InTransit, s.Status);
            Assert.Equal(new PendingShip(ship, W, WSite2), s.PendingShip);
            Assert.Equal(M, s.Custodian);
            Assert.Equal(ship, s.LatestRecord);
        }
        var receive = w.Receive(W, ship, WSite, P2);
        foreach (var i in new[] { P2, P1, A, B })
        {
            var s = w.State(i);
            Assert.Equal((ItemStatus.Active, W, WSite, (PendingShip?)null, receive), (s.Status, s.Custodian, s.Location, s.PendingShip, s.LatestRecord));
        }
        Assert.Equal(P1, w.State(A).Parent);
    }

    [Fact]
    public void Receive_PartOfShip_RestStaysInTransitAndDiscrepanciesAlert()
    {
        var w = new CustodyWorld();
        w.Commission("1", "2");
        var ship = w.Ship(M, MSite, W, WSite, A, B);
        var outcome = w.Ctx.Apply(w.Record(W, new ReceivePayload(ship, [A], WSite, [new Discrepancy(B, DiscrepancyCode.Missing)])));
        Assert.True(outcome.IsAccepted, outcome.ToString());
        Assert.Equal(ItemStatus.Active, w.Status(A));
        Assert.Equal(ItemStatus.InTransit, w.Status(B));
        var alert = Assert.Single(outcome.Alerts);
        Assert.Equal((CustodyAlertKind.ReceiveDiscrepancy, B), (alert.Kind, alert.Item));
        w.Receive(W, ship, WSite, B);
        Assert.Equal(W, w.State(B).Custodian);
    }

    [Fact]
    public void ShipAndReceive_ExpiredPack_AllowedAsReturn()
    {
        var w = new CustodyWorld();
        w.CommissionLot("L1", "260131", "1");
        var outbound = w.Ship(M, MSite, W, WSite, A);
        w.Receive(W, outbound, WSite, A);
        w.Time = T0 + 60 * Day;
        var back = w.Ship(W, WSite, M, MSite, A);
        w.Receive(M, back, MSite, A);
        Assert.True(CustodyRules.IsExpired(w.State(A), w.Time));
        w.Decommission(M, DecommissionState.Destroyed, MSite, A);
        Assert.Equal(ItemStatus.Destroyed, w.Status(A));
    }

    public static TheoryData<DecommissionState, ItemStatus> States() => new()
    {
        { DecommissionState.Supplied, ItemStatus.Supplied },
        { DecommissionState.Destroyed, ItemStatus.Destroyed },
        { DecommissionState.Stolen, ItemStatus.Stolen },
        { DecommissionState.Sample, ItemStatus.Sample },
        { DecommissionState.FreeSample, ItemStatus.FreeSample },
        { DecommissionState.Exported, ItemStatus.Exported },
        { DecommissionState.Locked, ItemStatus.Locked },
        { DecommissionState.CheckedOut, ItemStatus.CheckedOut },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void Decommission_ActivePack_SetsStateAndKeepsUndoFacts(DecommissionState state, ItemStatus expected)
    {
        var w = new CustodyWorld();
        w.Commission("1");
        w.Decommission(M, state, MSite, A);
        var s = w.State(A);
        Assert.Equal(expected, s.Status);
        Assert.Equal(new DecommissionFacts(state, w.Time, M, MSite), s.Decommission);
        Assert.Equal((M, MSite), (s.Custodian, s.Location));
    }

    [Fact]
    public void Decommission_ChildInsidePallet_LeavesThePallet()
    {
        var w = new CustodyWorld();
        var (pallet, a, b, _) = w.PalletAtWholesaler();
        w.Decommission(W, DecommissionState.Destroyed, WSite, a);
        Assert.Null(w.State(a).Parent);
        Assert.Equal([b], w.State(pallet).Children);
    }

    public static TheoryData<DecommissionState> Undoable() =>
        [DecommissionState.Supplied, DecommissionState.Exported, DecommissionState.CheckedOut, DecommissionState.Sample, DecommissionState.FreeSample, DecommissionState.Locked];

    [Theory]
    [MemberData(nameof(Undoable))]
    public void Reactivate_SamePartyAndLocationAtTenDays_Active(DecommissionState state)
    {
        var w = new CustodyWorld();
        w.Commission("1");
        w.Must(M, new DecommissionPayload([A], state, MSite), time: T0 + Day);
        w.Must(M, new ReactivatePayload([A], MSite), time: T0 + Day + CustodyRules.UndoWindowMs);
        Assert.Equal(ItemStatus.Active, w.Status(A));
        Assert.Null(w.State(A).Decommission);
    }

    [Fact]
    public void Reactivate_LockedAfterAYear_Active()
    {
        var w = new CustodyWorld();
        w.Commission("1");
        w.Decommission(M, DecommissionState.Locked, MSite, A);
        w.Must(M, new ReactivatePayload([A], MSite), time: w.Time + 365 * Day);
        Assert.Equal(ItemStatus.Active, w.Status(A));
    }

    [Fact]
    public void Recall_Lot_EveryItemOfTheLotRecalledOthersNot()
    {
        var w = new CustodyWorld();
        w.CommissionLot("L1", "301231", "1", "2");
        w.CommissionLot("L2", "301231", "3");
        w.Must(M, new RecallPayload(Gtin, "L1", null, "sterility"));
        Assert.Equal(ItemStatus.Recalled, w.Status(A));
        Assert.Equal(ItemStatus.Recalled, w.Status(B));
        Assert.Equal(ItemStatus.Active, w.Status(C3));
        Assert.Contains((Gtin, "L1"), w.Ctx.Lots.RecalledLots);
    }

    [Fact]
    public void Recall_SerialByRegulator_OnlyThatSerial()
    {
        var w = new CustodyWorld();
        w.Commission("1", "2");
        w.Must(R, new RecallPayload(Gtin, null, [A], "tampering"));
        Assert.Equal(ItemStatus.Recalled, w.State(A).Status);
        Assert.Equal(ItemStatus.Active, w.Status(B));
    }

    [Fact]
    public void Withdraw_ProductAndLot_WithdrawnAndRecordedAsLotFacts()
    {
        var w = new CustodyWorld();
        w.Commission("1");
        w.Must(M, new WithdrawPayload(Gtin2, "X", "packaging"));
        Assert.Equal(ItemStatus.Active, w.Status(A));
        w.Must(R, new WithdrawPayload(Gtin, null, "authorisation ended"));
        Assert.Equal(ItemStatus.Withdrawn, w.Status(A));
        Assert.True(w.Ctx.Lots.IsWithdrawn(Gtin2, "X"));
        Assert.False(w.Ctx.Lots.IsWithdrawn(Gtin2, "Y"));
    }

    [Fact]
    public void Observation_ByCustodianOrAtLocation_OnlyLatestRecordChanges()
    {
        var w = new CustodyWorld();
        w.Commission("1");
        var ship = w.Ship(M, MSite, W, WSite, A);
        w.Receive(W, ship, WSite, A);
        var before = w.State(A);
        var id = w.Must(W, new ObservationPayload([A], WSite, [new SensorReading("Temperature", "4.5", "CEL", w.Time)]));
        Assert.Equal(before with { LatestRecord = id }, w.State(A));
        w.Ctx.AddParty(X, PartyRoles.None, [WSite]); // e.g. a logistics provider operating the warehouse
        w.Must(X, new ObservationPayload([A], WSite, [new SensorReading("Temperature", "5", "CEL", w.Time)]));
    }

    [Fact]
    public void Expiry_DayZero_MeansLastDayOfMonth()
    {
        var s = new ItemState(A, ItemStatus.Active, M, MSite, default) { Expiry = "270200" };
        var feb28 = new DateTimeOffset(2027, 2, 28, 23, 59, 59, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Assert.False(CustodyRules.IsExpired(s, feb28));
        Assert.True(CustodyRules.IsExpired(s, feb28 + 1000));
        Assert.False(CustodyRules.IsExpired(new ItemState(P1, ItemStatus.Active, M, MSite, default), feb28));
    }

    [Fact]
    public void StaleDependency_CheckedAgainstStoredChainNotRecordOrder()
    {
        var w = new CustodyWorld();
        var commission = w.Commission("1");
        var record = w.Record(M, new ShipPayload([A], MSite, W, WSite), deps: [commission, w.Commission("2")]);
        Assert.True(w.Ctx.Apply(record).IsAccepted);
    }
}
