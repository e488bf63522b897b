using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Xunit;

namespace Ledger.Engine.Tests.Consortium;

public sealed class ConsortiumDirectoryTests
{
    private static readonly PrivateKey NodeKey = PrivateKey.FromBytes(Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly PrivateKey MakerKey = PrivateKey.FromBytes(Enumerable.Repeat((byte)2, 32).ToArray());
    private static readonly PrivateKey RegulatorKey = PrivateKey.FromBytes(Enumerable.Repeat((byte)3, 32).ToArray());

    private static ConsortiumDirectory Directory() => new(new ConsortiumDefinition("test", 1,
        [new ConsortiumNode("n1", NodeKey.Address, "")],
        [
            new Party("maker", MakerKey.Address, PartyRoles.Manufacturer, ["0614141000005"], ["0614141"], [], NodeKey.Address),
            new Party("fda", RegulatorKey.Address, PartyRoles.Regulator, [], [], [], NodeKey.Address),
        ]));

    [Fact]
    public void BrandOwnerOf_GtinUnderPrefix_SkipsIndicatorDigit()
    {
        var d = Directory();
        Assert.Equal("maker", d.BrandOwnerOf("00614141123452")?.Name);
        Assert.Equal("maker", d.BrandOwnerOf("10614141123459")?.Name);
        Assert.Null(d.BrandOwnerOf("00614142123451"));
    }

    [Fact]
    public void Lookups_UnknownParty_AreEmpty()
    {
        var d = Directory();
        var stranger = PrivateKey.FromBytes(Enumerable.Repeat((byte)9, 32).ToArray()).Address;
        Assert.Null(d.Find(stranger));
        Assert.Empty(d.Glns(stranger));
        Assert.Equal(PartyRoles.None, d.Roles(stranger));
        Assert.Equal(PartyRoles.Regulator, d.Roles(RegulatorKey.Address));
        Assert.Equal("maker", d.OwnerOfGln("0614141000005")?.Name);
        Assert.Equal(1, d.Definition.Quorum);
    }
}
