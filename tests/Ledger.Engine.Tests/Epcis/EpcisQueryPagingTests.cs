using System.Buffers.Text;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Engine.Epcis;
using Ledger.Protocol.Epcis;
using Xunit;
using static Ledger.Engine.Tests.Epcis.EpcisQueryTestKit;

namespace Ledger.Engine.Tests.Epcis;

public sealed class EpcisQueryPagingTests
{
    /// <summary>A store: events with increasing, gapped sequence numbers; the bizStep alternates shipping/receiving.</summary>
    private static List<(long Sequence, EpcisEvent Event)> Store(int count) =>
        [.. Enumerable.Range(0, count).Select(i => ((long)(100 + 7 * i), (EpcisEvent)(Obj($"urn:epc:id:sgtin:0614141.107346.{i}") with
        {
            BizStep = i % 2 == 0 ? "https://ref.gs1.org/cbv/BizStep-shipping" : "https://ref.gs1.org/cbv/BizStep-receiving",
            EventTime = T0.AddMinutes(i),
        })))];

    /// <summary>What the node does: seek after the token's sequence, run, repeat with the returned token.</summary>
    private static List<EpcisQueryPage> PageThrough(List<(long Sequence, EpcisEvent Event)> store, Func<string?, EpcisQuery> parse, int maxPages = 1000)
    {
        var pages = new List<EpcisQueryPage>();
        string? token = null;
        do
        {
            var q = parse(token);
            var page = EpcisQuery.Run(store.Where(x => q.AfterSequence is not { } a || x.Sequence > a), q);
            pages.Add(page);
            token = page.NextPageToken;
        }
        while (token is not null && pages.Count < maxPages);
        return pages;
    }

    private static Func<string?, EpcisQuery> With(params (string Name, string Value)[] filters) => token =>
        Q([.. filters.Select(f => (f.Name, (string?)f.Value)), .. token is null ? Array.Empty<(string, string?)>() : [("nextPageToken", token)]]);

    [Fact]
    public void Run_95EventsPerPage30_Gives30_30_30_5WithoutGapsOrDuplicates()
    {
        var store = Store(95);
        var pages = PageThrough(store, With(("perPage", "30")));
        Assert.Equal([30, 30, 30, 5], pages.Select(p => p.Items.Count));
        Assert.Equal(store.Select(s => s.Sequence), pages.SelectMany(p => p.Items).Select(i => i.Sequence));
        Assert.Null(pages[^1].NextPageToken);
        Assert.All(pages.Take(3), p => Assert.NotNull(p.NextPageToken));
    }

    [Fact]
    public void Run_DefaultPerPage_Is30()
    {
        var page = EpcisQuery.Run(Store(95), Q());
        Assert.Equal(30, page.Items.Count);
    }

    [Fact]
    public void Run_ExactMultipleOfPerPage_LastFullPageHasNoToken()
    {
        var pages = PageThrough(Store(90), With(("perPage", "30")));
        Assert.Equal([30, 30, 30], pages.Select(p => p.Items.Count));
        Assert.Null(pages[^1].NextPageToken);
    }

    [Fact]
    public void Run_EmptyStore_EmptyPageNoToken()
    {
        var page = EpcisQuery.Run([], Q());
        Assert.Empty(page.Items);
        Assert.Null(page.NextPageToken);
    }

    [Fact]
    public void Run_WithFilter_PagesOverMatchesOnly()
    {
        var store = Store(95);
        var pages = PageThrough(store, With(("EQ_bizStep", "shipping"), ("perPage", "10")));
        var expected = store.Where((_, i) => i % 2 == 0).Select(s => s.Sequence).ToList();
        Assert.Equal(48, expected.Count);
        Assert.Equal([10, 10, 10, 10, 8], pages.Select(p => p.Items.Count));
        Assert.Equal(expected, pages.SelectMany(p => p.Items).Select(i => i.Sequence));
    }

    [Fact]
    public void Run_StoreIgnoresAfterSequence_EarlierEventsSkipped()
    {
        var store = Store(95);
        var first = EpcisQuery.Run(store, Q(("perPage", "30")));
        var second = EpcisQuery.Run(store, Q(("perPage", "30"), ("nextPageToken", first.NextPageToken)));
        Assert.Equal(store.Skip(30).Take(30).Select(s => s.Sequence), second.Items.Select(i => i.Sequence));
    }

    [Fact]
    public void Token_CarriesLastReturnedSequence()
    {
        var store = Store(95);
        var first = EpcisQuery.Run(store, Q(("perPage", "30")));
        Assert.Equal(first.Items[^1].Sequence, Q(("nextPageToken", first.NextPageToken)).AfterSequence);
    }

    [Fact]
    public void Token_PerPageMayChangeBetweenPages()
    {
        var store = Store(95);
        var first = EpcisQuery.Run(store, Q(("perPage", "30")));
        var second = EpcisQuery.Run(store, Q(("perPage", "50"), ("nextPageToken", first.NextPageToken)));
        Assert.Equal(store.Skip(30).Take(50).Select(s => s.Sequence), second.Items.Select(i => i.Sequence));
    }

    [Fact]
    public void Token_EquivalentSpellingOfSameFilter_Accepted()
    {
        var first = EpcisQuery.Run(Store(95), Q(("EQ_bizStep", "shipping"), ("perPage", "5")));
        var q = Q(("EQ_bizStep", "urn:epcglobal:cbv:bizstep:shipping"), ("nextPageToken", first.NextPageToken));
        Assert.Equal(first.Items[^1].Sequence, q.AfterSequence);
    }

    [Theory]
    [InlineData("EQ_bizStep", "receiving")]
    [InlineData("MATCH_epc", "urn:epc:id:sgtin:0614141.107346.1")]
    public void Token_ReusedWithOtherFilters_RejectedNamingTheToken(string name, string value)
    {
        var first = EpcisQuery.Run(Store(95), Q(("EQ_bizStep", "shipping"), ("perPage", "5")));
        var ex = Assert.Throws<EpcisQueryException>(() => Q((name, value), ("nextPageToken", first.NextPageToken)));
        Assert.Equal("nextPageToken", ex.Parameter);
        Assert.Equal("token-query", ex.Rule);
        Assert.Equal(EpcisQueryException.QueryParameterException, ex.ExceptionType);
    }

    [Fact]
    public void Token_ReusedWithoutAnyFilter_Rejected()
    {
        var first = EpcisQuery.Run(Store(95), Q(("EQ_bizStep", "shipping"), ("perPage", "5")));
        Assert.Equal("token-query", Assert.Throws<EpcisQueryException>(() => Q(("nextPageToken", first.NextPageToken))).Rule);
    }

    [Fact]
    public void Token_AnyByteAltered_Rejected()
    {
        var token = EpcisQuery.Run(Store(95), Q(("perPage", "5"))).NextPageToken!;
        var bytes = Base64Url.DecodeFromChars(token);
        Assert.Equal(33, bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var altered = (byte[])bytes.Clone();
                altered[i] ^= (byte)(1 << bit);
                var ex = Assert.Throws<EpcisQueryException>(() => Q(("nextPageToken", Base64Url.EncodeToString(altered))));
                Assert.Equal("nextPageToken", ex.Parameter);
                Assert.Equal(i == 0 ? "token-format" : "token-integrity", ex.Rule);
            }
        }
    }

    [Fact]
    public void Token_TruncatedOrExtended_RejectedAsFormat()
    {
        var token = EpcisQuery.Run(Store(95), Q(("perPage", "5"))).NextPageToken!;
        Assert.Equal("token-format", Assert.Throws<EpcisQueryException>(() => Q(("nextPageToken", token[..^2]))).Rule);
        Assert.Equal("token-format", Assert.Throws<EpcisQueryException>(() => Q(("nextPageToken", token + "AAAA"))).Rule);
    }

    [Fact]
    public void Token_WithNodeKey_RejectedUnderOtherKeyOrWithoutKey()
    {
        var keyA = new EpcisQueryOptions { TokenKey = new byte[] { 1, 2, 3, 4 } };
        var keyB = new EpcisQueryOptions { TokenKey = new byte[] { 1, 2, 3, 5 } };
        var token = EpcisQuery.Run(Store(95), QWith(keyA, ("perPage", "5"))).NextPageToken;
        Assert.NotNull(QWith(keyA, ("nextPageToken", token)).AfterSequence);
        Assert.Equal("token-integrity", Assert.Throws<EpcisQueryException>(() => QWith(keyB, ("nextPageToken", token))).Rule);
        Assert.Equal("token-integrity", Assert.Throws<EpcisQueryException>(() => Q(("nextPageToken", token))).Rule);
        var unkeyed = EpcisQuery.Run(Store(95), Q(("perPage", "5"))).NextPageToken;
        Assert.Equal("token-integrity", Assert.Throws<EpcisQueryException>(() => QWith(keyA, ("nextPageToken", unkeyed))).Rule);
    }

    [Fact]
    public void Token_IsBase64UrlWithoutPadding()
    {
        var token = EpcisQuery.Run(Store(95), Q(("perPage", "5"))).NextPageToken!;
        Assert.Equal(44, token.Length);
        Assert.All(token, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_', $"'{c}' is not base64url"));
    }

    [Fact]
    public void Run_SequencesNotIncreasing_Throws()
    {
        var store = Store(3);
        (long, EpcisEvent)[] bad = [store[1], store[0], store[2]];
        Assert.Throws<ArgumentException>(() => EpcisQuery.Run(bad, Q()));
    }

    // ---- property: paging returns exactly what Matches selects, in order ------------------------------------------------

    private static readonly string[] Serials = ["1", "2", "3", "A-7"];
    private static readonly string[] Steps = ["shipping", "receiving", "packing"];

    private static string Epc(int product, int serial, bool digitalLink) => (product, digitalLink) switch
    {
        (0, false) => $"urn:epc:id:sgtin:0614141.107346.{Serials[serial]}",
        (0, true) => $"https://id.gs1.org/01/10614141073464/21/{Serials[serial]}",
        (_, false) => $"urn:epc:id:sgtin:4012345.011122.{Serials[serial]}",
        _ => $"https://id.gs1.org/01/04012345111228/21/{Serials[serial]}",
    };

    private static readonly Gen<EpcisEvent> Events =
        from product in Gen.Choose(0, 1)
        from serial in Gen.Choose(0, Serials.Length - 1)
        from digitalLink in Gen.Elements(true, false)
        from step in Gen.Choose(-1, Steps.Length - 1)
        from minute in Gen.Choose(0, 30)
        from aggregation in Gen.Elements(true, false)
        select aggregation
            ? (EpcisEvent)(Agg(null, Epc(product, serial, digitalLink)) with
            {
                BizStep = step < 0 ? null : Steps[step],
                EventTime = T0.AddMinutes(minute),
            })
            : Obj(Epc(product, serial, digitalLink)) with
            {
                BizStep = step < 0 ? null : Steps[step],
                EventTime = T0.AddMinutes(minute),
            };

    private static readonly Gen<(string Name, string Value)> Filters = Gen.OneOf(
        Gen.Elements(Steps).Select(s => ("EQ_bizStep", s)),
        from p in Gen.Choose(0, 1)
        from s in Gen.Choose(0, Serials.Length - 1)
        from dl in Gen.Elements(true, false)
        select ("MATCH_epc", Epc(p, s, dl)),
        Gen.Elements("urn:epc:idpat:sgtin:0614141.107346.*", "urn:epc:idpat:sgtin:4012345.*.*", "urn:epc:idpat:sgtin:*.*.*")
            .Select(p => ("MATCH_anyEPC", p)),
        Gen.Choose(0, 31).Select(m => ("GE_eventTime", EpcisTime.Format(T0.AddMinutes(m)))),
        Gen.Choose(0, 31).Select(m => ("LT_eventTime", EpcisTime.Format(T0.AddMinutes(m).ToOffset(TimeSpan.FromHours(2))))),
        Gen.Elements("ObjectEvent", "AggregationEvent", "ObjectEvent|AggregationEvent").Select(t => ("eventType", t)),
        Gen.Elements("ADD", "OBSERVE").Select(a => ("EQ_action", a)));

    private static readonly Gen<(List<(long Sequence, EpcisEvent Event)> Store, (string Name, string Value) Filter, int PerPage)> Cases =
        from count in Gen.Choose(0, 60)
        from events in Gen.ArrayOf(Events, count)
        from gaps in Gen.ArrayOf(Gen.Choose(1, 5), count)
        from filter in Filters
        from perPage in Gen.Choose(1, 8)
        select (Sequenced(events, gaps), filter, perPage);

    private static List<(long, EpcisEvent)> Sequenced(EpcisEvent[] events, int[] gaps)
    {
        var list = new List<(long, EpcisEvent)>(events.Length);
        long sequence = 0;
        for (var i = 0; i < events.Length; i++)
        {
            sequence += gaps[i];
            list.Add((sequence, events[i]));
        }
        return list;
    }

    [Fact]
    public void Paging_RandomStoresAndSingleFilters_ReturnsExactlyTheMatchingEventsInOrder()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var (store, filter, perPage) = c;
            var parse = With(filter, ("perPage", perPage.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var expected = store.Where(s => parse(null).Matches(s.Event)).Select(s => s.Sequence).ToList();
            var pages = PageThrough(store, parse, maxPages: store.Count + 2);
            var got = pages.SelectMany(p => p.Items).Select(i => i.Sequence).ToList();
            var sizesOk = pages.Take(pages.Count - 1).All(p => p.Items.Count == perPage) && pages[^1].Items.Count <= perPage;
            var countOk = pages.Count == Math.Max(1, (expected.Count + perPage - 1) / perPage);
            return got.SequenceEqual(expected) && sizesOk && countOk && pages[^1].NextPageToken is null;
        }));
    }

    [Fact]
    public void Paging_PropertyFiltersAreSelective()
    {
        // Guards the property test against vacuity: over one fixed store, each filter kind selects some but not all events.
        var store = Store(20);
        Assert.InRange(store.Count(s => Q(("EQ_bizStep", "shipping")).Matches(s.Event)), 1, 19);
        Assert.InRange(store.Count(s => Q(("GE_eventTime", EpcisTime.Format(T0.AddMinutes(10)))).Matches(s.Event)), 1, 19);
        Assert.InRange(store.Count(s => Q(("MATCH_epc", "https://id.gs1.org/01/10614141073464/21/3")).Matches(s.Event)), 1, 19);
    }
}
