using Ledger.Engine.Replication;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Cluster.Tests;

/// <summary>The envelope of docs/spec/cluster.md §1: its vector, and every refusal naming its field and rule.</summary>
public sealed class PeerEnvelopeTests
{
    public static readonly PrivateKey Node0 = Key(0x61);
    public static readonly PrivateKey Node1 = Key(0x62);
    public static readonly PrivateKey Outsider = Key(0x69);
    public static readonly IReadOnlySet<Address> Members = new HashSet<Address> { Node0.Address, Node1.Address };

    /// <summary>The vector's message: kind 1 (block) with the payload 0x010203 (the envelope does not look inside).</summary>
    public static readonly ConsortiumMessage Message = new(ConsortiumMessageKind.Block, [1, 2, 3]);

    public static PrivateKey Key(byte b) => PrivateKey.FromBytes([.. Enumerable.Repeat(b, 31).Prepend((byte)0x20)]);

    [Fact]
    public void Seal_Vector_MatchesTheSpec()
    {
        var envelope = PeerEnvelope.Seal(Message, Node0);
        Assert.Equal(VectorHex, Hex.Encode(envelope.Encode()));
        Assert.Equal(Message.Encode(), PeerEnvelope.Decode(Hex.Decode(VectorHex)).Open(Members, Node1.Address).Encode());
    }

    /// <summary>docs/spec/cluster.md §1, vector 1 (node key 0x20 ‖ 0x61×31).</summary>
    public const string VectorHex = "f86001947cfab9a363e6924f38317641d84bb091f46e57d186c50183010203b841cc87021b689dc57610cad07c83685c11002c4d6adb980e7232e3b076626a9ef41c03f019e3f7af050c4cdb5ccdcce7079850a3cd69bc51cd4f21c6e8070b803301";

    [Fact]
    public void Open_TamperedMessage_RefusedAsSignature()
    {
        var envelope = PeerEnvelope.Seal(Message, Node0);
        var tampered = envelope with { Message = new ConsortiumMessage(ConsortiumMessageKind.Block, [1, 2, 4]).Encode() };
        var e = Assert.Throws<PeerEnvelopeException>(() => tampered.Open(Members, Node1.Address));
        Assert.Equal(("envelope.signature", "signature"), (e.Field, e.Rule));
    }

    [Fact]
    public void Open_SignedByAnotherMemberForThisSender_RefusedAsSignature()
    {
        var byNode1 = PeerEnvelope.Seal(Message, Node1);
        var claimed = byNode1 with { Sender = Node0.Address };
        var e = Assert.Throws<PeerEnvelopeException>(() => claimed.Open(Members, Node1.Address));
        Assert.Equal("signature", e.Rule);
    }

    [Fact]
    public void Open_NonMember_RefusedAsNotAMember()
    {
        var e = Assert.Throws<PeerEnvelopeException>(() => PeerEnvelope.Seal(Message, Outsider).Open(Members, Node1.Address));
        Assert.Equal(("envelope.sender", "not-a-member"), (e.Field, e.Rule));
    }

    [Fact]
    public void Open_FromItself_Refused()
    {
        var e = Assert.Throws<PeerEnvelopeException>(() => PeerEnvelope.Seal(Message, Node1).Open(Members, Node1.Address));
        Assert.Equal("self", e.Rule);
    }

    [Fact]
    public void Decode_WrongVersionOrShape_RefusedNamingTheField()
    {
        var bytes = PeerEnvelope.Seal(Message, Node0).Encode();
        var wrongVersion = (byte[])bytes.Clone();
        // RLP list header (long form for a list over 55 bytes: 0xf8 len), then the version item 0x01.
        Assert.Equal(0x01, wrongVersion[2]);
        wrongVersion[2] = 0x02;
        var e = Assert.Throws<PeerEnvelopeException>(() => PeerEnvelope.Decode(wrongVersion));
        Assert.Equal(("envelope.version", "version"), (e.Field, e.Rule));
        var m = Assert.Throws<PeerEnvelopeException>(() => PeerEnvelope.Decode([0xc0]));
        Assert.Equal("malformed", m.Rule);
    }
}
