using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Sdk.Provenance;
using Xunit;
using static Ledger.Sdk.Tests.Verification.VerifierKit;

namespace Ledger.Sdk.Tests.Verification;

/// <summary>ProvenanceDocument reads the node's real answer, writes the node's shape back, and names the field of bad input.</summary>
[Collection(ProvenanceFixtureGroup.Name)]
public sealed class ProvenanceDocumentTests(ProvenanceFixture fixture)
{
    [Fact]
    public void Parse_RealAnswer_DecodesEveryMember()
    {
        var doc = ProvenanceDocument.Parse(fixture.AnswerJson);

        Assert.Equal(fixture.Item, doc.Item);
        Assert.True(doc.Known);
        Assert.Equal(ProvenanceVerifierTests.RecordCount, doc.Records.Count);
        Assert.Equal(doc.Records[^1].Record.Id, doc.State!.LatestRecord);
        Assert.Equal(doc.Header!.SignedHeader.Header.LogSize, doc.Records[0].InclusionProof.TreeSize);
        Assert.NotNull(doc.Header.Certificate);
        Assert.NotNull(doc.StateProof);
        Assert.Contains(doc.Unverified.Alerts, a => a.Kind == "ScanByNonCustodian");
        Assert.Equal((ProvenanceFixture.Gtin, "LOTV1"), (doc.Lot!.Gtin, doc.Lot.Lot));
        Assert.Empty(doc.Lot.Records);
        Assert.Equal(ProvenanceFixture.Gtin, doc.Product!.Gtin);
        Assert.NotNull(doc.State.StatusAt);
        Assert.Null(doc.Anchor);
    }

    [Fact]
    public void ToJson_RealAnswer_HasExactlyTheNodesShapeAndValues()
    {
        var written = JsonNode.Parse(ProvenanceDocument.Parse(fixture.AnswerJson).ToJson());

        Assert.True(JsonNode.DeepEquals(ParseNode(fixture.AnswerJson), written), written!.ToJsonString());
    }

    [Fact]
    public void Parse_UnknownMembers_AreIgnored()
    {
        var answer = ParseNode(fixture.AnswerJson);
        answer["futureMember"] = new JsonObject { ["x"] = 1 };
        answer["records"]![0]!["futureMember"] = "y";

        Assert.Equal(ProvenanceDocument.Parse(fixture.AnswerJson), ProvenanceDocument.Parse(answer.ToJsonString()));
    }

    [Fact]
    public void ParseToJson_MutatedDocuments_RoundTrip()
    {
        var original = ProvenanceDocument.Parse(fixture.AnswerJson);
        var anchored = ParseNode(fixture.AnswerJson);
        anchored["anchor"] = fixture.AnchorJson(anchored);
        var anchor = ProvenanceDocument.Parse(anchored.ToJsonString()).Anchor;
        var gen =
            from keep in Gen.ListOf(Gen.Elements(true, false), original.Records.Count)
            from alerts in Gen.Elements(true, false)
            from withState in Gen.Elements(true, false)
            from withHeader in Gen.Elements(true, false)
            from withAnchor in Gen.Elements(true, false)
            from reverse in Gen.Elements(true, false)
            select (keep: keep.ToArray(), alerts, withState, withHeader, withAnchor, reverse);

        Prop.ForAll(gen.ToArbitrary(), m =>
        {
            var records = original.Records.Where((_, i) => m.keep[i]).ToList();
            if (m.reverse)
                records.Reverse();
            var doc = new ProvenanceDocument(original.Item, m.withState ? original.State : null,
                m.withHeader ? original.Header : null, m.withHeader ? original.StateProof : null, records,
                m.withState ? original.Lot : null, m.withState ? original.Product : null, m.withAnchor ? anchor : null,
                new ProvenanceUnverified(m.withState ? original.Unverified.Children : [], m.alerts ? original.Unverified.Alerts : []));
            var json = doc.ToJson();
            var again = ProvenanceDocument.Parse(json);
            return again.Equals(doc) && again.ToJson() == json && again.Records.Select(r => r.Record.Id).SequenceEqual(records.Select(r => r.Record.Id));
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData("records", null, "records", "required")]
    [InlineData("format", "\"ledger-provenance/v9\"", "format", "value")]
    [InlineData("format", "\"ledger-provenance/v1\"", "format", "version")]
    [InlineData("item", "\"sgtin:00300010123456.X\"", "item", "item")]
    [InlineData("itemKey", "\"00\"", "itemKey", "hash")]
    [InlineData("known", "false", "known", "value")]
    [InlineData("records[2].seal", "\"0xzz\"", "records[2].seal", "hex")]
    [InlineData("records[2].seal", "\"0x\"", "records[2].seal", "encoding")]
    [InlineData("records[3].logIndex", "\"x\"", "records[3].logIndex", "type")]
    [InlineData("records[3].unverified.height", "-1", "records[3].unverified.height", "type")]
    [InlineData("lot.stateProof", "\"0x\"", "lot.stateProof", "encoding")]
    [InlineData("product.lot", "\"L1\"", "product.lot", "value")]
    [InlineData("records[1].record", "{}", "records[1].record.encoded", "required")]
    [InlineData("header.encoded", "\"0x01\"", "header.encoded", "encoding")]
    [InlineData("state.custodian", "\"0x12\"", "state.custodian", "address")]
    [InlineData("state.status", "\"Gone\"", "state.status", "value")]
    [InlineData("unverified.alerts[0].time", "\"yesterday\"", "unverified.alerts[0].time", "time")]
    public void Parse_BadMember_ThrowsNamingTheFieldAndRule(string path, string? value, string field, string rule)
    {
        var answer = ParseNode(fixture.AnswerJson);
        if (value is null)
            answer.AsObject().Remove(path);
        else
            Set(answer, path, JsonNode.Parse(value));

        var e = Assert.Throws<ProvenanceFormatException>(() => ProvenanceDocument.Parse(answer.ToJsonString()));

        Assert.Equal((field, rule), (e.Field, e.Rule));
        Assert.StartsWith(field + ": ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotJson_ThrowsJsonRule()
    {
        var e = Assert.Throws<ProvenanceFormatException>(() => ProvenanceDocument.Parse("{ not json"));
        Assert.Equal(("answer", "json"), (e.Field, e.Rule));
    }
}
