using System.Text;
using System.Text.Json.Nodes;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Xunit;

namespace Ledger.Engine.Tests.Consortium;

public sealed class ConsortiumSigningTests
{
    private static readonly PrivateKey[] NodeKeys = [.. Enumerable.Range(1, 4).Select(i => PrivateKey.FromBytes(Enumerable.Repeat((byte)i, 32).ToArray()))];
    private static readonly PrivateKey PartyKey = PrivateKey.FromBytes(Enumerable.Repeat((byte)9, 32).ToArray());

    private static ConsortiumDefinition Four(long version = 1) => new(
        "devnet", version,
        [.. NodeKeys.Select((k, i) => new ConsortiumNode($"node-{i + 1}", k.Address, "") { Cluster = $"127.0.0.1:{4053 + i}" })],
        [new Party("acme", PartyKey.Address, PartyRoles.Manufacturer, ["0614141000005"], ["0614141"], [], NodeKeys[0].Address)]);

    private static ConsortiumDefinition SignedBy(ConsortiumDefinition d, params int[] nodes) =>
        nodes.Aggregate(d, (acc, i) => ConsortiumChanges.Sign(acc, NodeKeys[i]));

    private static string VectorPath => Path.Combine(AppContext.BaseDirectory, "vectors", "consortium", "signing-v1.json");

    [Fact]
    public void Quorum_DefaultsToTwoThirdsPlusOne_AndThresholdToTheQuorum()
    {
        var d = Four();
        Assert.Equal((3, 3), (d.Quorum, d.Threshold));
        var set = d with { QuorumSetting = 4, ThresholdSetting = 2 };
        Assert.Equal((4, 2), (set.Quorum, set.Threshold));
        Assert.Equal((4, 2), (ConsortiumFile.Parse(ConsortiumFile.Serialize(set)).Quorum, ConsortiumFile.Parse(ConsortiumFile.Serialize(set)).Threshold));
    }

    [Theory]
    [InlineData(2, null, "quorum", "quorum")]
    [InlineData(5, null, "quorum", "quorum")]
    [InlineData(null, 0, "threshold", "threshold")]
    [InlineData(null, 5, "threshold", "threshold")]
    public void Validate_QuorumOrThresholdOutOfRange_NamesTheMember(int? quorum, int? threshold, string field, string rule)
    {
        var e = Assert.Throws<ConsortiumFormatException>(() => ConsortiumFile.Serialize(Four() with { QuorumSetting = quorum, ThresholdSetting = threshold }));
        Assert.Equal((field, rule), (e.Field, e.Rule));
    }

    [Fact]
    public void Parse_QuorumInV1File_IsAnUnknownMember()
    {
        var n = JsonNode.Parse(ConsortiumFile.Serialize(Four()))!.AsObject();
        n["format"] = ConsortiumFile.FormatV1;
        foreach (var node in n["nodes"]!.AsArray())
        {
            node!.AsObject().Remove("cluster");
            node.AsObject().Remove("tlsFingerprint");
        }
        n.Remove("signatures");
        n["quorum"] = 3;
        var e = Assert.Throws<ConsortiumFormatException>(() => ConsortiumFile.Parse(n.ToJsonString()));
        Assert.Equal(("quorum", "unknown-member"), (e.Field, e.Rule));
    }

    [Fact]
    public void SignedFile_RoundTrips_AndEverySignatureRecoversToItsNode()
    {
        var signed = SignedBy(Four(), 0, 1, 2);
        var text = ConsortiumFile.Serialize(signed);
        var back = ConsortiumFile.Parse(text);
        Assert.Equal([.. NodeKeys[..3].Select(k => k.Address)], back.Signatures.Select(s => s.Node));
        Assert.Equal(text, ConsortiumFile.Serialize(back));
        var digest = ConsortiumFile.SigningDigest(back);
        Assert.All(back.Signatures, s => Assert.Equal(s.Node, Secp256k1.RecoverAddress(digest, s.Signature)));
    }

    [Fact]
    public void SigningDigest_IgnoresSignatures_AndCoversEveryOtherMember()
    {
        var d = Four();
        Assert.Equal(ConsortiumFile.SigningDigest(d), ConsortiumFile.SigningDigest(SignedBy(d, 0)));
        Assert.NotEqual(ConsortiumFile.SigningDigest(d), ConsortiumFile.SigningDigest(d with { ThresholdSetting = 2 }));
        Assert.NotEqual(ConsortiumFile.SigningDigest(d), ConsortiumFile.SigningDigest(d with { Nodes = [d.Nodes[0] with { Cluster = "" }, .. d.Nodes.Skip(1)] }));
    }

    [Fact]
    public void Parse_SignedFileWithAnyByteOfContentChanged_IsRefusedNamingTheSignature()
    {
        var text = ConsortiumFile.Serialize(SignedBy(Four(), 0, 1, 2));
        var signaturesAt = text.IndexOf("\"signatures\"", StringComparison.Ordinal);
        // Change one letter or digit in each string value before the signatures, one at a time: the first signature no longer verifies.
        var changed = 0;
        for (var i = 0; i < signaturesAt; i++)
        {
            if (!char.IsAsciiLetterOrDigit(text[i]) || !InsideValue(text, i))
                continue;
            var flipped = string.Concat(text.AsSpan(0, i), text[i] == '1' ? "2" : text[i] == 'a' ? "b" : text[i] is >= '0' and <= '9' ? "1" : "a", text.AsSpan(i + 1));
            ConsortiumFormatException e;
            try
            {
                ConsortiumFile.Parse(flipped);
                throw new Xunit.Sdk.XunitException($"a change at offset {i} was accepted");
            }
            catch (ConsortiumFormatException x)
            {
                e = x;
            }
            if (e.Field == "signatures[0].signature")
            {
                Assert.Equal("signature", e.Rule);
                changed++;
            }
        }
        Assert.True(changed > 50, $"only {changed} changes reached the signature check");
    }

    private static bool InsideValue(string text, int i)
    {
        var lineStart = text.LastIndexOf('\n', i) + 1;
        var colon = text.IndexOf(": ", lineStart, StringComparison.Ordinal);
        return colon >= 0 && colon < i;
    }

    [Fact]
    public void Parse_DuplicateSigner_IsRefused()
    {
        var signed = SignedBy(Four(), 0);
        var twice = signed with { Signatures = [signed.Signatures[0], signed.Signatures[0]] };
        var e = Assert.Throws<ConsortiumFormatException>(() => ConsortiumFile.Serialize(twice));
        Assert.Equal(("signatures[1].node", "unique"), (e.Field, e.Rule));
    }

    [Fact]
    public void Parse_SignatureNotHex_IsRefused()
    {
        var n = JsonNode.Parse(ConsortiumFile.Serialize(SignedBy(Four(), 0)))!;
        n["signatures"]![0]!["signature"] = "0x1234";
        var e = Assert.Throws<ConsortiumFormatException>(() => ConsortiumFile.Parse(n.ToJsonString()));
        Assert.Equal(("signatures[0].signature", "signature"), (e.Field, e.Rule));
    }

    [Fact]
    public void Sign_SameKeyTwice_KeepsOneSignature()
    {
        Assert.Single(SignedBy(Four(), 1, 1).Signatures);
    }

    [Fact]
    public void CheckSuccessor_NextVersionWithThresholdOfPreviousNodes_IsAccepted()
    {
        var current = SignedBy(Four(), 0, 1, 2);
        ConsortiumChanges.CheckSuccessor(null, current);
        // Version 2 drops node-4; it needs 3 signatures of version 1's nodes (its own threshold would be 2 of 3).
        var next = Four(2) with { Nodes = [.. Four().Nodes.Take(3)] };
        var e = Assert.Throws<ConsortiumFormatException>(() => ConsortiumChanges.CheckSuccessor(current, SignedBy(next, 0, 1)));
        Assert.Equal(("signatures", "threshold"), (e.Field, e.Rule));
        ConsortiumChanges.CheckSuccessor(current, SignedBy(next, 0, 1, 2));
    }

    [Fact]
    public void CheckSuccessor_SignaturesOfNodesAddedByTheChange_DoNotCount()
    {
        var two = new ConsortiumDefinition("devnet", 1, [new ConsortiumNode("node-1", NodeKeys[0].Address, ""), new ConsortiumNode("node-2", NodeKeys[1].Address, "")], []);
        var current = SignedBy(two, 0, 1);
        var next = Four(2) with { Parties = [] };
        var e = Assert.Throws<ConsortiumFormatException>(() => ConsortiumChanges.CheckSuccessor(current, SignedBy(next, 0, 2, 3)));
        Assert.Equal(("signatures", "threshold"), (e.Field, e.Rule));
        Assert.Contains("carries 1 signature(s)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "version")]
    [InlineData(3, "version")]
    public void CheckSuccessor_NotTheNextVersion_IsRefused(long version, string field)
    {
        var current = SignedBy(Four(), 0, 1, 2);
        var e = Assert.Throws<ConsortiumFormatException>(() => ConsortiumChanges.CheckSuccessor(current, SignedBy(Four(version), 0, 1, 2, 3)));
        Assert.Equal((field, "successor"), (e.Field, e.Rule));
    }

    [Fact]
    public void CheckSuccessor_AnotherConsortium_IsRefused()
    {
        var e = Assert.Throws<ConsortiumFormatException>(() =>
            ConsortiumChanges.CheckSuccessor(SignedBy(Four(), 0, 1, 2), SignedBy(Four(2) with { Name = "other" }, 0, 1, 2)));
        Assert.Equal(("name", "successor"), (e.Field, e.Rule));
    }

    [Fact]
    public void CheckSuccessor_UnsignedFirstVersion_IsRefused()
    {
        var e = Assert.Throws<ConsortiumFormatException>(() => ConsortiumChanges.CheckSuccessor(null, SignedBy(Four(), 0, 1)));
        Assert.Equal(("signatures", "threshold"), (e.Field, e.Rule));
    }

    // ---- the vector in tests/vectors/consortium/signing-v1.json (its README says how it was made) ----

    [Fact]
    public void Vector_DigestAndSignatures_MatchTheSpecification()
    {
        var vector = JsonNode.Parse(File.ReadAllText(VectorPath))!;
        var unsignedText = vector["unsignedText"]!.GetValue<string>();
        var signedText = vector["signedText"]!.GetValue<string>();
        // The digest from its definition in docs/spec/consortium.md, computed on the bytes, not through the model.
        var digest = Keccak256.Hash(Encoding.UTF8.GetBytes("ledger-consortium-signing/v1\n" + unsignedText));
        Assert.Equal(vector["digest"]!.GetValue<string>(), digest.ToString());
        var signed = ConsortiumFile.Parse(signedText);
        Assert.Equal(digest, ConsortiumFile.SigningDigest(signed));
        Assert.Equal(signedText, ConsortiumFile.Serialize(signed));
        Assert.Equal(unsignedText, ConsortiumFile.Serialize(signed with { Signatures = [] }).Replace("  ],\n  \"signatures\": []\n}", "  ]\n}", StringComparison.Ordinal));
        var keys = vector["nodeKeys"]!.AsArray().Select(k => PrivateKey.Parse(k!.GetValue<string>())).ToList();
        Assert.Equal(keys.Select(k => k.Address), signed.Signatures.Select(s => s.Node));
        // RFC 6979 signatures are deterministic: re-signing gives the same bytes.
        Assert.Equal(signedText, ConsortiumFile.Serialize(keys.Aggregate(signed with { Signatures = [] }, ConsortiumChanges.Sign)));
        ConsortiumChanges.CheckSuccessor(null, signed);
    }
}
