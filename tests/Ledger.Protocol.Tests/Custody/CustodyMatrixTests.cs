using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Protocol.Tests.Custody.CustodyWorld;

namespace Ledger.Protocol.Tests.Custody;

/// <summary>
/// The status × kind table of docs/spec/custody.md §4.1, cell by cell: the author is the custodian (or decommissioning
/// party), at the item's location, with correct deps, so only the item's status decides.
/// A cell is an error code, "=Status" (accepted, new status) or "-" (accepted, status unchanged).
/// </summary>
public class CustodyMatrixTests
{
    private static readonly ItemId A = Pack("1");

    private static readonly string[] Kinds = ["PackChild", "Ship", "DecommissionSupplied", "DecommissionDestroyed", "Reactivate", "RecallSerial", "Verify", "Observation"];

    private const string P06 = CustodyErrorCodes.UndoStatusMismatch, P19 = CustodyErrorCodes.StatusAlreadySet,
        P22 = CustodyErrorCodes.AlreadyInactive, P27 = CustodyErrorCodes.StatusChangeNotPossible, T = CustodyErrorCodes.TerminalState,
        Tr = CustodyErrorCodes.InTransit, U = CustodyErrorCodes.UnknownItem;

    private static readonly Dictionary<string, string[]> Table = new()
    {
        //                PackChild, Ship,        DecSupplied,  DecDestroyed,  Reactivate, RecallSerial, Verify, Observation
        ["Active"] = ["-", "=InTransit", "=Supplied", "=Destroyed", P06, "=Recalled", "-", "-"],
        ["InTransit"] = [Tr, Tr, Tr, Tr, P06, "=Recalled", "-", "-"],
        ["Supplied"] = [P22, P22, P19, P22, "=Active", "=Recalled", "-", "-"],
        ["Exported"] = [P22, P22, P22, P22, "=Active", "=Recalled", "-", "-"],
        ["CheckedOut"] = [P22, P22, P22, P22, "=Active", "=Recalled", "-", "-"],
        ["Locked"] = [P22, P22, P22, P22, "=Active", "=Recalled", "-", "-"],
        ["Sample"] = [P22, P22, P27, P22, "=Active", "=Recalled", "-", "-"],
        ["FreeSample"] = [P22, P22, P27, P22, "=Active", "=Recalled", "-", "-"],
        ["Destroyed"] = [T, T, T, P19, P06, T, "-", "-"],
        ["Stolen"] = [T, T, T, T, P06, T, "-", "-"],
        ["Recalled"] = [T, T, T, T, P06, P19, "-", "-"],
        ["Withdrawn"] = [T, T, T, T, P06, T, "-", "-"],
        ["unknown"] = [U, U, U, U, U, U, "-", U],
    };

    public static TheoryData<string, string> Cells()
    {
        var data = new TheoryData<string, string>();
        foreach (var status in Table.Keys)
            foreach (var kind in Kinds)
                data.Add(status, kind);
        return data;
    }

    private static void Reach(CustodyWorld w, string status)
    {
        if (status == "unknown")
            return;
        w.Commission("1");
        switch (status)
        {
            case "Active":
                break;
            case "InTransit":
                w.Ship(M, MSite, W, WSite, A);
                break;
            case "Recalled":
                w.Must(M, new RecallPayload(Gtin, null, [A], "tampering"));
                break;
            case "Withdrawn":
                w.Must(R, new WithdrawPayload(Gtin, "L1", "quality"));
                break;
            default:
                w.Decommission(M, Enum.Parse<DecommissionState>(status), MSite, A);
                break;
        }
        Assert.Equal(Enum.Parse<ItemStatus>(status), w.Status(A));
    }

    private static RecordPayload Payload(string kind, CustodyWorld w) => kind switch
    {
        "PackChild" => new PackPayload(Pallet("1"), [A], MSite),
        "Ship" => new ShipPayload([A], MSite, D, DSite),
        "DecommissionSupplied" => new DecommissionPayload([A], DecommissionState.Supplied, MSite),
        "DecommissionDestroyed" => new DecommissionPayload([A], DecommissionState.Destroyed, MSite),
        "Reactivate" => new ReactivatePayload([A], MSite),
        "RecallSerial" => new RecallPayload(Gtin, null, [A], "tampering"),
        "Verify" => new VerifyPayload(A, null, null, "check", null, null),
        "Observation" => new ObservationPayload([A], MSite, [new SensorReading("Temperature", "4", "CEL", w.Time)]),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public void Apply_StatusByKind_MatchesSpecTable(string status, string kind)
    {
        var expected = Table[status][Array.IndexOf(Kinds, kind)];
        var w = new CustodyWorld();
        Reach(w, status);
        var before = w.Ctx.Get(A);

        var outcome = w.Apply(M, Payload(kind, w));

        if (expected == "-" || expected.StartsWith('='))
        {
            Assert.True(outcome.IsAccepted, $"{status} × {kind}: expected acceptance, got {outcome}");
            var after = w.Ctx.Get(A);
            if (expected == "-")
                Assert.Equal(before?.Status, after?.Status);
            else
                Assert.Equal(Enum.Parse<ItemStatus>(expected[1..]), CustodyRules.EffectiveStatus(after!, w.Ctx.Lots));
        }
        else
        {
            Assert.False(outcome.IsAccepted, $"{status} × {kind}: expected {expected}, got acceptance");
            Assert.Equal(expected, outcome.ErrorCode);
            Assert.Equal(before, w.Ctx.Get(A));
        }
    }
}
