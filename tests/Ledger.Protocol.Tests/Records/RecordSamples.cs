using Ledger.Protocol.Crypto;
using Ledger.Protocol.Records;

namespace Ledger.Protocol.Tests.Records;

/// <summary>Deterministic sample records of every kind, used by round-trip tests and the golden vectors.</summary>
internal static class RecordSamples
{
    // Keys derived from fixed strings so vectors are reproducible: private key = SHA-256(ASCII label).
    public static PrivateKey Key(string label) => PrivateKey.FromBytes(Sha256.Hash(System.Text.Encoding.ASCII.GetBytes(label)).ToArray());

    public static readonly PrivateKey Manufacturer = Key("ledger-test/manufacturer");
    public static readonly PrivateKey Wholesaler = Key("ledger-test/wholesaler");
    public static readonly PrivateKey Node = Key("ledger-test/node-1");

    public const string Gtin = "10614141073464";
    public const string Site = "0614141073467";
    public const string WarehouseGln = "0614141000005";
    public const string Sscc = "006141411234567890";
    public const long T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    public static ItemId Pack(string serial) => ItemId.Sgtin(Gtin, serial);

    public static IReadOnlyList<LedgerRecord> OneOfEachKind()
    {
        var m = Manufacturer.Address;
        var w = Wholesaler.Address;
        var commission = new LedgerRecord(m, 1, T0, new CommissionPayload(Gtin, "LOT-A1", "270331", Site, ["1001", "1002", "1003"]));
        var pack = new LedgerRecord(m, 2, T0 + 1000, new PackPayload(ItemId.Sscc(Sscc), [Pack("1002"), Pack("1001")], Site), [commission.Id]);
        var ship = new LedgerRecord(m, 3, T0 + 2000,
            new ShipPayload([ItemId.Sscc(Sscc)], Site, w, WarehouseGln, [new BusinessTransaction("po", "urn:epcglobal:cbv:bt:0614141000005:PO-77")]), [pack.Id]);
        var receive = new LedgerRecord(w, 4, T0 + 3000,
            new ReceivePayload(ship.Id, [ItemId.Sscc(Sscc)], WarehouseGln, [new Discrepancy(Pack("1001"), DiscrepancyCode.Damaged)]), [ship.Id]);
        var unpack = new LedgerRecord(w, 5, T0 + 4000, new UnpackPayload(ItemId.Sscc(Sscc), [], WarehouseGln), [receive.Id]);
        var verify = new LedgerRecord(w, 6, T0 + 5000, new VerifyPayload(Pack("1002"), "LOT-A1", "270331", "dscsaSaleableReturn", WarehouseGln, "4a5b0f1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b"), [unpack.Id]);
        var decommission = new LedgerRecord(w, 7, T0 + 6000, new DecommissionPayload([Pack("1002")], DecommissionState.Supplied, WarehouseGln, "dispensed"), [verify.Id]);
        var reactivate = new LedgerRecord(w, 8, T0 + 7000, new ReactivatePayload([Pack("1002")], WarehouseGln, "dispensed in error"), [decommission.Id]);
        var recall = new LedgerRecord(m, 9, T0 + 8000, new RecallPayload(Gtin, "LOT-A1", null, "sterility"), [commission.Id]);
        var withdraw = new LedgerRecord(m, 10, T0 + 9000, new WithdrawPayload(Gtin, "", "marketing authorisation ended"));
        var observe = new LedgerRecord(w, 11, T0 + 10000, new ObservationPayload([Pack("1003")], WarehouseGln,
            [new SensorReading("Temperature", "4.5", "CEL", T0 + 9500), new SensorReading("Temperature", "-0.25", "CEL", T0 + 9900)]), [commission.Id]);
        return [commission, pack, ship, receive, unpack, verify, decommission, reactivate, recall, withdraw, observe];
    }
}
