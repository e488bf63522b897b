using System.Security.Cryptography;
using System.Text;
using Ledger.Protocol.Consortium;
using Ledger.Node.Parties;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Xunit;

namespace Ledger.Node.Tests.Parties;

public sealed class HostedPartiesTests : IDisposable
{
    private static readonly Address NodeAddress = PrivateKey.FromBytes(Enumerable.Repeat((byte)1, 32).ToArray()).Address;
    private static readonly Address OtherNode = PrivateKey.FromBytes(Enumerable.Repeat((byte)2, 32).ToArray()).Address;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ledger-parties-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static ConsortiumDirectory Consortium(params (string Name, Address Address, Address Node)[] parties) => new(new ConsortiumDefinition("t", 1,
        [new ConsortiumNode("n1", NodeAddress, ""), new ConsortiumNode("n2", OtherNode, "")],
        [.. parties.Select(p => new Party(p.Name, p.Address, PartyRoles.Manufacturer, [], [], [], p.Node))]));

    private static string Token(HostedPartyFiles files) => File.ReadAllText(files.TokenPath).TrimEnd('\n');

    [Fact]
    public void Create_NewParty_WritesOwnerOnlyKeyAndWellFormedToken()
    {
        var files = HostedParties.Create(_dir.FullName, "acme");
        Assert.Equal(Path.Combine(_dir.FullName, "parties", "acme.key"), files.KeyPath);
        Assert.Equal(Path.Combine(_dir.FullName, "tokens", "acme.token"), files.TokenPath);
        Assert.Equal(files.Address, KeyFile.Load(files.KeyPath, ownerOnly: true).Address);
        var text = File.ReadAllText(files.TokenPath);
        Assert.Matches("^ledger_[A-Za-z0-9_-]{43}\n$", text);
        Assert.True(HostedParties.IsWellFormedToken(text.TrimEnd('\n')));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files.KeyPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files.TokenPath));
        }
        Assert.NotEqual(text, File.ReadAllText(HostedParties.Create(_dir.FullName, "beta").TokenPath));
    }

    [Fact]
    public void Create_ExistingToken_RefusesAndWritesNoKey()
    {
        Directory.CreateDirectory(Path.Combine(_dir.FullName, "tokens"));
        File.WriteAllText(HostedParties.TokenPath(_dir.FullName, "acme"), "x");
        var e = Assert.Throws<NodeConfigurationException>(() => HostedParties.Create(_dir.FullName, "acme"));
        Assert.Equal(("tokens/acme.token", "exists"), (e.Field, e.Rule));
        Assert.False(File.Exists(HostedParties.KeyPath(_dir.FullName, "acme")));
    }

    [Fact]
    public void Load_CreatedParties_AuthenticatesEachTokenToItsParty()
    {
        var acme = HostedParties.Create(_dir.FullName, "acme");
        var beta = HostedParties.Create(_dir.FullName, "beta");
        var hosted = HostedParties.Load(_dir.FullName, Consortium(("acme", acme.Address, NodeAddress), ("beta", beta.Address, NodeAddress)), NodeAddress);

        Assert.Equal(["acme", "beta"], hosted.All.Select(p => p.Name));
        Assert.True(hosted.TryAuthenticate(Token(beta), out var who));
        Assert.Equal(beta.Address, who.Address);
        Assert.Equal(beta.Address, who.Key.Address);
        Assert.True(hosted.TryAuthenticate(Token(acme), out who));
        Assert.Equal("acme", who.Name);
        Assert.Same(hosted.Find(acme.Address), hosted.All[0]);
        Assert.Null(hosted.Find(OtherNode));
    }

    [Fact]
    public void TryAuthenticate_WrongOrAlteredToken_Fails()
    {
        var acme = HostedParties.Create(_dir.FullName, "acme");
        var hosted = HostedParties.Load(_dir.FullName, Consortium(("acme", acme.Address, NodeAddress)));
        var token = Token(acme);
        var altered = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');
        Assert.False(hosted.TryAuthenticate(altered, out _));
        Assert.False(hosted.TryAuthenticate(token + "\n", out _));
        Assert.False(hosted.TryAuthenticate("", out _));
        Assert.False(hosted.TryAuthenticate(null, out _));
    }

    [Fact]
    public void ToString_HostedParty_ContainsNeitherKeyNorToken()
    {
        var acme = HostedParties.Create(_dir.FullName, "acme");
        var hosted = HostedParties.Load(_dir.FullName, Consortium(("acme", acme.Address, NodeAddress)));
        var party = hosted.All[0];
        var text = party + " " + party.Key;
        Assert.DoesNotContain(Token(acme)[7..], text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(party.Key.ToBytes()), text.ToLowerInvariant(), StringComparison.Ordinal);
        Assert.Contains("acme", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KeyOfAnotherAddress_ThrowsMismatch()
    {
        HostedParties.Create(_dir.FullName, "acme");
        var e = Assert.Throws<NodeConfigurationException>(() => HostedParties.Load(_dir.FullName, Consortium(("acme", OtherNode, NodeAddress))));
        Assert.Equal(("parties/acme.key", "mismatch"), (e.Field, e.Rule));
    }

    [Fact]
    public void Load_PartyNotInConsortium_ThrowsUnknownParty()
    {
        var acme = HostedParties.Create(_dir.FullName, "acme");
        HostedParties.Create(_dir.FullName, "ghost");
        var e = Assert.Throws<NodeConfigurationException>(() => HostedParties.Load(_dir.FullName, Consortium(("acme", acme.Address, NodeAddress))));
        Assert.Equal(("parties/ghost.key", "unknown-party"), (e.Field, e.Rule));
    }

    [Fact]
    public void Load_PartyHostedByAnotherNode_ThrowsNotHosted()
    {
        var acme = HostedParties.Create(_dir.FullName, "acme");
        var e = Assert.Throws<NodeConfigurationException>(() => HostedParties.Load(_dir.FullName, Consortium(("acme", acme.Address, OtherNode)), NodeAddress));
        Assert.Equal(("parties/acme.key", "not-hosted"), (e.Field, e.Rule));
    }

    [Fact]
    public void Load_MissingOrMalformedOrOpenToken_Throws()
    {
        var acme = HostedParties.Create(_dir.FullName, "acme");
        var consortium = Consortium(("acme", acme.Address, NodeAddress));
        var token = File.ReadAllText(acme.TokenPath);

        File.WriteAllText(acme.TokenPath, "ledger_short\n");
        Assert.Equal("format", Assert.Throws<NodeConfigurationException>(() => HostedParties.Load(_dir.FullName, consortium)).Rule);

        if (!OperatingSystem.IsWindows())
        {
            File.WriteAllText(acme.TokenPath, token);
            File.SetUnixFileMode(acme.TokenPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            Assert.Equal("mode", Assert.Throws<NodeConfigurationException>(() => HostedParties.Load(_dir.FullName, consortium)).Rule);
        }

        File.Delete(acme.TokenPath);
        var e = Assert.Throws<NodeConfigurationException>(() => HostedParties.Load(_dir.FullName, consortium));
        Assert.Equal(("tokens/acme.token", "missing"), (e.Field, e.Rule));
    }

    [Fact]
    public void IsWellFormedToken_OtherShapes_False()
    {
        var good = "ledger_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.True(HostedParties.IsWellFormedToken(good));
        Assert.False(HostedParties.IsWellFormedToken("token_" + good[6..]));
        Assert.False(HostedParties.IsWellFormedToken(good[..^1] + "+"));
        Assert.False(HostedParties.IsWellFormedToken(good + "A"));
        Assert.False(HostedParties.IsWellFormedToken(Encoding.ASCII.GetString(new byte[50])));
    }
}
