using Ledger.Engine.Replication;
using Ledger.Protocol;
using Xunit;
using static Ledger.Cluster.Tests.PeerEnvelopeTests;

namespace Ledger.Cluster.Tests;

/// <summary>The pull messages of docs/spec/cluster.md §4: vectors 2 and 3 (§5), and refusals naming field and rule.</summary>
public sealed class PullVectorTests
{
    /// <summary>docs/spec/cluster.md §5, vector 2.</summary>
    public const string Vector2Hex = "f87a01947cfab9a363e6924f38317641d84bb091f46e57d1a0df039ddcd8d7947cfab9a363e6924f38317641d84bb091f46e57d10201820100b8410e59b2903466bcb6685cef8bc8bc8d658e64878a13e2f0130fb13bcd4aacb80707f0f07192fabd61665344bfe5eaa6fd2f469e489b4526791952ed57eca7ce8200";

    /// <summary>docs/spec/cluster.md §5, vector 3.</summary>
    public const string Vector3Hex = "f86601947cfab9a363e6924f38317641d84bb091f46e57d18ccb0489c8c6c5830102038001b8414cacdd3bb028f1553091cfbc6c96ab3ebc93191405d9ca35c6ebcdd540e325c466579276ab2fb0be441d6e8b64a918065c47e81eef21aa210c6846bc1f41df6501";

    public static readonly PullRequest Request = new([new LaneMark(Node0.Address, 2, 1)], 256);

    public static readonly RangeAnswer Answer = new([new RangeEntry([1, 2, 3], [])], More: true);

    [Fact]
    public void PullRequest_Vector2_MatchesTheSpecAndRoundTrips()
    {
        var envelope = PeerEnvelope.Seal(ConsortiumMessage.ForPullRequest(Request), Node0);
        Assert.Equal(Vector2Hex, Hex.Encode(envelope.Encode()));
        var message = PeerEnvelope.Decode(Hex.Decode(Vector2Hex)).Open(Members, Node1.Address);
        Assert.Equal(ConsortiumMessageKind.PullRequest, message.Kind);
        var back = PullRequest.Decode(message.Payload);
        Assert.Equal((Request.Lanes.Single(), 256), (back.Lanes.Single(), back.MaxEntries));
    }

    [Fact]
    public void RangeAnswer_Vector3_MatchesTheSpecAndRoundTrips()
    {
        var envelope = PeerEnvelope.Seal(ConsortiumMessage.ForRangeAnswer(Answer), Node0);
        Assert.Equal(Vector3Hex, Hex.Encode(envelope.Encode()));
        var message = PeerEnvelope.Decode(Hex.Decode(Vector3Hex)).Open(Members, Node1.Address);
        Assert.Equal(ConsortiumMessageKind.RangeAnswer, message.Kind);
        var back = RangeAnswer.Decode(message.Payload);
        Assert.True(back.More);
        var entry = Assert.Single(back.Entries);
        Assert.Equal([1, 2, 3], entry.Block);
        Assert.Empty(entry.Certificate);
    }

    [Theory]
    [InlineData("certified-above-held", "pull.lanes[0].certified", "order")]
    [InlineData("lane-twice", "pull.lanes[1].lane", "duplicate-lane")]
    [InlineData("max-zero", "pull.max", "range")]
    [InlineData("short-lane", "pull.lanes[0].lane", "malformed")]
    [InlineData("not-a-list", "pull", "malformed")]
    public void PullRequest_BadField_RefusedNamingFieldAndRule(string what, string field, string rule)
    {
        byte[] bytes = what switch
        {
            "certified-above-held" => new PullRequest([new LaneMark(Node0.Address, 1, 2)], 1).Encode(),
            "lane-twice" => new PullRequest([new LaneMark(Node0.Address, 1, 1), new LaneMark(Node0.Address, 2, 1)], 1).Encode(),
            "max-zero" => new PullRequest([], 0).Encode(),
            "short-lane" => Ledger.Protocol.Rlp.Rlp.Encode(Ledger.Protocol.Rlp.RlpItem.List(
                Ledger.Protocol.Rlp.RlpItem.List(Ledger.Protocol.Rlp.RlpItem.List(Ledger.Protocol.Rlp.RlpItem.Bytes([1, 2]), Ledger.Protocol.Rlp.RlpItem.UInt(0), Ledger.Protocol.Rlp.RlpItem.UInt(0))),
                Ledger.Protocol.Rlp.RlpItem.UInt(1))),
            _ => [0x01],
        };
        var e = Assert.Throws<PullFormatException>(() => PullRequest.Decode(bytes));
        Assert.Equal((field, rule), (e.Field, e.Rule));
    }

    [Fact]
    public void RangeAnswer_EmptyEntryOrBadMore_RefusedNamingFieldAndRule()
    {
        var empty = Assert.Throws<PullFormatException>(() => RangeAnswer.Decode(new RangeAnswer([new RangeEntry([], [])], false).Encode()));
        Assert.Equal(("range.entries[0]", "empty"), (empty.Field, empty.Rule));
        var bytes = new RangeAnswer([], true).Encode();
        bytes[^1] = 2; // more = 2
        var more = Assert.Throws<PullFormatException>(() => RangeAnswer.Decode(bytes));
        Assert.Equal(("range.more", "range"), (more.Field, more.Rule));
    }

    [Fact]
    public void ConsortiumMessage_Kind5_Refused()
    {
        var bytes = new ConsortiumMessage((ConsortiumMessageKind)5, [1]).Encode();
        Assert.Throws<Ledger.Protocol.Rlp.RlpException>(() => ConsortiumMessage.Decode(bytes));
        Assert.Equal(ConsortiumMessageKind.RangeAnswer, ConsortiumMessage.Decode(ConsortiumMessage.ForRangeAnswer(Answer).Encode()).Kind);
    }
}
