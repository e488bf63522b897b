using System.Text.Json.Nodes;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Sdk.Provenance;
using Ledger.Sdk.Verification;
using Xunit;
using static Ledger.Sdk.Tests.Verification.VerifierKit;

namespace Ledger.Sdk.Tests.Verification;

/// <summary>The offline verifier against a real node's answer: untouched it passes; every tampering is caught by the right check.</summary>
[Collection(ProvenanceFixtureGroup.Name)]
public sealed class ProvenanceVerifierTests(ProvenanceFixture fixture)
{
    /// <summary>The fixture flow writes nine records about the item (see <see cref="ProvenanceFixture"/>).</summary>
    public const int RecordCount = 9;

    private const int Positions = 5;

    private JsonNode Answer() => ParseNode(fixture.AnswerJson);

    private async Task<VerificationCheck> FirstFailureAsync(JsonNode answer, IAnchorSource? source = null)
    {
        var outcome = await RunAsync(answer, fixture.Consortium, source);
        Assert.True(outcome.Report is not null, outcome.ToString());
        Assert.False(outcome.Report.Passed, "the tampered answer passed");
        return outcome.Report.FirstFailure!;
    }

    private static void AssertFailure(VerificationCheck failure, string name, string code)
    {
        Assert.Equal((name, code), (failure.Name, failure.Code));
        Assert.StartsWith(code + ": ", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_UntouchedAnswer_PassesEveryCheck()
    {
        var outcome = await RunAsync(Answer(), fixture.Consortium);

        Assert.True(outcome.Report?.Passed, outcome.ToString());
        var report = outcome.Report!;
        Assert.Null(report.FirstFailure);
        Assert.Equal(RecordCount, report.Checks.Count(c => c.Name == ProvenanceVerifier.Seal));
        Assert.Equal(RecordCount, report.Checks.Count(c => c.Name == ProvenanceVerifier.Inclusion));
        Assert.Equal(
            [ProvenanceVerifier.HeaderSignature, ProvenanceVerifier.CertificateCheck, ProvenanceVerifier.Seal, ProvenanceVerifier.Inclusion,
             ProvenanceVerifier.Completeness, ProvenanceVerifier.Order, ProvenanceVerifier.Custody, ProvenanceVerifier.LotCheck,
             ProvenanceVerifier.ProductCheck, ProvenanceVerifier.Status, ProvenanceVerifier.Summary],
            report.Checks.Select(c => c.Name).Distinct());
        // What was proven: the pharmacy dispensed the pack, at the time the answer states (no clock read).
        var proven = report.Summary!;
        Assert.Equal((Ledger.Protocol.Custody.ItemStatus.Supplied, "answer"), (proven.Status, proven.AtSource));
        Assert.Equal(fixture.Consortium.Parties.First(p => p.Name == "pharmacy").Address, proven.Custodian);
        Assert.Equal(ProvenanceDocument.Parse(fixture.AnswerJson).State!.StatusAt, proven.At);
    }

    [Fact]
    public async Task VerifyAsync_AnswerWithAnchorAndMatchingChainRoot_PassesEveryCheck()
    {
        var answer = Answer();
        answer["anchor"] = fixture.AnchorJson(answer);
        var lane = Address.Parse((string)answer["header"]!["lane"]!);

        var outcome = await RunAsync(answer, fixture.Consortium, new InMemoryAnchorSource().Add(lane, (ulong)fixture.AnchorSize, fixture.AnchorRoot));

        Assert.True(outcome.Report?.Passed, outcome.ToString());
        Assert.Equal(ProvenanceVerifier.AnchorChain, outcome.Report!.Checks[^1].Name);
        Assert.Single(outcome.Report.Checks, c => c.Name == ProvenanceVerifier.Anchor);
        Assert.True(outcome.Report.Summary!.AnchorChecked);
    }

    [Fact]
    public void Verify_WithAnchorSource_RequiresTheAsyncOverload()
    {
        var doc = ProvenanceDocument.Parse(fixture.AnswerJson);
        Assert.Throws<ArgumentException>(() =>
            ProvenanceVerifier.Verify(doc, fixture.Consortium, new ProvenanceVerifierOptions { AnchorSource = new InMemoryAnchorSource() }));
    }

    // ---- flipped bits in every encoded blob ----

    public static TheoryData<string, int> Blobs()
    {
        var data = new TheoryData<string, int>();
        var paths = new List<string> { "header.encoded", "header.certificate.encoded", "stateProof" };
        for (var i = 0; i < RecordCount; i++)
            paths.AddRange([$"records[{i}].record.encoded", $"records[{i}].seal", $"records[{i}].inclusionProof"]);
        foreach (var p in paths)
            for (var position = 0; position < Positions; position++)
                data.Add(p, position);
        return data;
    }

    private static readonly Dictionary<string, (string Check, string[] Codes)> ExpectedByField = new()
    {
        ["header.encoded"] = (ProvenanceVerifier.HeaderSignature, ["header-signature", "lane-unknown"]),
        ["header.certificate.encoded"] = (ProvenanceVerifier.CertificateCheck, ["certificate-header", "cosigner-unknown", "cosignature", "quorum"]),
        ["stateProof"] = (ProvenanceVerifier.Completeness, ["state-proof"]),
        ["record.encoded"] = (ProvenanceVerifier.Seal, ["seal-inclusion", "seal-author", "author-unknown"]),
        ["seal"] = (ProvenanceVerifier.Seal, ["seal-author", "seal-size", "seal-inclusion", "seal-signature"]),
        ["inclusionProof"] = (ProvenanceVerifier.Inclusion, ["log-index", "tree-size", "log-root"]),
    };

    [Theory]
    [MemberData(nameof(Blobs))]
    public async Task Verify_FlippedBitInEncodedBlob_FailsAsFormatErrorOrTheRightCheck(string path, int position)
    {
        var answer = Answer();
        Set(answer, path, FlipBit(GetString(answer, path), position, Positions));

        var outcome = await RunAsync(answer, fixture.Consortium);

        if (outcome.FormatError is { } error)
        {
            Assert.Equal(path, error.Field);
            Assert.Equal("encoding", error.Rule);
            return;
        }
        Assert.False(outcome.Report!.Passed, $"{path} flipped at {position} still verifies");
        var failure = outcome.Report.FirstFailure!;
        var (check, codes) = ExpectedByField[path.StartsWith("records[", StringComparison.Ordinal) ? path[(path.IndexOf(']', StringComparison.Ordinal) + 2)..] : path];
        Assert.True(failure.Name == check && codes.Contains(failure.Code), $"{path}@{position}: expected {check} ({string.Join("|", codes)}), got {outcome}");
        if (path.StartsWith("records[", StringComparison.Ordinal))
            Assert.StartsWith(path[..(path.IndexOf(']', StringComparison.Ordinal) + 1)] + " ", failure.Subject, StringComparison.Ordinal);
    }

    // ---- records dropped, swapped, repeated, reordered ----

    [Fact]
    public async Task Verify_LastRecordDropped_FailsCompleteness()
    {
        var answer = Answer();
        answer["records"]!.AsArray().RemoveAt(RecordCount - 1);

        var failure = await FirstFailureAsync(answer);

        AssertFailure(failure, ProvenanceVerifier.Completeness, "state-proof");
        Assert.Contains("the answer's last record", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_AllRecordsDropped_FailsCompletenessAsAbsence()
    {
        var answer = Answer();
        answer["records"]!.AsArray().Clear();

        var failure = await FirstFailureAsync(answer);

        AssertFailure(failure, ProvenanceVerifier.Completeness, "state-proof");
        Assert.Contains("absent", failure.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public async Task Verify_EarlierRecordDropped_FailsCustodyReplay(int index)
    {
        var answer = Answer();
        answer["records"]!.AsArray().RemoveAt(index);

        AssertFailure(await FirstFailureAsync(answer), ProvenanceVerifier.Custody, "step-rejected");
    }

    [Fact]
    public async Task Verify_EntriesSwapped_FailsOrder()
    {
        var answer = Answer();
        var records = answer["records"]!.AsArray();
        var first = records[0]!.DeepClone();
        records[0] = records[1]!.DeepClone();
        records[1] = first;

        AssertFailure(await FirstFailureAsync(answer), ProvenanceVerifier.Order, "log-order");
    }

    [Fact]
    public async Task Verify_RecordEncodingsSwapped_FailsSeal()
    {
        var answer = Answer();
        var a = GetString(answer, "records[0].record.encoded");
        Set(answer, "records[0].record.encoded", GetString(answer, "records[1].record.encoded"));
        Set(answer, "records[1].record.encoded", a);

        var failure = await FirstFailureAsync(answer);

        AssertFailure(failure, ProvenanceVerifier.Seal, "seal-inclusion");
        Assert.StartsWith("records[0] ", failure.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_RecordRepeated_FailsOrderAsDuplicate()
    {
        var answer = Answer();
        var records = answer["records"]!.AsArray();
        records.Insert(4, records[3]!.DeepClone());

        AssertFailure(await FirstFailureAsync(answer), ProvenanceVerifier.Order, "duplicate");
    }

    [Fact]
    public async Task Verify_InclusionProofsReordered_FailsInclusion()
    {
        var answer = Answer();
        var a = GetString(answer, "records[1].inclusionProof");
        Set(answer, "records[1].inclusionProof", GetString(answer, "records[2].inclusionProof"));
        Set(answer, "records[2].inclusionProof", a);

        var failure = await FirstFailureAsync(answer);

        AssertFailure(failure, ProvenanceVerifier.Inclusion, "log-index");
        Assert.StartsWith("records[1] ", failure.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_LogIndexChanged_FailsInclusion()
    {
        var answer = Answer();
        answer["records"]![4]!["logIndex"] = (long)answer["records"]![4]!["logIndex"]! + 1;

        AssertFailure(await FirstFailureAsync(answer), ProvenanceVerifier.Inclusion, "log-index");
    }

    [Fact]
    public async Task Verify_HeightChanged_IsUnverifiedAndNotExposedAsProven()
    {
        // The inclusion proof proves a record's log index, not its block: the height is under records[i].unverified.
        var answer = Answer();
        answer["records"]![RecordCount - 1]!["unverified"]!["height"] = (long)answer["header"]!["height"]! + 5;

        var outcome = await RunAsync(answer, fixture.Consortium);

        Assert.True(outcome.Report?.Passed, outcome.ToString());
        Assert.Equal(ProvenanceDocument.Parse(fixture.AnswerJson).Records[^1].LogIndex, ProvenanceDocument.Parse(answer.ToJsonString()).Records[^1].LogIndex);
    }

    [Fact]
    public async Task Verify_UnknownMember_FailsSummary()
    {
        var answer = Answer();
        answer["recalled"] = false;

        var failure = await FirstFailureAsync(answer);

        AssertFailure(failure, ProvenanceVerifier.Summary, "summary");
        Assert.Equal("recalled", failure.Subject);
    }

    // ---- header and certificate ----

    private static Certificate ReadCertificate(JsonNode answer) => Certificate.Decode(Hex.Decode(GetString(answer, "header.certificate.encoded")));

    [Fact]
    public async Task Verify_CosignaturesDropped_FailsCertificateQuorum()
    {
        var answer = Answer();
        var c = ReadCertificate(answer);
        Set(answer, "header.certificate.encoded", Hex.Encode0x(new Certificate(c.Lane, c.Height, c.HeaderHash, []).Encode()));

        AssertFailure(await FirstFailureAsync(answer), ProvenanceVerifier.CertificateCheck, "quorum");
    }

    [Fact]
    public async Task Verify_CosignatureFromKeyOutsideConsortium_FailsCertificate()
    {
        var answer = Answer();
        var c = ReadCertificate(answer);
        var header = SignedHeader.Decode(Hex.Decode(GetString(answer, "header.encoded"))).Header;
        var outsider = Cosignature.Create(header, PrivateKey.Generate());
        Set(answer, "header.certificate.encoded", Hex.Encode0x(new Certificate(c.Lane, c.Height, c.HeaderHash, [.. c.Cosignatures, outsider]).Encode()));

        var failure = await FirstFailureAsync(answer);

        AssertFailure(failure, ProvenanceVerifier.CertificateCheck, "cosigner-unknown");
        Assert.Contains(outsider.Node.ToString(), failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_HeaderFromAnotherLane_FailsHeaderSignatureAsUnknownLane()
    {
        var answer = Answer();
        answer["header"] = ParseNode(fixture.OtherLaneHeaderJson);

        AssertFailure(await FirstFailureAsync(answer), ProvenanceVerifier.HeaderSignature, "lane-unknown");
    }

    [Fact]
    public async Task Verify_CertificateMissing_FailsCertificate()
    {
        var answer = Answer();
        answer["header"]!["certificate"] = null;

        AssertFailure(await FirstFailureAsync(answer), ProvenanceVerifier.CertificateCheck, "no-certificate");
    }

    // ---- completeness and the stated state ----

    [Fact]
    public async Task Verify_StateProofOfAnotherItem_FailsCompleteness()
    {
        var answer = Answer();
        answer["stateProof"] = (string)ParseNode(fixture.SiblingAnswerJson)["stateProof"]!;

        AssertFailure(await FirstFailureAsync(answer), ProvenanceVerifier.Completeness, "state-proof");
    }

    [Theory]
    [InlineData("state.custodian", "custodian")]
    [InlineData("state.storedStatus", "storedStatus")]
    [InlineData("state.latestRecord", "latestRecord")]
    [InlineData("state.location", "location")]
    public async Task Verify_StatedStateChanged_FailsCustodyStateMismatch(string path, string member)
    {
        var answer = Answer();
        JsonNode value = member switch
        {
            "custodian" => fixture.Consortium.Parties.First(p => p.Name == "wholesaler").Address.ToString(),
            "storedStatus" or "status" => "Active",
            "latestRecord" => GetString(answer, "records[7].record.id"),
            _ => "0399993456780",
        };
        Set(answer, path, value);

        var failure = await FirstFailureAsync(answer);

        AssertFailure(failure, ProvenanceVerifier.Custody, "state-mismatch");
        Assert.Contains("state." + member, failure.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Active")]
    [InlineData("Recalled")]
    [InlineData("Expired")]
    public async Task Verify_StatedStatusChanged_FailsStatusMismatch(string status)
    {
        var answer = Answer();
        Set(answer, "state.status", status);

        var failure = await FirstFailureAsync(answer);

        AssertFailure(failure, ProvenanceVerifier.Status, "status-mismatch");
        Assert.Contains("state.status is " + status, failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_LotHistoryRemoved_FailsNoLot()
    {
        var answer = Answer();
        answer["lot"] = null;

        AssertFailure(await FirstFailureAsync(answer), ProvenanceVerifier.LotCheck, "no-lot");
    }

    [Fact]
    public async Task Verify_LotStateProofOfAnotherKey_FailsLotStateProof()
    {
        var answer = Answer();
        Set(answer, "lot.stateProof", GetString(answer, "product.stateProof"));

        var failure = await FirstFailureAsync(answer);

        Assert.Equal(ProvenanceVerifier.LotCheck, failure.Name);
        Assert.Equal("state-proof", failure.Code);
    }

    [Fact]
    public async Task Verify_StateRemoved_FailsCustodyStateMissing()
    {
        var answer = Answer();
        answer["state"] = null;
        answer["known"] = false;

        AssertFailure(await FirstFailureAsync(answer), ProvenanceVerifier.Custody, "state-missing");
    }

    // ---- the anchor ----

    private JsonNode AnchoredAnswer()
    {
        var answer = Answer();
        answer["anchor"] = fixture.AnchorJson(answer);
        return answer;
    }

    private InMemoryAnchorSource ChainWith(Hash32 root) =>
        new InMemoryAnchorSource().Add(Address.Parse((string)Answer()["header"]!["lane"]!), (ulong)fixture.AnchorSize, root);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Verify_FlippedBitInAnchorProof_FailsAsFormatErrorOrAnchor(int position)
    {
        var answer = AnchoredAnswer();
        Set(answer, "anchor.consistencyProof", FlipBit(GetString(answer, "anchor.consistencyProof"), position, Positions));

        var outcome = await RunAsync(answer, fixture.Consortium, ChainWith(fixture.AnchorRoot));

        if (outcome.FormatError is { } error)
        {
            Assert.Equal(("anchor.consistencyProof", "encoding"), (error.Field, error.Rule));
            return;
        }
        var failure = outcome.Report!.FirstFailure;
        Assert.True(failure is { Name: ProvenanceVerifier.Anchor } && failure.Code is "anchor-consistency" or "anchor-sizes", outcome.ToString());
    }

    [Fact]
    public async Task Verify_AnchorRootChanged_FailsAnchorConsistency()
    {
        var answer = AnchoredAnswer();
        Set(answer, "anchor.root", FlipBit("0x" + GetString(answer, "anchor.root"), 2, Positions)[2..]);

        AssertFailure(await FirstFailureAsync(answer), ProvenanceVerifier.Anchor, "anchor-consistency");
    }

    [Fact]
    public async Task Verify_AnchorSizeChanged_FailsAnchorSizes()
    {
        var answer = AnchoredAnswer();
        answer["anchor"]!["size"] = fixture.AnchorSize + 1;

        AssertFailure(await FirstFailureAsync(answer), ProvenanceVerifier.Anchor, "anchor-sizes");
    }

    [Fact]
    public async Task Verify_AnchorOfAnotherLane_FailsAnchorLane()
    {
        var answer = AnchoredAnswer();
        answer["anchor"]!["lane"] = fixture.Consortium.Parties[0].Address.ToString();

        AssertFailure(await FirstFailureAsync(answer), ProvenanceVerifier.Anchor, "anchor-lane");
    }

    [Fact]
    public async Task VerifyAsync_ChainHoldsAnotherRoot_FailsAnchorChain()
    {
        var other = new Hash32(Enumerable.Repeat((byte)7, 32).ToArray());

        AssertFailure(await FirstFailureAsync(AnchoredAnswer(), ChainWith(other)), ProvenanceVerifier.AnchorChain, "root-mismatch");
    }

    [Fact]
    public async Task VerifyAsync_ChainHoldsNoRoot_FailsAnchorChain()
    {
        AssertFailure(await FirstFailureAsync(AnchoredAnswer(), new InMemoryAnchorSource()), ProvenanceVerifier.AnchorChain, "not-anchored");
    }

    [Fact]
    public async Task VerifyAsync_SourceButNoAnchor_FailsAnchorChain()
    {
        AssertFailure(await FirstFailureAsync(Answer(), ChainWith(fixture.AnchorRoot)), ProvenanceVerifier.AnchorChain, "no-anchor");
    }
}
