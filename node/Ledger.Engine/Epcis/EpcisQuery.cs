using System.Globalization;
using Ledger.Protocol;
using Ledger.Protocol.Epcis;

namespace Ledger.Engine.Epcis;

/// <summary>
/// An EPCIS 2.0 REST query (<c>GET /events</c>, <c>GET /epcs/{epc}/events</c>) parsed from its query parameters:
/// filters (different parameters are ANDed, the values of one parameter are ORed), the page size and the position
/// after a <c>nextPageToken</c>. Pure: no clock, no I/O. The supported parameters and normal forms are listed in
/// docs/spec/epcis-query.md.
/// </summary>
public sealed partial class EpcisQuery
{
    private readonly IReadOnlyList<Condition> _conditions;
    private readonly EpcisQueryOptions _options;

    private EpcisQuery(IReadOnlyList<Condition> conditions, int perPage, long? afterSequence, Hash32 filterDigest, EpcisQueryOptions options,
        EpcisOrderBy? orderBy, bool descending, (long Key, long Sequence)? afterPosition)
    {
        _conditions = conditions;
        PerPage = perPage;
        AfterSequence = afterSequence;
        FilterDigest = filterDigest;
        _options = options;
        OrderBy = orderBy;
        Descending = descending;
        _afterPosition = afterPosition;
    }

    private readonly (long Key, long Sequence)? _afterPosition;

    /// <summary>
    /// The ordering asked for with <c>orderBy</c>, or null for capture (sequence) order. An ordered query reads every
    /// candidate event (the store must not seek: <see cref="AfterSequence"/> is null) and pages by its sort position.
    /// </summary>
    public EpcisOrderBy? OrderBy { get; }

    /// <summary><c>orderDirection=DESC</c> (the standard's default when <c>orderBy</c> is given).</summary>
    public bool Descending { get; }

    /// <summary>The most events one page holds (<c>perPage</c>, default 30).</summary>
    public int PerPage { get; }

    /// <summary>
    /// When the query carried a <c>nextPageToken</c>: the sequence of the last event of the previous page. The store
    /// should seek to the first event with a larger sequence.
    /// </summary>
    public long? AfterSequence { get; }

    /// <summary>
    /// The digest of the query's normalised filters (not of perPage or the token): equal for equivalent spellings of
    /// the same filters (e.g. <c>EQ_bizStep=shipping</c> and <c>EQ_bizStep=urn:epcglobal:cbv:bizstep:shipping</c>).
    /// </summary>
    public Hash32 FilterDigest { get; }

    /// <summary>The normalised filters, one line per parameter (<c>name=value|value</c>, sorted), as hashed into <see cref="FilterDigest"/>.</summary>
    public string CanonicalFilter => string.Join('\n', _conditions.Select(c => c.Description));

    /// <summary>Parses the query parameters of <c>GET /events</c>.</summary>
    /// <param name="parameters">Decoded query parameters in request order; a name may repeat (its values are ORed).</param>
    /// <param name="options">Page sizes and token key; <see cref="EpcisQueryOptions.Default"/> when null.</param>
    /// <exception cref="EpcisQueryException">An unknown or unsupported parameter, or a value that breaks its rule.</exception>
    public static EpcisQuery Parse(IEnumerable<KeyValuePair<string, string?>> parameters, EpcisQueryOptions? options = null) =>
        Build(parameters, options, null);

    /// <summary>
    /// Parses the query of <c>GET /epcs/{epc}/events</c>: the path <paramref name="epc"/> (EPC URN, Digital Link or EPC
    /// pattern) must match the event's epcList, childEPCs, inputEPCList, outputEPCList or parentID, ANDed with the
    /// <paramref name="parameters"/>.
    /// </summary>
    /// <exception cref="EpcisQueryException">The path EPC (parameter <c>epc</c>) or a parameter is invalid.</exception>
    public static EpcisQuery ParseForEpc(string epc, IEnumerable<KeyValuePair<string, string?>> parameters, EpcisQueryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(epc);
        return Build(parameters, options, epc);
    }

    /// <summary>True when <paramref name="e"/> satisfies every filter of the query.</summary>
    public bool Matches(EpcisEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        foreach (var c in _conditions)
        {
            if (!c.Predicate(e))
                return false;
        }
        return true;
    }

    /// <summary>The token that continues this query after the event with sequence <paramref name="lastSequence"/>.</summary>
    public string CreatePageToken(long lastSequence) => EpcisPageToken.Encode(lastSequence, FilterDigest, _options.TokenKey.Span);

    /// <summary>
    /// Runs <paramref name="query"/> over <paramref name="ordered"/> (the store's events in increasing sequence order,
    /// ideally starting after <see cref="AfterSequence"/>; earlier ones are skipped): returns up to
    /// <see cref="PerPage"/> matching events and, when a further event matches, the token for the next page.
    /// It reads at most up to the first match after the page is full.
    /// </summary>
    /// <exception cref="ArgumentException">The sequence numbers do not increase.</exception>
    public static EpcisQueryPage Run(IEnumerable<(long Sequence, EpcisEvent Event)> ordered, EpcisQuery query)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        ArgumentNullException.ThrowIfNull(query);
        if (query.OrderBy is { } orderBy)
            return RunOrdered(ordered, query, orderBy);
        var items = new List<EpcisStoredEvent>(Math.Min(query.PerPage, 256));
        long? previous = null;
        var more = false;
        foreach (var (sequence, e) in ordered)
        {
            if (previous is { } p && sequence <= p)
                throw new ArgumentException($"sequence numbers must increase: {sequence} follows {p}", nameof(ordered));
            previous = sequence;
            if (query.AfterSequence is { } after && sequence <= after)
                continue;
            if (!query.Matches(e))
                continue;
            if (items.Count == query.PerPage)
            {
                more = true;
                break;
            }
            items.Add(new EpcisStoredEvent(sequence, e));
        }
        return new EpcisQueryPage(items, more ? query.CreatePageToken(items[^1].Sequence) : null);
    }

    /// <summary>The sort key of an event under <paramref name="orderBy"/>: UTC ticks; an event without recordTime sorts first.</summary>
    public static long SortKey(EpcisEvent e, EpcisOrderBy orderBy) => orderBy == EpcisOrderBy.EventTime
        ? e.EventTime.UtcTicks
        : e.RecordTime?.UtcTicks ?? long.MinValue;

    private static EpcisQueryPage RunOrdered(IEnumerable<(long Sequence, EpcisEvent Event)> ordered, EpcisQuery query, EpcisOrderBy orderBy)
    {
        var matches = new List<(long Key, long Sequence, EpcisEvent Event)>();
        long? previous = null;
        foreach (var (sequence, e) in ordered)
        {
            if (previous is { } p && sequence <= p)
                throw new ArgumentException($"sequence numbers must increase: {sequence} follows {p}", nameof(ordered));
            previous = sequence;
            if (query.Matches(e))
                matches.Add((SortKey(e, orderBy), sequence, e));
        }
        // Ties on the time break by sequence, in the same direction, so the order is total and pages never overlap.
        var sign = query.Descending ? -1 : 1;
        int Compare((long Key, long Sequence) a, (long Key, long Sequence) b) =>
            sign * (a.Key != b.Key ? a.Key.CompareTo(b.Key) : a.Sequence.CompareTo(b.Sequence));
        matches.Sort((a, b) => Compare((a.Key, a.Sequence), (b.Key, b.Sequence)));
        var start = 0;
        if (query._afterPosition is { } after)
        {
            while (start < matches.Count && Compare((matches[start].Key, matches[start].Sequence), after) <= 0)
                start++;
        }
        var page = matches.Skip(start).Take(query.PerPage).Select(m => new EpcisStoredEvent(m.Sequence, m.Event)).ToList();
        var more = start + page.Count < matches.Count;
        var last = more ? matches[start + page.Count - 1] : default;
        return new EpcisQueryPage(page, more ? EpcisPageToken.EncodeOrdered(last.Key, last.Sequence, query.FilterDigest, query._options.TokenKey.Span) : null);
    }

    private sealed record Condition(string Description, Func<EpcisEvent, bool> Predicate);

    private static readonly string[] UnsupportedPrefixes = ["EQ_", "GE_", "GT_", "LT_", "LE_", "WD_", "MATCH_", "EXISTS_", "HASATTR_", "EQATTR_"];

    private static EpcisQuery Build(IEnumerable<KeyValuePair<string, string?>> parameters, EpcisQueryOptions? options, string? pathEpc)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        options ??= EpcisQueryOptions.Default;
        var grouped = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (name, value) in parameters)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new EpcisQueryException("query", "empty", "a query parameter has no name");
            if (!grouped.TryGetValue(name, out var list))
            {
                grouped[name] = list = [];
                order.Add(name);
            }
            list.Add(value ?? "");
        }

        var perPage = options.DefaultPerPage;
        string? token = null;
        EpcisOrderBy? orderBy = null;
        string? direction = null;
        var conditions = new List<Condition>();
        foreach (var name in order)
        {
            var raw = grouped[name];
            switch (name)
            {
                case "perPage":
                    perPage = ParsePerPage(Single(name, raw), name, options);
                    break;
                case "nextPageToken":
                    token = Single(name, raw);
                    if (token.Trim().Length == 0)
                        throw new EpcisQueryException(name, "empty", "the page token is empty");
                    break;
                case "orderBy":
                    orderBy = Single(name, raw).Trim() switch
                    {
                        "eventTime" => EpcisOrderBy.EventTime,
                        "recordTime" => EpcisOrderBy.RecordTime,
                        var v => throw new EpcisQueryException(name, "enum", $"'{v}' is not an order this server supports (eventTime, recordTime)"),
                    };
                    break;
                case "orderDirection":
                    direction = Single(name, raw).Trim() is var d && d is "ASC" or "DESC"
                        ? d
                        : throw new EpcisQueryException(name, "enum", $"'{raw[0]}' is not an order direction (ASC, DESC)");
                    break;
                case "eventCountLimit":
                case "maxEventCount":
                    throw new EpcisQueryException(name, "unsupported", "answers are paged (perPage, nextPageToken); a result-size limit is not supported");
                default:
                    conditions.Add(ParseFilter(name, raw));
                    break;
            }
        }
        if (pathEpc is not null)
        {
            var matchers = new[] { EpcisIdMatcher.Parse(pathEpc, "epc", classLevel: false) };
            conditions.Add(EpcCondition("path:epc", matchers, AnyEpcs));
        }
        if (direction is not null && orderBy is null)
            throw new EpcisQueryException("orderDirection", "requires", "orderDirection applies to orderBy; give orderBy=eventTime or orderBy=recordTime");
        conditions.Sort((a, b) => string.CompareOrdinal(a.Description, b.Description));
        var descending = direction != "ASC";
        var canonical = string.Join('\n', conditions.Select(c => c.Description));
        // The order is part of what a token continues: an ordered query's token is not valid for another order.
        if (orderBy is { } ob)
            canonical += "\norderBy=" + ob + " " + (descending ? "DESC" : "ASC");
        var digest = EpcisPageToken.FilterDigest(canonical);
        if (token is null)
            return new EpcisQuery(conditions, perPage, null, digest, options, orderBy, descending, null);
        if (orderBy is null)
            return new EpcisQuery(conditions, perPage, EpcisPageToken.Decode(token, digest, options.TokenKey.Span, "nextPageToken"), digest, options, null, false, null);
        var position = EpcisPageToken.DecodeOrdered(token, digest, options.TokenKey.Span, "nextPageToken");
        return new EpcisQuery(conditions, perPage, null, digest, options, orderBy, descending, position);
    }

    private static Condition ParseFilter(string name, List<string> raw)
    {
        switch (name)
        {
            case "eventType":
            {
                var types = Values(name, raw).Select(v => Enum.TryParse<EpcisEventType>(v, false, out var t) && Enum.IsDefined(t) && !char.IsAsciiDigit(v[0])
                    ? t
                    : throw new EpcisQueryException(name, "enum",
                        $"'{v}' is not an event type (ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent)")).ToHashSet();
                return Make(name, types.Select(t => t.ToString()), e => types.Contains(e.EventType));
            }
            case "EQ_action":
            {
                var actions = Values(name, raw).Select(v => v switch
                {
                    "ADD" => EpcisAction.Add,
                    "OBSERVE" => EpcisAction.Observe,
                    "DELETE" => EpcisAction.Delete,
                    _ => throw new EpcisQueryException(name, "enum", $"'{v}' is not an action (ADD, OBSERVE, DELETE)"),
                }).ToHashSet();
                return Make(name, actions.Select(a => a.ToString()), e => ActionOf(e) is { } a && actions.Contains(a));
            }
            case "EQ_bizStep":
                return VocabularyCondition(name, raw, CbvVocabulary.BizStep, e => e.BizStep);
            case "EQ_disposition":
                return VocabularyCondition(name, raw, CbvVocabulary.Disposition, e => e.Disposition);
            case "EQ_errorReason":
                return VocabularyCondition(name, raw, CbvVocabulary.ErrorReason, e => e.ErrorDeclaration?.Reason);
            case "EQ_readPoint":
                return IdentifierCondition(name, raw, e => e.ReadPoint is { } l ? [l.Id] : []);
            case "EQ_bizLocation":
                return IdentifierCondition(name, raw, e => e.BizLocation is { } l ? [l.Id] : []);
            case "EQ_eventID":
                return ExactCondition(name, raw, e => e.EventId is { } id ? [id] : []);
            case "EQ_transformationID":
                return ExactCondition(name, raw, e => e is TransformationEvent { TransformationId: { } id } ? [id] : []);
            case "EQ_correctiveEventID":
                return ExactCondition(name, raw, e => e.ErrorDeclaration?.CorrectiveEventIds ?? (IEnumerable<string>)[]);
            case "EXISTS_errorDeclaration":
                if (raw.Any(v => v.Trim().Length != 0 && v.Trim() != "true"))
                    throw new EpcisQueryException(name, "no-value", "EXISTS_ parameters take no value (write EXISTS_errorDeclaration= or =true)");
                return new Condition(name, e => e.ErrorDeclaration is not null);
            case "MATCH_epc":
                return EpcCondition(name, Matchers(name, raw, false), Epcs);
            case "MATCH_parentID":
                return EpcCondition(name, Matchers(name, raw, false), ParentIds);
            case "MATCH_inputEPC":
                return EpcCondition(name, Matchers(name, raw, false), e => e is TransformationEvent t ? t.InputEpcList : []);
            case "MATCH_outputEPC":
                return EpcCondition(name, Matchers(name, raw, false), e => e is TransformationEvent t ? t.OutputEpcList : []);
            case "MATCH_anyEPC":
                return EpcCondition(name, Matchers(name, raw, false), AnyEpcs);
            case "MATCH_epcClass":
                return EpcCondition(name, Matchers(name, raw, true), e => Classes(Quantities(e)));
            case "MATCH_inputEPCClass":
                return EpcCondition(name, Matchers(name, raw, true), e => e is TransformationEvent t ? Classes(t.InputQuantityList) : []);
            case "MATCH_outputEPCClass":
                return EpcCondition(name, Matchers(name, raw, true), e => e is TransformationEvent t ? Classes(t.OutputQuantityList) : []);
            case "MATCH_anyEPCClass":
                return EpcCondition(name, Matchers(name, raw, true), e => Classes(AnyQuantities(e)));
            case "GE_eventTime":
            {
                var t = ParseTime(Single(name, raw), name);
                return Make(name, [Utc(t)], e => e.EventTime >= t);
            }
            case "LT_eventTime":
            {
                var t = ParseTime(Single(name, raw), name);
                return Make(name, [Utc(t)], e => e.EventTime < t);
            }
            case "GE_recordTime":
            {
                var t = ParseTime(Single(name, raw), name);
                return Make(name, [Utc(t)], e => e.RecordTime is { } r && r >= t);
            }
            case "LT_recordTime":
            {
                var t = ParseTime(Single(name, raw), name);
                return Make(name, [Utc(t)], e => e.RecordTime is { } r && r < t);
            }
        }
        if (SensorCondition(name, raw) is { } sensor)
            return sensor;
        if (TypedSuffix(name, "EQ_bizTransaction_") is { } btt)
        {
            var type = NormalizeType(name, btt, CbvVocabulary.BizTransactionType);
            var values = Values(name, raw).Select(EpcisIdentifiers.Canonical).ToHashSet(StringComparer.Ordinal);
            return Make("EQ_bizTransaction_" + type, values, e => e.BizTransactionList.Any(b =>
                b.Type is { } t && LenientVocabulary(CbvVocabulary.BizTransactionType, t) == type && values.Contains(EpcisIdentifiers.Canonical(b.Value))));
        }
        if (TypedSuffix(name, "EQ_source_") is { } st)
            return SourceDestinationCondition(name, "EQ_source_", st, raw, e => e.SourceList);
        if (TypedSuffix(name, "EQ_destination_") is { } dt)
            return SourceDestinationCondition(name, "EQ_destination_", dt, raw, e => e.DestinationList);
        if (TypedSuffix(name, "EQ_ILMD_") is { } field)
            return IlmdCondition(name, field, raw);
        if (UnsupportedPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)) || name is "eventCountLimit" or "maxEventCount")
            throw new EpcisQueryException(name, "unsupported", "this EPCIS query parameter is not supported by this server (docs/spec/epcis-query.md lists the supported ones)");
        throw new EpcisQueryException(name, "unknown", "not an EPCIS query parameter (names are case-sensitive, e.g. EQ_bizStep, MATCH_epc, GE_eventTime)");
    }

    private static string? TypedSuffix(string name, string prefix)
    {
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
            return null;
        var suffix = name[prefix.Length..];
        return suffix.Trim().Length == 0
            ? throw new EpcisQueryException(name, "empty", $"the type after {prefix} is missing (e.g. {prefix}{(prefix.Contains("ILMD", StringComparison.Ordinal) ? "lotNumber" : "po")})")
            : suffix;
    }

    private static Condition Make(string name, IEnumerable<string> values, Func<EpcisEvent, bool> predicate) =>
        new(name + "=" + string.Join('|', values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)), predicate);

    private static string Single(string name, List<string> raw) =>
        raw.Count == 1 ? raw[0] : throw new EpcisQueryException(name, "single-valued", $"given {raw.Count} times; this parameter takes one value");

    /// <summary>Splits every occurrence on ',' and '|'; every piece must be non-empty.</summary>
    private static List<string> Values(string name, List<string> raw)
    {
        var result = new List<string>();
        foreach (var r in raw)
        {
            foreach (var piece in r.Split([',', '|']))
            {
                var v = piece.Trim();
                if (v.Length == 0)
                    throw new EpcisQueryException(name, "empty", "an empty value (the values of one parameter are separated by ',' or '|')");
                result.Add(v);
            }
        }
        return result;
    }

    private static int ParsePerPage(string value, string name, EpcisQueryOptions options)
    {
        var v = value.Trim();
        if (v.Length == 0 || v.Length > 9 || !v.All(char.IsAsciiDigit))
            throw new EpcisQueryException(name, "integer", $"'{value}' is not a positive whole number");
        var n = int.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture);
        if (n < 1 || n > options.MaxPerPage)
            throw new EpcisQueryException(name, "range", $"{n} is outside 1..{options.MaxPerPage.ToString(CultureInfo.InvariantCulture)}");
        return n;
    }

    private static DateTimeOffset ParseTime(string value, string name)
    {
        try
        {
            return EpcisTime.Parse(value, name);
        }
        catch (EpcisFormatException)
        {
            // A '+' in an unencoded query string arrives as a space: 2020-01-01T00:00:00 01:00.
            if (value.Trim().Contains(' ', StringComparison.Ordinal))
            {
                try
                {
                    return EpcisTime.Parse(value.Trim().Replace(' ', '+'), name);
                }
                catch (EpcisFormatException)
                {
                }
            }
            throw new EpcisQueryException(name, "timestamp",
                $"'{value}' is not an ISO 8601 date-time with a time zone (e.g. 2024-05-01T00:00:00Z or 2024-05-01T08:00:00.000+02:00)");
        }
    }

    private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string NormalizeVocabulary(string name, string value, CbvVocabulary vocabulary)
    {
        try
        {
            return Cbv.Normalize(vocabulary, value, name);
        }
        catch (EpcisFormatException ex)
        {
            throw new EpcisQueryException(name, "enum", ex.Detail);
        }
    }

    private static string LenientVocabulary(CbvVocabulary vocabulary, string value)
    {
        try
        {
            return Cbv.Normalize(vocabulary, value, "event");
        }
        catch (EpcisFormatException)
        {
            return value.Trim();
        }
    }

    private static string NormalizeType(string name, string type, CbvVocabulary vocabulary)
    {
        try
        {
            return Cbv.Normalize(vocabulary, type, name);
        }
        catch (EpcisFormatException)
        {
            throw new EpcisQueryException(name, "enum",
                $"'{type}' is not a CBV 2.0 {vocabulary} (a non-CBV type must be an absolute URI)");
        }
    }

    private static Condition VocabularyCondition(string name, List<string> raw, CbvVocabulary vocabulary, Func<EpcisEvent, string?> field)
    {
        var values = Values(name, raw).Select(v => NormalizeVocabulary(name, v, vocabulary)).ToHashSet(StringComparer.Ordinal);
        return Make(name, values, e => field(e) is { } f && values.Contains(LenientVocabulary(vocabulary, f)));
    }

    private static Condition IdentifierCondition(string name, List<string> raw, Func<EpcisEvent, IEnumerable<string>> field)
    {
        var values = Values(name, raw).Select(v => v.Contains(':', StringComparison.Ordinal)
            ? EpcisIdentifiers.Canonical(v)
            : throw new EpcisQueryException(name, "uri", $"'{v}' is not a URI (e.g. urn:epc:id:sgln:0614141.07346.1234 or https://id.gs1.org/414/0614141073467/254/1234)"))
            .ToHashSet(StringComparer.Ordinal);
        return Make(name, values, e => field(e).Any(id => values.Contains(EpcisIdentifiers.Canonical(id))));
    }

    private static Condition ExactCondition(string name, List<string> raw, Func<EpcisEvent, IEnumerable<string>> field)
    {
        var values = Values(name, raw).ToHashSet(StringComparer.Ordinal);
        return Make(name, values, e => field(e).Any(v => values.Contains(v.Trim())));
    }

    private static Condition SourceDestinationCondition(string name, string prefix, string type, List<string> raw, Func<EpcisEvent, IEnumerable<SourceDestination>> list)
    {
        var normalType = NormalizeType(name, type, CbvVocabulary.SourceDestinationType);
        var values = Values(name, raw).Select(EpcisIdentifiers.Canonical).ToHashSet(StringComparer.Ordinal);
        return Make(prefix + normalType, values, e => list(e).Any(s =>
            LenientVocabulary(CbvVocabulary.SourceDestinationType, s.Type) == normalType && values.Contains(EpcisIdentifiers.Canonical(s.Value))));
    }

    private static Condition IlmdCondition(string name, string field, List<string> raw)
    {
        string? ns;
        string local;
        var hash = field.LastIndexOf('#');
        if (hash >= 0)
        {
            ns = field[..hash].TrimEnd('/', ':', '#');
            local = field[(hash + 1)..];
        }
        else if (field.StartsWith("cbvmda:", StringComparison.Ordinal))
        {
            ns = EpcisIlmd.CbvMdaNamespace;
            local = field["cbvmda:".Length..];
        }
        else if (field.Contains(':', StringComparison.Ordinal))
        {
            throw new EpcisQueryException(name, "unsupported",
                "name the ILMD field as {namespace URI}#{localName}, cbvmda:{localName}, or a bare local name");
        }
        else
        {
            ns = null;
            local = field;
        }
        if (local.Length == 0 || (ns is not null && ns.Length == 0))
            throw new EpcisQueryException(name, "empty", "the ILMD field name is incomplete");
        var values = Values(name, raw).ToHashSet(StringComparer.Ordinal);
        var description = "EQ_ILMD_" + (ns is null ? local : "{" + ns + "}" + local);
        return Make(description, values, e => e is IHasIlmd h && h.Ilmd.Any(x =>
            x.LocalName == local
            && (ns is null || x.Namespace.TrimEnd('/', ':', '#') == ns)
            && x.Value is { } v && values.Contains(v.Trim())));
    }

    private static EpcisIdMatcher[] Matchers(string name, List<string> raw, bool classLevel) =>
        [.. Values(name, raw).Select(v => EpcisIdMatcher.Parse(v, name, classLevel))];

    private static Condition EpcCondition(string name, EpcisIdMatcher[] matchers, Func<EpcisEvent, IEnumerable<string>> ids)
    {
        return new Condition(name + "=" + string.Join('|', matchers.Select(m => m.Description).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
            e =>
            {
                foreach (var id in ids(e))
                {
                    var key = EpcisIdKey.From(id);
                    foreach (var m in matchers)
                    {
                        if (m.Matches(key))
                            return true;
                    }
                }
                return false;
            });
    }

    private static EpcisAction? ActionOf(EpcisEvent e) => e switch
    {
        ObjectEvent o => o.Action,
        AggregationEvent a => a.Action,
        TransactionEvent t => t.Action,
        AssociationEvent s => s.Action,
        _ => null,
    };

    private static IEnumerable<string> Epcs(EpcisEvent e) => e switch
    {
        ObjectEvent o => o.EpcList,
        AggregationEvent a => a.ChildEpcs,
        TransactionEvent t => t.EpcList,
        AssociationEvent s => s.ChildEpcs,
        _ => [],
    };

    private static IEnumerable<string> ParentIds(EpcisEvent e) => e switch
    {
        AggregationEvent { ParentId: { } p } => [p],
        TransactionEvent { ParentId: { } p } => [p],
        AssociationEvent s => [s.ParentId],
        _ => [],
    };

    private static IEnumerable<string> AnyEpcs(EpcisEvent e) => e is TransformationEvent t
        ? t.InputEpcList.Concat(t.OutputEpcList)
        : Epcs(e).Concat(ParentIds(e));

    private static IEnumerable<QuantityElement> Quantities(EpcisEvent e) => e switch
    {
        ObjectEvent o => o.QuantityList,
        AggregationEvent a => a.ChildQuantityList,
        TransactionEvent t => t.QuantityList,
        AssociationEvent s => s.ChildQuantityList,
        _ => [],
    };

    private static IEnumerable<QuantityElement> AnyQuantities(EpcisEvent e) => e is TransformationEvent t
        ? t.InputQuantityList.Concat(t.OutputQuantityList)
        : Quantities(e);

    private static IEnumerable<string> Classes(IEnumerable<QuantityElement> q) => q.Select(x => x.EpcClass);
}
