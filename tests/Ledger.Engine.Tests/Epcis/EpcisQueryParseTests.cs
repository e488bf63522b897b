using Ledger.Engine.Epcis;
using Xunit;
using static Ledger.Engine.Tests.Epcis.EpcisQueryTestKit;

namespace Ledger.Engine.Tests.Epcis;

public sealed class EpcisQueryParseTests
{
    [Theory]
    [InlineData("foo", "x", "unknown")]
    [InlineData("eq_bizStep", "shipping", "unknown")]
    [InlineData("WD_readPoint", "urn:epc:id:sgln:0614141.07346.1234", "unsupported")]
    [InlineData("EQ_quantity", "5", "unsupported")]
    [InlineData("orderBy", "bizStep", "enum")]
    [InlineData("orderDirection", "DESC", "requires")]
    [InlineData("GE_maxValue_CEL", "hot", "number")]
    [InlineData("GE_value_cel", "5", "uom")]
    [InlineData("EQ_booleanValue", "yes", "boolean")]
    [InlineData("EQ_SENSORREPORT_ex:x", "1", "unsupported")]
    [InlineData("GE_eventTime", "yesterday", "timestamp")]
    [InlineData("LT_eventTime", "2024-05-01T00:00:00", "timestamp")]
    [InlineData("GE_recordTime", "2024-13-01T00:00:00Z", "timestamp")]
    [InlineData("LT_recordTime", "", "timestamp")]
    [InlineData("perPage", "abc", "integer")]
    [InlineData("perPage", "-5", "integer")]
    [InlineData("perPage", "2.5", "integer")]
    [InlineData("perPage", "0", "range")]
    [InlineData("perPage", "1001", "range")]
    [InlineData("nextPageToken", "!!!", "token-format")]
    [InlineData("nextPageToken", "AAAA", "token-format")]
    [InlineData("nextPageToken", "", "empty")]
    [InlineData("eventType", "QuantityEvent", "enum")]
    [InlineData("eventType", "objectevent", "enum")]
    [InlineData("eventType", "1", "enum")]
    [InlineData("EQ_action", "add", "enum")]
    [InlineData("EQ_bizStep", "flying", "enum")]
    [InlineData("EQ_bizStep", "urn:epcglobal:cbv:bizstep:flying", "enum")]
    [InlineData("EQ_disposition", "shipping", "enum")]
    [InlineData("EQ_bizStep", "", "empty")]
    [InlineData("EQ_bizStep", "shipping,,receiving", "empty")]
    [InlineData("MATCH_epc", "urn:epc:id:sgtin:123", "epc")]
    [InlineData("MATCH_epc", "https://id.gs1.org/01/123/21/1", "epc")]
    [InlineData("MATCH_epc", "abc", "uri")]
    [InlineData("MATCH_anyEPC", "urn:epc:idpat:sgtin:0614141.*.2017", "epc-pattern")]
    [InlineData("MATCH_anyEPC", "urn:epc:idpat:sgtin:0614141.107346", "epc-pattern")]
    [InlineData("MATCH_epc", "urn:epc:idpat:sgtin:061.*.*", "epc-pattern")]
    [InlineData("MATCH_epc", "urn:epc:idpat:sgtin:0614141.10734.*", "epc-pattern")]
    [InlineData("MATCH_parentID", "urn:epc:idpat:sscc:0614141.123.*", "epc-pattern")]
    [InlineData("MATCH_epc", "urn:epc:idpat:grai:0614141.*.*", "unsupported")]
    [InlineData("EQ_bizTransaction_", "x", "empty")]
    [InlineData("EQ_bizTransaction_bogus", "urn:x", "enum")]
    [InlineData("EQ_source_owner", "urn:x", "enum")]
    [InlineData("EQ_ILMD_example:batch", "x", "unsupported")]
    [InlineData("EQ_readPoint", "nocolon", "uri")]
    [InlineData("EXISTS_errorDeclaration", "yes", "no-value")]
    public void Parse_InvalidParameter_ThrowsNamingParameterAndRule(string name, string value, string rule)
    {
        var ex = Fails((name, value));
        Assert.Equal(name, ex.Parameter);
        Assert.Equal(rule, ex.Rule);
        Assert.Equal(EpcisQueryException.QueryParameterException, ex.ExceptionType);
        Assert.StartsWith(name + ": ", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith($"[{rule}]", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GE_eventTime", "2024-01-01T00:00:00Z")]
    [InlineData("perPage", "10")]
    [InlineData("nextPageToken", "AAAA")]
    public void Parse_SingleValuedParameterRepeated_ThrowsSingleValued(string name, string value)
    {
        var ex = Fails((name, value), (name, value));
        Assert.Equal(name, ex.Parameter);
        Assert.Equal("single-valued", ex.Rule);
    }

    [Fact]
    public void Parse_EmptyParameterName_Throws()
    {
        var ex = Fails(("", "x"));
        Assert.Equal("empty", ex.Rule);
    }

    [Fact]
    public void ParseForEpc_InvalidPathEpc_NamesEpc()
    {
        var ex = Assert.Throws<EpcisQueryException>(() => EpcisQuery.ParseForEpc("urn:epc:id:sgtin:1.2.3", []));
        Assert.Equal("epc", ex.Parameter);
        Assert.Equal("epc", ex.Rule);
    }

    [Fact]
    public void Parse_NoParameters_DefaultsToThirtyPerPageAndNoPosition()
    {
        var q = Q();
        Assert.Equal(30, q.PerPage);
        Assert.Null(q.AfterSequence);
    }

    [Fact]
    public void Parse_PerPage_IsTaken()
    {
        Assert.Equal(1000, Q(("perPage", "1000")).PerPage);
        Assert.Equal(1, Q(("perPage", "1")).PerPage);
    }

    [Fact]
    public void Parse_OptionsChangePageLimits()
    {
        var options = new EpcisQueryOptions { DefaultPerPage = 5, MaxPerPage = 10 };
        Assert.Equal(5, QWith(options).PerPage);
        Assert.Equal("range", Assert.Throws<EpcisQueryException>(() => QWith(options, ("perPage", "11"))).Rule);
    }

    [Theory]
    [InlineData("EQ_bizStep", "shipping", "urn:epcglobal:cbv:bizstep:shipping")]
    [InlineData("EQ_bizStep", "shipping", "https://ref.gs1.org/cbv/BizStep-shipping")]
    [InlineData("EQ_disposition", "in_transit", "urn:epcglobal:cbv:disp:in_transit")]
    [InlineData("MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017")]
    [InlineData("MATCH_epc", "urn:epc:idpat:sgtin:0614141.107346.*", "urn:epc:idpat:sgtin:0614141.107346.*")]
    [InlineData("EQ_readPoint", "urn:epc:id:sgln:0614141.07346.1234", "https://id.gs1.org/414/0614141073467/254/1234")]
    [InlineData("EQ_bizTransaction_po", "urn:x:1", "urn:x:1")]
    [InlineData("eventType", "ObjectEvent,AggregationEvent", "AggregationEvent|ObjectEvent")]
    [InlineData("GE_eventTime", "2024-05-01T12:00:00Z", "2024-05-01T14:00:00+02:00")]
    public void FilterDigest_EquivalentSpellings_AreEqual(string name, string a, string b)
    {
        Assert.Equal(Q((name, a)).FilterDigest, Q((name, b)).FilterDigest);
    }

    [Fact]
    public void FilterDigest_BizTransactionTypeSpellings_AreEqual()
    {
        Assert.Equal(Q(("EQ_bizTransaction_po", "urn:x:1")).FilterDigest,
            Q(("EQ_bizTransaction_urn:epcglobal:cbv:btt:po", "urn:x:1")).FilterDigest);
    }

    [Fact]
    public void FilterDigest_ParameterOrderAndPerPage_DoNotMatter()
    {
        var a = Q(("EQ_bizStep", "shipping"), ("MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2017"), ("perPage", "5"));
        var b = Q(("MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2017"), ("EQ_bizStep", "shipping"));
        Assert.Equal(a.FilterDigest, b.FilterDigest);
    }

    [Theory]
    [InlineData("EQ_bizStep", "shipping", "receiving")]
    [InlineData("MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018")]
    [InlineData("MATCH_epc", "urn:epc:idpat:sgtin:0614141.107346.*", "urn:epc:idpat:sgtin:0614141.*.*")]
    [InlineData("GE_eventTime", "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.001Z")]
    public void FilterDigest_DifferentFilters_Differ(string name, string a, string b)
    {
        Assert.NotEqual(Q((name, a)).FilterDigest, Q((name, b)).FilterDigest);
    }

    [Fact]
    public void FilterDigest_SameValueUnderDifferentParameters_Differ()
    {
        const string Epc = "urn:epc:id:sgtin:0614141.107346.2017";
        Assert.NotEqual(Q(("MATCH_epc", Epc)).FilterDigest, Q(("MATCH_anyEPC", Epc)).FilterDigest);
        Assert.NotEqual(Q(("MATCH_anyEPC", Epc)).FilterDigest, EpcisQuery.ParseForEpc(Epc, []).FilterDigest);
    }
}
