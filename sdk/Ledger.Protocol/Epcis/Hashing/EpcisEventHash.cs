using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.Protocol.Epcis.Hashing;

/// <summary>
/// The EPCIS Event Hash ID of CBV 2.0 (<c>ni:///sha-256;&lt;hex&gt;?ver=CBV2.0</c>), re-implementing the canonical
/// pre-hash string of RalphTro/epcis-event-hash-generator (see docs/spec/epcis.md for the rules as implemented).
/// eventID, recordTime and errorDeclaration do not take part.
/// </summary>
public static class EpcisEventHash
{
    /// <summary>The event hash ID (SHA-256, CBV 2.0).</summary>
    public static string Compute(EpcisEvent e) => Compute(e, null);

    /// <summary>The event hash ID, leaving out event-level extensions named (Clark name) in <paramref name="ignoredExtensions"/>.</summary>
    public static string Compute(EpcisEvent e, IReadOnlySet<string>? ignoredExtensions)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(PreHash(e, ignoredExtensions)));
        return "ni:///sha-256;" + Convert.ToHexStringLower(digest) + "?ver=CBV2.0";
    }

    /// <summary>
    /// The hash IDs of all events of <paramref name="document"/> in document order, honouring a document-level
    /// <c>ignoreFields</c> extension (any namespace) that lists event extensions to leave out.
    /// </summary>
    public static IReadOnlyList<string> ComputeAll(EpcisDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var ignored = IgnoredFields(document);
        return document.Events.Select(e => Compute(e, ignored)).ToList();
    }

    /// <summary>Clark names listed by the document's <c>ignoreFields</c> extension (XML child elements or JSON CURIE strings).</summary>
    public static IReadOnlySet<string> IgnoredFields(EpcisDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var prefixes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in EpcisJsonReader.StandardPrefixes.Concat(document.Namespaces))
            prefixes[kv.Key] = kv.Value;
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var h in document.Header.Where(h => h.LocalName == "ignoreFields"))
        {
            foreach (var c in h.Children)
                set.Add(c.ClarkName);
            if (h.Value is { } v && v.IndexOf(':', StringComparison.Ordinal) is var colon and > 0
                && prefixes.TryGetValue(v[..colon], out var ns))
                set.Add("{" + ns + "}" + v[(colon + 1)..]);
        }
        return set;
    }

    /// <summary>The SHA-256 digest of the pre-hash string.</summary>
    public static Hash32 Digest(EpcisEvent e) => new(SHA256.HashData(Encoding.UTF8.GetBytes(PreHash(e))));

    /// <summary>The canonical pre-hash string of <paramref name="e"/>.</summary>
    public static string PreHash(EpcisEvent e) => PreHash(e, null);

    /// <summary>The canonical pre-hash string, leaving out event-level extensions named in <paramref name="ignoredExtensions"/>.</summary>
    public static string PreHash(EpcisEvent e, IReadOnlySet<string>? ignoredExtensions)
    {
        ArgumentNullException.ThrowIfNull(e);
        var sb = new StringBuilder();
        sb.Append("eventType=").Append(e.EventType.ToString());
        sb.Append("eventTime=").Append(Time(e.EventTime));
        Value(sb, "eventTimeZoneOffset", e.EventTimeZoneOffset, canonize: false);
        Sorted(sb, null, e.CertificationInfo.Select(c => KeyValue("certificationInfo", c)));
        switch (e)
        {
            case ObjectEvent o:
                EpcList(sb, "epcList", o.EpcList);
                Quantities(sb, "quantityList", o.QuantityList);
                Action(sb, o.Action);
                break;
            case AggregationEvent a:
                Value(sb, "parentID", a.ParentId);
                EpcList(sb, "childEPCs", a.ChildEpcs);
                Quantities(sb, "childQuantityList", a.ChildQuantityList);
                Action(sb, a.Action);
                break;
            case TransactionEvent t:
                EpcList(sb, "epcList", t.EpcList);
                Value(sb, "parentID", t.ParentId);
                Quantities(sb, "quantityList", t.QuantityList);
                Action(sb, t.Action);
                break;
            case TransformationEvent t:
                EpcList(sb, "inputEPCList", t.InputEpcList);
                Quantities(sb, "inputQuantityList", t.InputQuantityList);
                EpcList(sb, "outputEPCList", t.OutputEpcList);
                Quantities(sb, "outputQuantityList", t.OutputQuantityList);
                Value(sb, "transformationID", t.TransformationId);
                break;
            case AssociationEvent a:
                Value(sb, "parentID", a.ParentId);
                EpcList(sb, "childEPCs", a.ChildEpcs);
                Quantities(sb, "childQuantityList", a.ChildQuantityList);
                Action(sb, a.Action);
                break;
        }
        Value(sb, "bizStep", e.BizStep);
        Value(sb, "disposition", e.Disposition);
        if (e.PersistentDisposition is { } pd)
        {
            var inner = new StringBuilder();
            Sorted(inner, null, pd.Set.Select(s => KeyValue("set", s)));
            Sorted(inner, null, pd.Unset.Select(s => KeyValue("unset", s)));
            if (inner.Length > 0)
                sb.Append("persistentDisposition").Append(inner);
        }
        Location(sb, "readPoint", e.ReadPoint);
        Location(sb, "bizLocation", e.BizLocation);
        Sorted(sb, "sensorElementList", e.SensorElementList.Select(SensorElement));

        // Everything without a place in the canonical order is appended as one sorted group
        // (the reference implementation's generic remainder): bizTransactionList, sourceList,
        // destinationList, ilmd and the event-level user extensions.
        var rest = new List<string>();
        AddTyped(rest, "bizTransactionList", e.BizTransactionList.Select(b => (b.Type, "bizTransaction", b.Value)));
        AddTyped(rest, "sourceList", e.SourceList.Select(s => ((string?)s.Type, "source", s.Value)));
        AddTyped(rest, "destinationList", e.DestinationList.Select(s => ((string?)s.Type, "destination", s.Value)));
        if (e is IHasIlmd { Ilmd.IsEmpty: false } h)
            rest.Add("ilmd" + Join(h.Ilmd.Select(Extension)));
        // sensorReport.bizRules has no place in the reference property order for sensorReport, so the reference
        // implementation leaves it in the tree and emits it in the remainder under its parents.
        var leftover = e.SensorElementList
            .Select(se => se.Reports.Select(r => KeyValue("bizRules", r.BizRules)).Where(b => b.Length > 0).Select(b => "sensorReport" + b).ToList())
            .Where(l => l.Count > 0).Select(l => "sensorElement" + Join(l)).ToList();
        if (leftover.Count > 0)
            rest.Add("sensorElementList" + Join(leftover));
        rest.AddRange(e.Extensions.Where(x => ignoredExtensions is null || !ignoredExtensions.Contains(x.ClarkName)).Select(Extension));
        rest.Sort(StringComparer.Ordinal);
        foreach (var r in rest)
            sb.Append(r);
        return sb.ToString();
    }

    private static void Action(StringBuilder sb, EpcisAction a) => sb.Append("action=").Append(a.ToString().ToUpperInvariant());

    private static void EpcList(StringBuilder sb, string name, EpcisList<string> epcs) =>
        Sorted(sb, name, epcs.Select(x => KeyValue("epc", x)));

    private static void Quantities(StringBuilder sb, string name, EpcisList<QuantityElement> list) =>
        Sorted(sb, name, list.Select(q =>
        {
            var s = KeyValue("epcClass", q.EpcClass)
                + (q.Quantity is { } n ? KeyValue("quantity", n.ToString(CultureInfo.InvariantCulture)) : "")
                + (q.Uom is { } u ? KeyValue("uom", u) : "");
            return s.Length == 0 ? "" : "quantityElement" + s;
        }));

    private static void Location(StringBuilder sb, string name, EpcisLocation? loc)
    {
        if (loc is null)
            return;
        var inner = KeyValue("id", loc.Id) + Join(loc.Extensions.Select(Extension));
        if (inner.Length > 0)
            sb.Append(name).Append(inner);
    }

    private static void AddTyped(List<string> rest, string listName, IEnumerable<(string? Type, string Key, string Value)> items)
    {
        var values = items.Select(i => (i.Type is null ? "" : KeyValue("type", i.Type)) + KeyValue(i.Key, i.Value))
            .Where(s => s.Length > 0).ToList();
        if (values.Count == 0)
            return;
        values.Sort(StringComparer.Ordinal);
        rest.Add(listName + string.Concat(values));
    }

    private static string SensorElement(SensorElement se)
    {
        var sb = new StringBuilder();
        if (se.Metadata is { } m)
        {
            var inner = TimeValue("time", m.Time) + TimeValue("startTime", m.StartTime) + TimeValue("endTime", m.EndTime)
                + KeyValue("deviceID", m.DeviceId) + KeyValue("deviceMetadata", m.DeviceMetadata) + KeyValue("rawData", m.RawData)
                + KeyValue("dataProcessingMethod", m.DataProcessingMethod) + KeyValue("bizRules", m.BizRules)
                + Join(m.Extensions.Select(Extension));
            if (inner.Length > 0)
                sb.Append("sensorMetadata").Append(inner);
        }
        Sorted(sb, null, se.Reports.Select(r =>
        {
            var inner = KeyValue("type", r.Type) + KeyValue("exception", r.Exception) + KeyValue("deviceID", r.DeviceId)
                + KeyValue("deviceMetadata", r.DeviceMetadata) + KeyValue("rawData", r.RawData)
                + KeyValue("dataProcessingMethod", r.DataProcessingMethod) + TimeValue("time", r.Time) // bizRules: see PreHash
                + KeyValue("microorganism", r.Microorganism) + KeyValue("chemicalSubstance", r.ChemicalSubstance)
                + Num("value", r.Value) + KeyValue("component", r.Component) + KeyValue("stringValue", r.StringValue)
                + KeyValue("booleanValue", r.BooleanValue is { } b ? (b ? "true" : "false") : null)
                + KeyValue("hexBinaryValue", r.HexBinaryValue) + KeyValue("uriValue", r.UriValue)
                + Num("minValue", r.MinValue) + Num("maxValue", r.MaxValue) + Num("meanValue", r.MeanValue)
                + Num("sDev", r.SDev) + Num("percRank", r.PercRank) + Num("percValue", r.PercValue)
                + KeyValue("uom", r.Uom) + KeyValue("coordinateReferenceSystem", r.CoordinateReferenceSystem)
                + Join(r.Extensions.Select(Extension));
            return inner.Length == 0 ? "" : "sensorReport" + inner;
        }));
        sb.Append(Join(se.Extensions.Select(Extension)));
        return sb.Length == 0 ? "" : "sensorElement" + sb;
    }

    private static string Num(string key, double? v) => v is { } d ? key + "=" + PythonNumber.Format(d) : "";

    /// <summary>Generic element: <c>{ns}local=value</c> followed by its sorted attributes and children.</summary>
    private static string Extension(EpcisExtension x)
    {
        var text = x.Value?.Trim() ?? "";
        var s = x.ClarkName + (text.Length > 0 ? "=" + Canonize(text) : "");
        var children = x.Attributes
            .Select(a => (a.Namespace.Length == 0 ? a.LocalName : "{" + a.Namespace + "}" + a.LocalName) + (a.Value.Trim() is { Length: > 0 } v ? "=" + Canonize(v) : ""))
            .Concat(x.Children.Select(Extension));
        return s + Join(children);
    }

    private static string Join(IEnumerable<string> parts)
    {
        var list = parts.ToList();
        list.Sort(StringComparer.Ordinal);
        return string.Concat(list);
    }

    private static void Sorted(StringBuilder sb, string? listName, IEnumerable<string> items)
    {
        var list = items.Where(s => s.Length > 0).ToList();
        if (list.Count == 0)
            return;
        list.Sort(StringComparer.Ordinal);
        if (listName is not null)
            sb.Append(listName);
        foreach (var s in list)
            sb.Append(s);
    }

    private static void Value(StringBuilder sb, string key, string? value, bool canonize = true)
    {
        var v = value?.Trim();
        if (string.IsNullOrEmpty(v))
            return;
        sb.Append(key).Append('=').Append(canonize ? Canonize(v) : v);
    }

    private static string KeyValue(string key, string? value)
    {
        var v = value?.Trim();
        return string.IsNullOrEmpty(v) ? "" : key + "=" + Canonize(v);
    }

    private static string TimeValue(string key, DateTimeOffset? t) => t is { } v ? key + "=" + Time(v) : "";

    /// <summary>UTC, millisecond precision, half-up rounding of the sub-millisecond part (rule 9).</summary>
    internal static string Time(DateTimeOffset t)
    {
        var utc = t.UtcDateTime;
        var subMs = utc.Ticks % TimeSpan.TicksPerMillisecond;
        utc = utc.AddTicks(-subMs);
        if (subMs / 10 >= 500) // microseconds, as the reference implementation keeps 6 digits
            utc = utc.AddMilliseconds(1);
        return utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>Value canonicalisation: CBV URNs → Web URIs, gs1:/cbv: CURIEs expanded, numbers normalised, EPC URNs and Digital Links → canonical Digital Link.</summary>
    internal static string Canonize(string text)
    {
        text = text
            .Replace("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-", StringComparison.Ordinal)
            .Replace("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-", StringComparison.Ordinal)
            .Replace("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-", StringComparison.Ordinal)
            .Replace("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-", StringComparison.Ordinal)
            .Replace("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-", StringComparison.Ordinal);
        if (text.StartsWith("gs1:", StringComparison.Ordinal))
            text = Cbv.Gs1VocBase + text[4..];
        else if (text.StartsWith("cbv:", StringComparison.Ordinal))
            text = Cbv.WebBase + text[4..];
        if (PythonNumber.TryFormat(text, out var n))
            text = n;
        return DigitalLinkNormaliser.Normalise(text) ?? text;
    }
}
