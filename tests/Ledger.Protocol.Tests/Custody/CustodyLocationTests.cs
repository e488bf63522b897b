using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Xunit;

namespace Ledger.Protocol.Tests.Custody;

/// <summary>Goods move between one party's own sites without a record; a record at another party's site is refused.</summary>
public sealed class CustodyLocationTests
{
    private static readonly PrivateKey Maker = PrivateKey.FromBytes(Enumerable.Repeat((byte)0x21, 32).ToArray());
    private static readonly PrivateKey Other = PrivateKey.FromBytes(Enumerable.Repeat((byte)0x22, 32).ToArray());
    private const string Line = "0614141000005", Dock = "0614141000012", OtherSite = "0614141000029";
    private const string Gtin = "00614141123452";
    private static readonly ItemId A = ItemId.Sgtin(Gtin, "1");
    private static readonly ItemId Case = ItemId.Sscc("106141412345678908");
    private ulong _nonce;

    private static InMemoryCustodyContext Context() => new InMemoryCustodyContext { CertifyAllShips = true }
        .AddParty(Maker.Address, PartyRoles.Manufacturer, [Line, Dock], ["0614141"])
        .AddParty(Other.Address, PartyRoles.Wholesaler, [OtherSite]);

    private LedgerRecord Record(InMemoryCustodyContext c, PrivateKey author, RecordPayload payload) =>
        new(author.Address, ++_nonce, 1_790_000_000_000 + (long)_nonce, payload,
            [.. payload.Items.Select(c.Get).OfType<ItemState>().Select(s => s.LatestRecord).Distinct()]);

    [Fact]
    public void Pack_AtAnotherOwnSite_IsAcceptedAndMovesTheChildren()
    {
        var c = Context();
        Assert.True(c.Apply(Record(c, Maker, new CommissionPayload(Gtin, "L1", "301231", Line, ["1"]))).IsAccepted);
        var pack = c.Apply(Record(c, Maker, new PackPayload(Case, [A], Dock)));
        Assert.True(pack.IsAccepted, pack.Message);
        Assert.Equal(Dock, c.Get(A)!.Location);
        Assert.Equal(Dock, c.Get(Case)!.Location);
    }

    [Fact]
    public void Ship_FromAnotherOwnSite_SetsTheShipFromLocation()
    {
        var c = Context();
        c.Apply(Record(c, Maker, new CommissionPayload(Gtin, "L1", "301231", Line, ["1"])));
        var ship = c.Apply(Record(c, Maker, new ShipPayload([A], Dock, Other.Address, OtherSite)));
        Assert.True(ship.IsAccepted, ship.Message);
        Assert.Equal(Dock, c.Get(A)!.Location);
        Assert.Equal(ItemStatus.InTransit, c.Get(A)!.Status);
    }

    [Fact]
    public void Decommission_AtAnotherOwnSite_RecordsThatSite()
    {
        var c = Context();
        c.Apply(Record(c, Maker, new CommissionPayload(Gtin, "L1", "301231", Line, ["1"])));
        var d = c.Apply(Record(c, Maker, new DecommissionPayload([A], DecommissionState.Destroyed, Dock)));
        Assert.True(d.IsAccepted, d.Message);
        Assert.Equal(Dock, c.Get(A)!.Location);
        Assert.Equal(Dock, c.Get(A)!.Decommission!.Location);
    }

    [Fact]
    public void Pack_AtSiteOfAnotherParty_IsRefusedAndChangesNothing()
    {
        var c = Context();
        c.Apply(Record(c, Maker, new CommissionPayload(Gtin, "L1", "301231", Line, ["1"])));
        var before = c.Get(A);
        var pack = c.Apply(Record(c, Maker, new PackPayload(Case, [A], OtherSite)));
        Assert.False(pack.IsAccepted);
        Assert.Equal(CustodyErrorCodes.GlnNotOwned, pack.ErrorCode);
        Assert.Equal(before, c.Get(A));
        Assert.Null(c.Get(Case));
    }
}
