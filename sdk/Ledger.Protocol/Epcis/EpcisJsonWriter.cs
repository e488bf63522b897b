using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ledger.Protocol.Epcis;

/// <summary>
/// Writes EPCIS 2.0 JSON-LD: the standard context URL plus one object with the extension prefixes in use; CBV values as
/// bare terms, GS1 sensor vocabulary as <c>gs1:</c> CURIEs, extensions as <c>prefix:local</c> members (repeated
/// elements as arrays, JSON types from <see cref="EpcisExtension.Kind"/>, XML attributes as members).
/// </summary>
public static partial class EpcisJsonWriter
{
    [GeneratedRegex(@"^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();

    /// <summary>Serialises <paramref name="doc"/> (indented UTF-8 JSON text).</summary>
    public static string Write(EpcisDocument doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var ns = new EpcisNamespaces(doc, EpcisJsonReader.StandardPrefixes, ["id", "type"]);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartArray("@context");
            w.WriteStringValue(EpcisJsonReader.ContextUrl);
            if (ns.Declared.Count > 0)
            {
                w.WriteStartObject();
                foreach (var kv in ns.Declared)
                    w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("type", doc.Kind == EpcisDocumentKind.Query ? "EPCISQueryDocument" : "EPCISDocument");
            w.WriteString("schemaVersion", "2.0");
            if (doc.CreationDate is { } cd)
                w.WriteString("creationDate", EpcisTime.Format(cd));
            WriteExtensions(w, doc.Header.Where(h => h.Namespace.Length == 0), ns);
            var headerExt = doc.Header.Where(h => h.Namespace.Length > 0).ToList();
            if (headerExt.Count > 0 || !doc.MasterData.IsEmpty)
            {
                w.WriteStartObject("epcisHeader");
                WriteExtensions(w, headerExt, ns);
                if (!doc.MasterData.IsEmpty)
                {
                    w.WriteStartObject("epcisMasterData");
                    WriteExtensions(w, doc.MasterData, ns);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteStartObject("epcisBody");
            if (doc.Kind == EpcisDocumentKind.Query)
            {
                w.WriteStartObject("queryResults");
                if (doc.SubscriptionId is { } sid)
                    w.WriteString("subscriptionID", sid);
                if (doc.QueryName is { } qn)
                    w.WriteString("queryName", qn);
                w.WriteStartObject("resultsBody");
            }
            w.WriteStartArray("eventList");
            foreach (var e in doc.Events)
                WriteEvent(w, e, ns);
            w.WriteEndArray();
            if (doc.Kind == EpcisDocumentKind.Query)
            {
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteEvent(Utf8JsonWriter w, EpcisEvent e, EpcisNamespaces ns)
    {
        w.WriteStartObject();
        w.WriteString("type", e.EventType.ToString());
        w.WriteString("eventTime", EpcisTime.Format(e.EventTime));
        w.WriteString("eventTimeZoneOffset", e.EventTimeZoneOffset);
        if (e.RecordTime is { } rt)
            w.WriteString("recordTime", EpcisTime.Format(rt));
        if (e.EventId is { } id)
            w.WriteString("eventID", id);
        if (e.CertificationInfo.Count == 1)
            w.WriteString("certificationInfo", e.CertificationInfo[0]);
        else if (e.CertificationInfo.Count > 1)
            Strings(w, "certificationInfo", e.CertificationInfo);
        if (e.ErrorDeclaration is { } ed)
        {
            w.WriteStartObject("errorDeclaration");
            w.WriteString("declarationTime", EpcisTime.Format(ed.DeclarationTime));
            if (ed.Reason is { } r)
                w.WriteString("reason", Cbv.ToBare(CbvVocabulary.ErrorReason, r));
            if (!ed.CorrectiveEventIds.IsEmpty)
                Strings(w, "correctiveEventIDs", ed.CorrectiveEventIds);
            WriteExtensions(w, ed.Extensions, ns);
            w.WriteEndObject();
        }
        switch (e)
        {
            case ObjectEvent o:
                Strings(w, "epcList", o.EpcList);
                Quantities(w, "quantityList", o.QuantityList);
                w.WriteString("action", Action(o.Action));
                break;
            case AggregationEvent a:
                if (a.ParentId is { } p)
                    w.WriteString("parentID", p);
                Strings(w, "childEPCs", a.ChildEpcs);
                Quantities(w, "childQuantityList", a.ChildQuantityList);
                w.WriteString("action", Action(a.Action));
                break;
            case TransactionEvent t:
                if (t.ParentId is { } tp)
                    w.WriteString("parentID", tp);
                Strings(w, "epcList", t.EpcList);
                Quantities(w, "quantityList", t.QuantityList);
                w.WriteString("action", Action(t.Action));
                break;
            case TransformationEvent t:
                Strings(w, "inputEPCList", t.InputEpcList);
                Quantities(w, "inputQuantityList", t.InputQuantityList);
                Strings(w, "outputEPCList", t.OutputEpcList);
                Quantities(w, "outputQuantityList", t.OutputQuantityList);
                if (t.TransformationId is { } tid)
                    w.WriteString("transformationID", tid);
                break;
            case AssociationEvent a:
                w.WriteString("parentID", a.ParentId);
                Strings(w, "childEPCs", a.ChildEpcs);
                Quantities(w, "childQuantityList", a.ChildQuantityList);
                w.WriteString("action", Action(a.Action));
                break;
        }
        if (e.BizStep is { } bs)
            w.WriteString("bizStep", Cbv.ToBare(CbvVocabulary.BizStep, bs));
        if (e.Disposition is { } d)
            w.WriteString("disposition", Cbv.ToBare(CbvVocabulary.Disposition, d));
        if (e.PersistentDisposition is { } pd)
        {
            w.WriteStartObject("persistentDisposition");
            if (!pd.Set.IsEmpty)
                Strings(w, "set", pd.Set.Select(s => Cbv.ToBare(CbvVocabulary.Disposition, s)));
            if (!pd.Unset.IsEmpty)
                Strings(w, "unset", pd.Unset.Select(s => Cbv.ToBare(CbvVocabulary.Disposition, s)));
            w.WriteEndObject();
        }
        Location(w, "readPoint", e.ReadPoint, ns);
        Location(w, "bizLocation", e.BizLocation, ns);
        if (!e.BizTransactionList.IsEmpty)
        {
            w.WriteStartArray("bizTransactionList");
            foreach (var bt in e.BizTransactionList)
            {
                w.WriteStartObject();
                if (bt.Type is { } type)
                    w.WriteString("type", Cbv.ToBare(CbvVocabulary.BizTransactionType, type));
                w.WriteString("bizTransaction", bt.Value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        SourceDest(w, "sourceList", "source", e.SourceList);
        SourceDest(w, "destinationList", "destination", e.DestinationList);
        if (!e.SensorElementList.IsEmpty)
        {
            w.WriteStartArray("sensorElementList");
            foreach (var se in e.SensorElementList)
                SensorElement(w, se, ns);
            w.WriteEndArray();
        }
        if (e is IHasIlmd { Ilmd.IsEmpty: false } h)
        {
            w.WriteStartObject("ilmd");
            WriteExtensions(w, h.Ilmd, ns);
            w.WriteEndObject();
        }
        WriteExtensions(w, e.Extensions, ns);
        w.WriteEndObject();
    }

    private static string Action(EpcisAction a) => a.ToString().ToUpperInvariant();

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        var list = values.ToList();
        if (list.Count == 0)
            return;
        w.WriteStartArray(name);
        foreach (var v in list)
            w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void Quantities(Utf8JsonWriter w, string name, EpcisList<QuantityElement> list)
    {
        if (list.IsEmpty)
            return;
        w.WriteStartArray(name);
        foreach (var q in list)
        {
            w.WriteStartObject();
            w.WriteString("epcClass", q.EpcClass);
            if (q.Quantity is { } n)
                w.WriteNumber("quantity", n);
            if (q.Uom is { } u)
                w.WriteString("uom", u);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Location(Utf8JsonWriter w, string name, EpcisLocation? loc, EpcisNamespaces ns)
    {
        if (loc is null)
            return;
        w.WriteStartObject(name);
        w.WriteString("id", loc.Id);
        WriteExtensions(w, loc.Extensions, ns);
        w.WriteEndObject();
    }

    private static void SourceDest(Utf8JsonWriter w, string listName, string itemName, EpcisList<SourceDestination> list)
    {
        if (list.IsEmpty)
            return;
        w.WriteStartArray(listName);
        foreach (var sd in list)
        {
            w.WriteStartObject();
            w.WriteString("type", Cbv.ToBare(CbvVocabulary.SourceDestinationType, sd.Type));
            w.WriteString(itemName, sd.Value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void SensorElement(Utf8JsonWriter w, SensorElement se, EpcisNamespaces ns)
    {
        w.WriteStartObject();
        if (se.Metadata is { } m)
        {
            w.WriteStartObject("sensorMetadata");
            Time(w, "time", m.Time);
            Time(w, "startTime", m.StartTime);
            Time(w, "endTime", m.EndTime);
            Str(w, "deviceID", m.DeviceId);
            Str(w, "deviceMetadata", m.DeviceMetadata);
            Str(w, "rawData", m.RawData);
            Str(w, "dataProcessingMethod", m.DataProcessingMethod);
            Str(w, "bizRules", m.BizRules);
            WriteExtensions(w, m.Extensions, ns);
            w.WriteEndObject();
        }
        w.WriteStartArray("sensorReport");
        foreach (var r in se.Reports)
        {
            w.WriteStartObject();
            Str(w, "type", r.Type is null ? null : Cbv.Gs1VocToCurie(r.Type));
            Str(w, "exception", r.Exception is null ? null : Cbv.Gs1VocToCurie(r.Exception));
            Str(w, "deviceID", r.DeviceId);
            Str(w, "deviceMetadata", r.DeviceMetadata);
            Str(w, "rawData", r.RawData);
            Str(w, "dataProcessingMethod", r.DataProcessingMethod);
            Str(w, "bizRules", r.BizRules);
            Time(w, "time", r.Time);
            Str(w, "microorganism", r.Microorganism);
            Str(w, "chemicalSubstance", r.ChemicalSubstance);
            Num(w, "value", r.Value);
            Str(w, "component", r.Component is null ? null : Cbv.ComponentToBare(r.Component));
            Str(w, "stringValue", r.StringValue);
            if (r.BooleanValue is { } b)
                w.WriteBoolean("booleanValue", b);
            Str(w, "hexBinaryValue", r.HexBinaryValue);
            Str(w, "uriValue", r.UriValue);
            Num(w, "minValue", r.MinValue);
            Num(w, "maxValue", r.MaxValue);
            Num(w, "meanValue", r.MeanValue);
            Num(w, "sDev", r.SDev);
            Num(w, "percRank", r.PercRank);
            Num(w, "percValue", r.PercValue);
            Str(w, "uom", r.Uom);
            Str(w, "coordinateReferenceSystem", r.CoordinateReferenceSystem);
            WriteExtensions(w, r.Extensions, ns);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteExtensions(w, se.Extensions, ns);
        w.WriteEndObject();
    }

    private static void Str(Utf8JsonWriter w, string name, string? v)
    {
        if (v is not null)
            w.WriteString(name, v);
    }

    private static void Num(Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } d)
            w.WriteNumber(name, d);
    }

    private static void Time(Utf8JsonWriter w, string name, DateTimeOffset? t)
    {
        if (t is { } v)
            w.WriteString(name, EpcisTime.Format(v));
    }

    private static string Key(string nsUri, string local, EpcisNamespaces ns) =>
        nsUri.Length == 0 ? local : ns.PrefixFor(nsUri) + ":" + local;

    internal static void WriteExtensions(Utf8JsonWriter w, IEnumerable<EpcisExtension> items, EpcisNamespaces ns)
    {
        foreach (var group in items.GroupBy(x => x.ClarkName, StringComparer.Ordinal))
        {
            var list = group.ToList();
            w.WritePropertyName(Key(list[0].Namespace, list[0].LocalName, ns));
            if (list.Count > 1 || list[0].InArray)
            {
                w.WriteStartArray();
                foreach (var x in list)
                    WriteValue(w, x, ns);
                w.WriteEndArray();
            }
            else
                WriteValue(w, list[0], ns);
        }
    }

    private static void WriteValue(Utf8JsonWriter w, EpcisExtension x, EpcisNamespaces ns)
    {
        switch (x.Kind)
        {
            case EpcisValueKind.Object:
                w.WriteStartObject();
                foreach (var a in x.Attributes)
                    w.WriteString(Key(a.Namespace, a.LocalName, ns), a.Value);
                WriteExtensions(w, x.Children, ns);
                w.WriteEndObject();
                break;
            case EpcisValueKind.Null:
                w.WriteNullValue();
                break;
            case EpcisValueKind.Boolean when x.Value is "true" or "false":
                w.WriteBooleanValue(x.Value == "true");
                break;
            case EpcisValueKind.Number when x.Value is { } n && JsonNumber().IsMatch(n.Trim()):
                w.WriteRawValue(n.Trim());
                break;
            default:
                if (x.Attributes.IsEmpty)
                    w.WriteStringValue(x.Value ?? "");
                else
                {
                    // attributes on a text element: an object with the attributes and the text under "#text"
                    w.WriteStartObject();
                    foreach (var a in x.Attributes)
                        w.WriteString(Key(a.Namespace, a.LocalName, ns), a.Value);
                    w.WriteString("#text", x.Value ?? "");
                    w.WriteEndObject();
                }
                break;
        }
    }
}
