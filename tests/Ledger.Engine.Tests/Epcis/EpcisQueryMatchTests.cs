using Ledger.Engine.Epcis;
using Ledger.Protocol.Epcis;
using Xunit;
using static Ledger.Engine.Tests.Epcis.EpcisQueryTestKit;

namespace Ledger.Engine.Tests.Epcis;

/// <summary>
/// One filter at a time against events that should and should not match. Identifier pairs (URN ⇄ Digital Link) are the
/// conversions listed in the project's standards notes §4 (from the CBV 2.0 event-hash reference vectors).
/// </summary>
public sealed class EpcisQueryMatchTests
{
    private const string SgtinUrn = "urn:epc:id:sgtin:0614141.107346.2017";
    private const string SgtinDl = "https://id.gs1.org/01/10614141073464/21/2017";
    private const string SglnUrn = "urn:epc:id:sgln:0614141.07346.1234";
    private const string SglnDl = "https://id.gs1.org/414/0614141073467/254/1234";
    private const string SsccUrn = "urn:epc:id:sscc:4012345.0000000111";
    private const string SsccDl = "https://id.gs1.org/00/040123450000001112";

    // ---- identifiers: URN and Digital Link both ways --------------------------------------------------------------

    [Theory]
    [InlineData(SgtinUrn, SgtinDl)]
    [InlineData(SgtinDl, SgtinUrn)]
    [InlineData(SgtinUrn, SgtinUrn)]
    [InlineData(SgtinDl, SgtinDl)]
    [InlineData(SgtinUrn, "https://example.com/01/10614141073464/21/2017?17=250101")]
    [InlineData(SgtinUrn, "https://id.gs1.org/gtin/10614141073464/ser/2017")]
    [InlineData(SgtinUrn, "https://id.gs1.org/01/10614141073464/10/LOT1/21/2017")]
    [InlineData("https://id.gs1.org/01/10614141073464/10/LOT1/21/2017", SgtinUrn)]
    public void MatchEpc_SameSgtinInAnyForm_Matches(string query, string eventEpc)
    {
        Assert.True(Q(("MATCH_epc", query)).Matches(Obj(eventEpc)));
    }

    [Theory]
    [InlineData(SgtinUrn, "urn:epc:id:sgtin:0614141.107346.2018")]
    [InlineData(SgtinDl, "https://id.gs1.org/01/10614141073464/21/20170")]
    [InlineData(SgtinUrn, "urn:epc:id:sgtin:0614141.207346.2017")]
    [InlineData(SgtinDl, "https://id.gs1.org/01/10614141073464")]
    public void MatchEpc_OtherIdentifier_DoesNotMatch(string query, string eventEpc)
    {
        Assert.False(Q(("MATCH_epc", query)).Matches(Obj(eventEpc)));
    }

    [Fact]
    public void MatchEpc_NonGs1Uri_ComparedExactly()
    {
        var q = Q(("MATCH_epc", "urn:example:thing:42"));
        Assert.True(q.Matches(Obj("urn:example:thing:42")));
        Assert.False(q.Matches(Obj("urn:example:thing:43")));
    }

    [Fact]
    public void MatchEpc_OneOfSeveralEpcs_Matches()
    {
        Assert.True(Q(("MATCH_epc", SgtinDl)).Matches(Obj("urn:epc:id:sgtin:0614141.107346.1", SgtinUrn)));
    }

    // ---- patterns ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("urn:epc:idpat:sgtin:0614141.107346.*", SgtinUrn, true)]
    [InlineData("urn:epc:idpat:sgtin:0614141.107346.*", SgtinDl, true)]
    [InlineData("urn:epc:idpat:sgtin:0614141.107346.*", "urn:epc:id:sgtin:0614141.107346.X-9", true)]
    [InlineData("urn:epc:idpat:sgtin:0614141.107346.*", "urn:epc:id:sgtin:0614141.107347.2017", false)]
    [InlineData("urn:epc:idpat:sgtin:0614141.107346.*", "urn:epc:id:sgtin:0614141.007346.2017", false)]
    [InlineData("urn:epc:idpat:sgtin:0614141.*.*", SgtinUrn, true)]
    [InlineData("urn:epc:idpat:sgtin:0614141.*.*", "urn:epc:id:sgtin:0614141.812345.7", true)]
    [InlineData("urn:epc:idpat:sgtin:0614141.*.*", "https://id.gs1.org/01/70614141123451/21/2018", true)]
    [InlineData("urn:epc:idpat:sgtin:0614141.*.*", "urn:epc:id:sgtin:4012345.011122.25", false)]
    [InlineData("urn:epc:idpat:sgtin:0614141.*.*", SsccUrn, false)]
    [InlineData("urn:epc:idpat:sgtin:*.*.*", "urn:epc:id:sgtin:4012345.011122.25", true)]
    [InlineData("urn:epc:idpat:sgtin:*.*.*", SsccUrn, false)]
    [InlineData("urn:epc:idpat:sgtin:*.*.*", "https://id.gs1.org/01/10614141073464", false)]
    [InlineData("urn:epc:idpat:sgtin:0614141.107346.2017", SgtinDl, true)]
    public void MatchEpc_Pattern_MatchesByGtinOrCompanyPrefix(string pattern, string eventEpc, bool expected)
    {
        Assert.Equal(expected, Q(("MATCH_epc", pattern)).Matches(Obj(eventEpc)));
    }

    [Theory]
    [InlineData("urn:epc:idpat:sscc:4012345.*", SsccUrn, true)]
    [InlineData("urn:epc:idpat:sscc:4012345.*", SsccDl, true)]
    [InlineData("urn:epc:idpat:sscc:0614141.*", SsccDl, false)]
    [InlineData("urn:epc:idpat:sscc:*.*", SsccUrn, true)]
    [InlineData("urn:epc:idpat:sscc:4012345.0000000111", SsccDl, true)]
    public void MatchParentId_SsccPattern(string pattern, string parent, bool expected)
    {
        Assert.Equal(expected, Q(("MATCH_parentID", pattern)).Matches(Agg(parent, SgtinUrn)));
    }

    [Theory]
    [InlineData("urn:epc:idpat:sgln:0614141.07346.*", SglnUrn, true)]
    [InlineData("urn:epc:idpat:sgln:0614141.07346.*", SglnDl, true)]
    [InlineData("urn:epc:idpat:sgln:0614141.07346.*", "urn:epc:id:sgln:0614141.07346.0", true)]
    [InlineData("urn:epc:idpat:sgln:0614141.*.*", "urn:epc:id:sgln:0614141.99999.0", true)]
    [InlineData("urn:epc:idpat:sgln:0614141.07347.*", SglnDl, false)]
    public void MatchEpc_SglnPattern(string pattern, string eventEpc, bool expected)
    {
        Assert.Equal(expected, Q(("MATCH_epc", pattern)).Matches(Obj(eventEpc)));
    }

    // ---- which fields each MATCH_ parameter looks at ---------------------------------------------------------------

    [Fact]
    public void MatchEpc_LooksAtChildEpcsNotParent()
    {
        var agg = Agg(SsccUrn, SgtinUrn);
        Assert.True(Q(("MATCH_epc", SgtinDl)).Matches(agg));
        Assert.False(Q(("MATCH_epc", SsccDl)).Matches(agg));
    }

    [Fact]
    public void MatchParentId_LooksAtParentOnly()
    {
        var agg = Agg(SsccUrn, SgtinUrn);
        Assert.True(Q(("MATCH_parentID", SsccDl)).Matches(agg));
        Assert.False(Q(("MATCH_parentID", SgtinDl)).Matches(agg));
        Assert.False(Q(("MATCH_parentID", SsccDl)).Matches(Obj(SsccUrn)));
    }

    [Fact]
    public void MatchAnyEpc_LooksAtEveryEpcField()
    {
        var q = Q(("MATCH_anyEPC", SsccDl));
        Assert.True(q.Matches(Agg(SsccUrn, SgtinUrn)));
        Assert.True(q.Matches(Agg(null, SsccUrn)));
        Assert.True(q.Matches(Obj(SsccUrn)));
        Assert.True(q.Matches(Transform([SsccUrn], [])));
        Assert.True(q.Matches(Transform([], [SsccUrn])));
        Assert.False(q.Matches(Obj(SgtinUrn)));
        Assert.True(q.Matches(new AssociationEvent { EventTime = T0, EventTimeZoneOffset = "+00:00", Action = EpcisAction.Add, ParentId = SsccUrn }));
        Assert.True(q.Matches(new TransactionEvent { EventTime = T0, EventTimeZoneOffset = "+00:00", Action = EpcisAction.Add, EpcList = [SsccDl] }));
    }

    [Fact]
    public void MatchInputAndOutputEpc_LookAtTheirListOnly()
    {
        var t = Transform([SgtinUrn], [SsccUrn]);
        Assert.True(Q(("MATCH_inputEPC", SgtinDl)).Matches(t));
        Assert.False(Q(("MATCH_inputEPC", SsccDl)).Matches(t));
        Assert.True(Q(("MATCH_outputEPC", SsccDl)).Matches(t));
        Assert.False(Q(("MATCH_outputEPC", SgtinDl)).Matches(t));
        Assert.False(Q(("MATCH_epc", SgtinDl)).Matches(t));
        Assert.False(Q(("MATCH_inputEPC", SgtinDl)).Matches(Obj(SgtinUrn)));
    }

    [Fact]
    public void ParseForEpc_PathEpcAndedWithFilters()
    {
        var e = Obj(SgtinUrn) with { BizStep = "https://ref.gs1.org/cbv/BizStep-shipping" };
        Assert.True(EpcisQuery.ParseForEpc(SgtinDl, []).Matches(e));
        Assert.True(EpcisQuery.ParseForEpc(SgtinDl, [new("EQ_bizStep", "shipping")]).Matches(e));
        Assert.False(EpcisQuery.ParseForEpc(SgtinDl, [new("EQ_bizStep", "receiving")]).Matches(e));
        Assert.False(EpcisQuery.ParseForEpc("urn:epc:id:sgtin:0614141.107346.1", []).Matches(e));
        // the path EPC is ANDed, not ORed, with a MATCH_anyEPC parameter
        Assert.False(EpcisQuery.ParseForEpc(SgtinDl, [new("MATCH_anyEPC", SsccUrn)]).Matches(e));
    }

    // ---- classes (quantity elements) --------------------------------------------------------------------------------

    private static ObjectEvent WithClasses(params string[] classes) => Obj() with
    {
        QuantityList = EpcisList.From(classes.Select(c => new QuantityElement(c, 10))),
    };

    [Theory]
    // lgtin 4012345.012345.998877 = GTIN 04012345123456 (check digit computed by hand), lot 998877
    [InlineData("urn:epc:class:lgtin:4012345.012345.998877", "urn:epc:class:lgtin:4012345.012345.998877", true)]
    [InlineData("urn:epc:class:lgtin:4012345.012345.998877", "https://id.gs1.org/01/04012345123456/10/998877", true)]
    [InlineData("https://id.gs1.org/01/04012345123456/10/998877", "urn:epc:class:lgtin:4012345.012345.998877", true)]
    [InlineData("urn:epc:class:lgtin:4012345.012345.998877", "urn:epc:class:lgtin:4012345.012345.998878", false)]
    [InlineData("urn:epc:class:lgtin:4012345.012345.998877", "urn:epc:idpat:sgtin:4012345.012345.*", false)]
    [InlineData("urn:epc:idpat:sgtin:4012345.012345.*", "urn:epc:class:lgtin:4012345.012345.998877", true)]
    [InlineData("urn:epc:idpat:sgtin:4012345.012345.*", "urn:epc:idpat:sgtin:4012345.012345.*", true)]
    [InlineData("urn:epc:idpat:sgtin:4012345.012345.*", "https://id.gs1.org/01/04012345123456", true)]
    [InlineData("https://id.gs1.org/01/04012345123456", "urn:epc:class:lgtin:4012345.012345.A1", true)]
    [InlineData("urn:epc:idpat:sgtin:4012345.*.*", "urn:epc:class:lgtin:4012345.098765.A1", true)]
    [InlineData("urn:epc:idpat:sgtin:4012345.012345.*", "urn:epc:class:lgtin:4012345.012346.998877", false)]
    [InlineData("urn:epc:idpat:sgtin:4012345.012345.*", "urn:epc:id:sgtin:4012345.012345.1", false)]
    public void MatchEpcClass_ClassesAndPatterns(string query, string eventClass, bool expected)
    {
        Assert.Equal(expected, Q(("MATCH_epcClass", query)).Matches(WithClasses(eventClass)));
    }

    [Fact]
    public void MatchEpcClass_DoesNotLookAtEpcList()
    {
        Assert.False(Q(("MATCH_epcClass", "urn:epc:idpat:sgtin:0614141.107346.*")).Matches(Obj(SgtinUrn)));
        Assert.True(Q(("MATCH_epc", "urn:epc:idpat:sgtin:0614141.107346.*")).Matches(Obj(SgtinUrn)));
    }

    [Fact]
    public void MatchInputOutputAnyEpcClass_OnTransformationQuantities()
    {
        var t = Transform([], []) with
        {
            InputQuantityList = [new QuantityElement("urn:epc:class:lgtin:4012345.012345.IN", 1)],
            OutputQuantityList = [new QuantityElement("urn:epc:class:lgtin:4012345.012345.OUT", 1)],
        };
        Assert.True(Q(("MATCH_inputEPCClass", "urn:epc:class:lgtin:4012345.012345.IN")).Matches(t));
        Assert.False(Q(("MATCH_inputEPCClass", "urn:epc:class:lgtin:4012345.012345.OUT")).Matches(t));
        Assert.True(Q(("MATCH_outputEPCClass", "urn:epc:class:lgtin:4012345.012345.OUT")).Matches(t));
        Assert.True(Q(("MATCH_anyEPCClass", "urn:epc:class:lgtin:4012345.012345.OUT")).Matches(t));
        Assert.False(Q(("MATCH_epcClass", "urn:epc:class:lgtin:4012345.012345.OUT")).Matches(t));
        Assert.True(Q(("MATCH_anyEPCClass", "urn:epc:class:lgtin:4012345.012345.Q")).Matches(WithClasses("urn:epc:class:lgtin:4012345.012345.Q")));
    }

    // ---- vocabularies ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("shipping", true)]
    [InlineData("urn:epcglobal:cbv:bizstep:shipping", true)]
    [InlineData("https://ref.gs1.org/cbv/BizStep-shipping", true)]
    [InlineData("cbv:BizStep-shipping", true)]
    [InlineData("receiving", false)]
    [InlineData("https://example.com/steps/shipping", false)]
    public void EqBizStep_AnySpelling_ComparedInWebUriForm(string value, bool expected)
    {
        var e = Obj(SgtinUrn) with { BizStep = "https://ref.gs1.org/cbv/BizStep-shipping" };
        Assert.Equal(expected, Q(("EQ_bizStep", value)).Matches(e));
    }

    [Fact]
    public void EqBizStep_EventWithBareOrUrnValue_StillMatches()
    {
        var q = Q(("EQ_bizStep", "https://ref.gs1.org/cbv/BizStep-shipping"));
        Assert.True(q.Matches(Obj() with { BizStep = "shipping" }));
        Assert.True(q.Matches(Obj() with { BizStep = "urn:epcglobal:cbv:bizstep:shipping" }));
        Assert.False(q.Matches(Obj()));
    }

    [Fact]
    public void EqBizStep_UserVocabulary_ComparedExactly()
    {
        var q = Q(("EQ_bizStep", "https://example.com/steps/x"));
        Assert.True(q.Matches(Obj() with { BizStep = "https://example.com/steps/x" }));
        Assert.False(q.Matches(Obj() with { BizStep = "https://example.com/steps/y" }));
    }

    [Theory]
    [InlineData("in_transit", true)]
    [InlineData("urn:epcglobal:cbv:disp:in_transit", true)]
    [InlineData("https://ref.gs1.org/cbv/Disp-in_transit", true)]
    [InlineData("active", false)]
    public void EqDisposition_AnySpelling(string value, bool expected)
    {
        var e = Obj() with { Disposition = "https://ref.gs1.org/cbv/Disp-in_transit" };
        Assert.Equal(expected, Q(("EQ_disposition", value)).Matches(e));
    }

    [Fact]
    public void EqAction_MatchesActionAndNeverTransformation()
    {
        Assert.True(Q(("EQ_action", "ADD")).Matches(Agg(null, SgtinUrn)));
        Assert.False(Q(("EQ_action", "OBSERVE")).Matches(Agg(null, SgtinUrn)));
        Assert.True(Q(("EQ_action", "OBSERVE")).Matches(Obj()));
        Assert.True(Q(("EQ_action", "DELETE|OBSERVE")).Matches(Obj()));
        Assert.False(Q(("EQ_action", "ADD,OBSERVE,DELETE")).Matches(Transform([], [])));
    }

    [Fact]
    public void EventType_CommaAndPipeLists()
    {
        Assert.True(Q(("eventType", "ObjectEvent")).Matches(Obj()));
        Assert.False(Q(("eventType", "AggregationEvent")).Matches(Obj()));
        Assert.True(Q(("eventType", "AggregationEvent,ObjectEvent")).Matches(Obj()));
        Assert.True(Q(("eventType", "AggregationEvent|TransformationEvent")).Matches(Transform([], [])));
        Assert.False(Q(("eventType", "AggregationEvent|TransformationEvent")).Matches(Obj()));
    }

    // ---- locations -------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(SglnUrn, SglnDl, true)]
    [InlineData(SglnDl, SglnUrn, true)]
    [InlineData("urn:epc:id:sgln:0614141.07346.0", "https://id.gs1.org/414/0614141073467", true)]
    [InlineData("https://id.gs1.org/414/0614141073467", "urn:epc:id:sgln:0614141.07346.0", true)]
    [InlineData(SglnUrn, "urn:epc:id:sgln:0614141.07346.0", false)]
    [InlineData(SglnDl, "urn:epc:id:sgln:0614141.07346.1235", false)]
    [InlineData("urn:example:loc:dock-1", "urn:example:loc:dock-1", true)]
    [InlineData("urn:example:loc:dock-1", "urn:example:loc:dock-2", false)]
    public void EqReadPointAndBizLocation_UrnAndDigitalLink(string query, string eventLocation, bool expected)
    {
        var e = Obj() with { ReadPoint = new EpcisLocation(eventLocation), BizLocation = new EpcisLocation(eventLocation) };
        Assert.Equal(expected, Q(("EQ_readPoint", query)).Matches(e));
        Assert.Equal(expected, Q(("EQ_bizLocation", query)).Matches(e));
        Assert.False(Q(("EQ_readPoint", query)).Matches(Obj()));
    }

    [Fact]
    public void EqReadPoint_DoesNotLookAtBizLocation()
    {
        var e = Obj() with { BizLocation = new EpcisLocation(SglnUrn) };
        Assert.False(Q(("EQ_readPoint", SglnDl)).Matches(e));
        Assert.True(Q(("EQ_bizLocation", SglnDl)).Matches(e));
    }

    // ---- times -------------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("GE_eventTime", "2024-05-01T12:00:00Z", true)]
    [InlineData("GE_eventTime", "2024-05-01T14:00:00+02:00", true)]
    [InlineData("GE_eventTime", "2024-05-01T12:00:00.001Z", false)]
    [InlineData("GE_eventTime", "2024-05-01T11:59:59.999Z", true)]
    [InlineData("LT_eventTime", "2024-05-01T12:00:00Z", false)]
    [InlineData("LT_eventTime", "2024-05-01T08:00:00-04:00", false)]
    [InlineData("LT_eventTime", "2024-05-01T12:00:00.001Z", true)]
    [InlineData("LT_eventTime", "2024-05-01T14:00:00 02:00", false)]
    [InlineData("LT_eventTime", "2024-05-01T14:00:01 02:00", true)]
    public void EventTimeBounds_GeInclusiveLtExclusive(string name, string value, bool expected)
    {
        Assert.Equal(expected, Q((name, value)).Matches(Obj()));
    }

    [Fact]
    public void EventTimeBounds_CompareInstantsNotLocalTimes()
    {
        var e = Obj() with { EventTime = new DateTimeOffset(2024, 5, 1, 7, 0, 0, TimeSpan.FromHours(-5)), EventTimeZoneOffset = "-05:00" };
        Assert.True(Q(("GE_eventTime", "2024-05-01T12:00:00Z"), ("LT_eventTime", "2024-05-01T12:00:00.0000001Z")).Matches(e));
    }

    [Fact]
    public void RecordTimeBounds_EventWithoutRecordTime_NeverMatches()
    {
        var with = Obj() with { RecordTime = T0 };
        Assert.True(Q(("GE_recordTime", "2024-05-01T12:00:00Z")).Matches(with));
        Assert.False(Q(("LT_recordTime", "2024-05-01T12:00:00Z")).Matches(with));
        Assert.True(Q(("LT_recordTime", "2024-05-01T12:00:01Z")).Matches(with));
        Assert.False(Q(("GE_recordTime", "2000-01-01T00:00:00Z")).Matches(Obj()));
        Assert.False(Q(("LT_recordTime", "2100-01-01T00:00:00Z")).Matches(Obj()));
    }

    // ---- business transactions, sources, destinations ----------------------------------------------------------------

    private static ObjectEvent WithTransactions() => Obj() with
    {
        BizTransactionList =
        [
            new BizTransaction("http://transaction.acme.com/po/12345678", "https://ref.gs1.org/cbv/BTT-po"),
            new BizTransaction("urn:epcglobal:cbv:bt:0614141073467:1152", "https://ref.gs1.org/cbv/BTT-desadv"),
            new BizTransaction("urn:example:untyped"),
        ],
        SourceList = [new SourceDestination("https://ref.gs1.org/cbv/SDT-owning_party", "urn:epc:id:pgln:0614141.00001")],
        DestinationList = [new SourceDestination("https://ref.gs1.org/cbv/SDT-location", SglnUrn)],
    };

    [Theory]
    [InlineData("EQ_bizTransaction_po", "http://transaction.acme.com/po/12345678", true)]
    [InlineData("EQ_bizTransaction_urn:epcglobal:cbv:btt:po", "http://transaction.acme.com/po/12345678", true)]
    [InlineData("EQ_bizTransaction_https://ref.gs1.org/cbv/BTT-po", "http://transaction.acme.com/po/12345678", true)]
    [InlineData("EQ_bizTransaction_po", "http://transaction.acme.com/po/1", false)]
    [InlineData("EQ_bizTransaction_po", "urn:epcglobal:cbv:bt:0614141073467:1152", false)]
    [InlineData("EQ_bizTransaction_desadv", "urn:epcglobal:cbv:bt:0614141073467:1152", true)]
    [InlineData("EQ_bizTransaction_inv", "http://transaction.acme.com/po/12345678", false)]
    [InlineData("EQ_source_owning_party", "urn:epc:id:pgln:0614141.00001", true)]
    [InlineData("EQ_source_owning_party", "https://id.gs1.org/417/0614141000012", true)]
    [InlineData("EQ_source_possessing_party", "urn:epc:id:pgln:0614141.00001", false)]
    [InlineData("EQ_source_urn:epcglobal:cbv:sdt:owning_party", "urn:epc:id:pgln:0614141.00002", false)]
    [InlineData("EQ_destination_location", SglnDl, true)]
    [InlineData("EQ_destination_location", SglnUrn, true)]
    [InlineData("EQ_destination_owning_party", SglnUrn, false)]
    [InlineData("EQ_source_location", SglnUrn, false)]
    public void TypedLists_TypeAndValueMustBothMatch(string name, string value, bool expected)
    {
        Assert.Equal(expected, Q((name, value)).Matches(WithTransactions()));
    }

    [Fact]
    public void TypedLists_UserTypeUri_ComparedExactly()
    {
        var e = Obj() with { BizTransactionList = [new BizTransaction("urn:x:1", "https://example.com/btt/contract")] };
        Assert.True(Q(("EQ_bizTransaction_https://example.com/btt/contract", "urn:x:1")).Matches(e));
        Assert.False(Q(("EQ_bizTransaction_https://example.com/btt/other", "urn:x:1")).Matches(e));
    }

    // ---- ids, ILMD, error declarations ---------------------------------------------------------------------------------

    [Fact]
    public void EqEventId_Exact()
    {
        var e = Obj() with { EventId = "ni:///sha-256;abc?ver=CBV2.0" };
        Assert.True(Q(("EQ_eventID", "ni:///sha-256;abc?ver=CBV2.0")).Matches(e));
        Assert.False(Q(("EQ_eventID", "ni:///sha-256;abd?ver=CBV2.0")).Matches(e));
        Assert.False(Q(("EQ_eventID", "ni:///sha-256;abc?ver=CBV2.0")).Matches(Obj()));
    }

    [Fact]
    public void EqTransformationId_Exact()
    {
        var t = Transform([], []) with { TransformationId = "urn:example:tx:1" };
        Assert.True(Q(("EQ_transformationID", "urn:example:tx:1")).Matches(t));
        Assert.False(Q(("EQ_transformationID", "urn:example:tx:2")).Matches(t));
        Assert.False(Q(("EQ_transformationID", "urn:example:tx:1")).Matches(Obj()));
    }

    [Theory]
    [InlineData("EQ_ILMD_lotNumber", "LOT-7", true)]
    [InlineData("EQ_ILMD_cbvmda:lotNumber", "LOT-7", true)]
    [InlineData("EQ_ILMD_urn:epcglobal:cbv:mda#lotNumber", "LOT-7", true)]
    [InlineData("EQ_ILMD_lotNumber", "LOT-8", false)]
    [InlineData("EQ_ILMD_itemExpirationDate", "2026-12-31", true)]
    [InlineData("EQ_ILMD_http://ns.example.com/epcis/#lotNumber", "LOT-7", false)]
    [InlineData("EQ_ILMD_http://ns.example.com/epcis/#batch", "XYZ", true)]
    [InlineData("EQ_ILMD_batch", "XYZ", true)]
    [InlineData("EQ_ILMD_cbvmda:batch", "XYZ", false)]
    public void EqIlmd_ByLocalNameOrQualifiedName(string name, string value, bool expected)
    {
        var e = Obj() with
        {
            Ilmd =
            [
                EpcisExtension.Text(EpcisIlmd.CbvMdaNamespace, "lotNumber", "LOT-7"),
                EpcisExtension.Text(EpcisIlmd.CbvMdaNamespace, "itemExpirationDate", "2026-12-31"),
                EpcisExtension.Text("http://ns.example.com/epcis/", "batch", "XYZ"),
            ],
        };
        Assert.Equal(expected, Q((name, value)).Matches(e));
        Assert.False(Q((name, value)).Matches(Agg(null)));
    }

    [Fact]
    public void ErrorDeclarationFilters()
    {
        var declared = Obj() with
        {
            ErrorDeclaration = new ErrorDeclaration
            {
                DeclarationTime = T0,
                Reason = "https://ref.gs1.org/cbv/ER-incorrect_data",
                CorrectiveEventIds = ["urn:uuid:fix-1"],
            },
        };
        Assert.True(Q(("EXISTS_errorDeclaration", "")).Matches(declared));
        Assert.True(Q(("EXISTS_errorDeclaration", null)).Matches(declared));
        Assert.False(Q(("EXISTS_errorDeclaration", "")).Matches(Obj()));
        Assert.True(Q(("EQ_errorReason", "incorrect_data")).Matches(declared));
        Assert.True(Q(("EQ_errorReason", "urn:epcglobal:cbv:er:incorrect_data")).Matches(declared));
        Assert.False(Q(("EQ_errorReason", "did_not_occur")).Matches(declared));
        Assert.True(Q(("EQ_correctiveEventID", "urn:uuid:fix-1")).Matches(declared));
        Assert.False(Q(("EQ_correctiveEventID", "urn:uuid:fix-2")).Matches(declared));
    }

    // ---- AND / OR ------------------------------------------------------------------------------------------------------------

    [Fact]
    public void DifferentParameters_AreAnded()
    {
        var e = Obj(SgtinUrn) with { BizStep = "https://ref.gs1.org/cbv/BizStep-shipping" };
        Assert.True(Q(("EQ_bizStep", "shipping"), ("MATCH_epc", SgtinDl)).Matches(e));
        Assert.False(Q(("EQ_bizStep", "receiving"), ("MATCH_epc", SgtinDl)).Matches(e));
        Assert.False(Q(("EQ_bizStep", "shipping"), ("MATCH_epc", "urn:epc:id:sgtin:0614141.107346.9")).Matches(e));
        Assert.False(Q(("EQ_bizStep", "shipping"), ("eventType", "AggregationEvent")).Matches(e));
    }

    [Fact]
    public void ValuesOfOneParameter_AreOred_WhetherListedOrRepeated()
    {
        var shipping = Obj() with { BizStep = "https://ref.gs1.org/cbv/BizStep-shipping" };
        var receiving = Obj() with { BizStep = "https://ref.gs1.org/cbv/BizStep-receiving" };
        var packing = Obj() with { BizStep = "https://ref.gs1.org/cbv/BizStep-packing" };
        foreach (var q in new[]
        {
            Q(("EQ_bizStep", "shipping,receiving")),
            Q(("EQ_bizStep", "shipping|urn:epcglobal:cbv:bizstep:receiving")),
            Q(("EQ_bizStep", "shipping"), ("EQ_bizStep", "receiving")),
        })
        {
            Assert.True(q.Matches(shipping));
            Assert.True(q.Matches(receiving));
            Assert.False(q.Matches(packing));
        }
    }

    [Fact]
    public void NoFilters_MatchEverything()
    {
        var q = Q(("perPage", "3"));
        Assert.True(q.Matches(Obj()));
        Assert.True(q.Matches(Transform([], [])));
    }
}
