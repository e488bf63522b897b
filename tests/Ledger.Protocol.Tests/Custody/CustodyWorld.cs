using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;
using Xunit;

namespace Ledger.Protocol.Tests.Custody;

/// <summary>A small consortium and helpers that author records with the right deps, for the custody tests.</summary>
internal sealed class CustodyWorld
{
    public const long T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
    public const long Day = 24L * 60 * 60 * 1000;

    public static readonly Address M = Party("manufacturer");
    public static readonly Address M2 = Party("contract-manufacturer");
    public static readonly Address W = Party("wholesaler");
    public static readonly Address D = Party("dispenser");
    public static readonly Address R = Party("regulator");
    public static readonly Address X = Party("stranger");

    public const string MPrefix = "0614141";
    public static readonly string MSite = Gln(MPrefix, "00001");
    public static readonly string MSite2 = Gln(MPrefix, "00002");
    public static readonly string M2Site = Gln("4012345", "00001");
    public static readonly string WSite = Gln("4000001", "00001");
    public static readonly string WSite2 = Gln("4000001", "00002");
    public static readonly string DSite = Gln("5000001", "00001");
    public static readonly string Gtin = Gtin14(MPrefix, "07346");
    public static readonly string Gtin2 = Gtin14(MPrefix, "07347");
    public static readonly string ForeignGtin = Gtin14("4012345", "00011");

    private ulong _nonce;

    public CustodyWorld()
    {
        Ctx = new InMemoryCustodyContext { CertifyAllShips = true }
            .AddParty(M, PartyRoles.Manufacturer, [MSite, MSite2], [MPrefix])
            .AddParty(M2, PartyRoles.Manufacturer, [M2Site], ["4012345"], [Gtin2])
            .AddParty(W, PartyRoles.Wholesaler, [WSite, WSite2])
            .AddParty(D, PartyRoles.Dispenser, [DSite])
            .AddParty(R, PartyRoles.Regulator, [])
            .AddParty(X, PartyRoles.None, []);
    }

    public InMemoryCustodyContext Ctx { get; }

    public long Time { get; set; } = T0;

    public static Address Party(string label) =>
        PrivateKey.FromBytes(Sha256.Hash(System.Text.Encoding.ASCII.GetBytes("custody-test/" + label)).ToArray()).Address;

    public static string Gln(string prefix, string reference) => WithCheck(prefix + reference);

    public static string Gtin14(string prefix, string reference) => WithCheck("1" + prefix + reference);

    public static string Sscc(string serialReference) => WithCheck("0" + MPrefix + serialReference.PadLeft(9, '0'));

    private static string WithCheck(string s) => s + CheckDigit.Compute(s);

    public static ItemId Pack(string serial, string? gtin = null) => ItemId.Sgtin(gtin ?? Gtin, serial);

    public static ItemId Pallet(string n) => ItemId.Sscc(Sscc(n));

    public ItemState State(ItemId item) => Ctx.Get(item) ?? throw new InvalidOperationException($"{item} is not on the ledger");

    public ItemStatus Status(ItemId item) => CustodyRules.EffectiveStatus(State(item), Ctx.Lots);

    /// <summary>A record whose deps are the latest records of every existing item it names (unless given).</summary>
    public LedgerRecord Record(Address author, RecordPayload payload, long? time = null, IEnumerable<Hash32>? deps = null)
    {
        Time = time ?? Time + 1000;
        deps ??= payload.Items.Select(Ctx.Get).OfType<ItemState>().Select(s => s.LatestRecord).Distinct();
        return new LedgerRecord(author, ++_nonce, Time, payload, deps);
    }

    public CustodyOutcome Apply(Address author, RecordPayload payload, long? time = null) => Ctx.Apply(Record(author, payload, time));

    /// <summary>Applies and requires acceptance; returns the record id.</summary>
    public Hash32 Must(Address author, RecordPayload payload, long? time = null)
    {
        var record = Record(author, payload, time);
        var outcome = Ctx.Apply(record);
        Assert.True(outcome.IsAccepted, $"{record.Kind} expected to be accepted: {outcome}");
        return record.Id;
    }

    public Hash32 Commission(params string[] serials) => CommissionLot("L1", "301231", serials);

    public Hash32 CommissionLot(string lot, string expiry, params string[] serials) => Must(M, new CommissionPayload(Gtin, lot, expiry, MSite, serials));

    public Hash32 PackInto(Address author, ItemId parent, string location, params ItemId[] children) => Must(author, new PackPayload(parent, children, location));

    public Hash32 Ship(Address author, string from, Address to, string toLocation, params ItemId[] items) => Must(author, new ShipPayload(items, from, to, toLocation));

    public Hash32 Receive(Address author, Hash32 ship, string location, params ItemId[] items) => Must(author, new ReceivePayload(ship, items, location));

    public Hash32 Decommission(Address author, DecommissionState state, string location, params ItemId[] items) => Must(author, new DecommissionPayload(items, state, location));

    /// <summary>Commissions 1, 2, 3 at M, packs 1 and 2 into pallet 1, ships it to W, and W receives it.</summary>
    public (ItemId Pallet, ItemId A, ItemId B, ItemId C) PalletAtWholesaler()
    {
        Commission("1", "2", "3");
        var (pallet, a, b, c) = (Pallet("1"), Pack("1"), Pack("2"), Pack("3"));
        PackInto(M, pallet, MSite, a, b);
        var ship = Ship(M, MSite, W, WSite, pallet);
        Receive(W, ship, WSite, pallet);
        return (pallet, a, b, c);
    }
}
