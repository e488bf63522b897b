using System.Globalization;
using System.Text.Json;

namespace Ledger.Protocol.Epcis;

/// <summary>
/// Reads EPCIS 2.0 JSON-LD documents (EPCISDocument and EPCISQueryDocument) with System.Text.Json.
/// No remote context is fetched: the two standard context URLs are known, extra namespace prefixes come from
/// <c>@context</c> objects (document or event level).
/// </summary>
public static class EpcisJsonReader
{
    /// <summary>The EPCIS 2.0.0 JSON-LD context URL.</summary>
    public const string ContextUrl = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

    /// <summary>The unversioned EPCIS JSON-LD context URL.</summary>
    public const string ContextUrlLatest = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld";

    internal static readonly KeyValuePair<string, string>[] StandardPrefixes =
    [
        new("epcis", "https://ref.gs1.org/epcis/"),
        new("cbv", "https://ref.gs1.org/cbv/"),
        // The published context maps cbvmda to "urn:epcglobal:cbv:mda:"; the reference hash implementation (and the XML
        // examples) use "urn:epcglobal:cbv:mda". A document that declares cbvmda itself keeps its own mapping.
        new("cbvmda", "urn:epcglobal:cbv:mda"),
        new("gs1", "https://gs1.org/voc/"),
        new("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
        new("owl", "http://www.w3.org/2002/07/owl#"),
        new("xsd", "http://www.w3.org/2001/XMLSchema#"),
        new("dcterms", "http://purl.org/dc/terms/"),
    ];

    private static readonly HashSet<string> CommonFields =
    [
        "type", "eventTime", "eventTimeZoneOffset", "recordTime", "eventID", "certificationInfo", "errorDeclaration",
        "bizStep", "disposition", "persistentDisposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList",
        "destinationList", "sensorElementList",
    ];

    private static readonly Dictionary<EpcisEventType, HashSet<string>> TypeFields = new()
    {
        [EpcisEventType.ObjectEvent] = ["action", "epcList", "quantityList", "ilmd"],
        [EpcisEventType.AggregationEvent] = ["action", "parentID", "childEPCs", "childQuantityList"],
        [EpcisEventType.TransactionEvent] = ["action", "parentID", "epcList", "quantityList"],
        [EpcisEventType.TransformationEvent] = ["inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList", "transformationID", "ilmd"],
        [EpcisEventType.AssociationEvent] = ["action", "parentID", "childEPCs", "childQuantityList"],
    };

    /// <summary>Parses a JSON-LD EPCIS document.</summary>
    /// <exception cref="EpcisFormatException">The document is malformed or breaks a rule of the standard.</exception>
    public static EpcisDocument Read(string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            throw new EpcisFormatException("$", "syntax", "not valid JSON: " + ex.Message, ex);
        }
        using (doc)
            return ReadDocument(doc.RootElement);
    }

    private static EpcisDocument ReadDocument(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new EpcisFormatException("$", "type", "an EPCIS document must be a JSON object");
        if (!root.TryGetProperty("@context", out var context))
            throw new EpcisFormatException("@context", "required", "a JSON-LD EPCIS document needs an @context naming the EPCIS context");
        var prefixes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in StandardPrefixes)
            prefixes[kv.Key] = kv.Value;
        var declared = new List<KeyValuePair<string, string>>();
        ReadContext(context, "@context", prefixes, declared, requireEpcis: false);

        var type = RequiredString(root, "type", "type");
        var kind = type switch
        {
            "EPCISDocument" => EpcisDocumentKind.Capture,
            "EPCISQueryDocument" => EpcisDocumentKind.Query,
            _ => throw new EpcisFormatException("type", "enum", $"'{type}' is not EPCISDocument or EPCISQueryDocument"),
        };
        var schemaVersion = RequiredString(root, "schemaVersion", "schemaVersion");
        var creationText = kind == EpcisDocumentKind.Capture ? RequiredString(root, "creationDate", "creationDate") : OptionalString(root, "creationDate", "creationDate");
        DateTimeOffset? creationDate = creationText is null ? null : EpcisTime.Parse(creationText, "creationDate");
        if (!root.TryGetProperty("epcisBody", out var body) || body.ValueKind != JsonValueKind.Object)
            throw new EpcisFormatException("epcisBody", "required", "epcisBody object is missing");

        var header = new List<EpcisExtension>();
        var masterData = new List<EpcisExtension>();
        foreach (var p in root.EnumerateObject())
        {
            switch (p.Name)
            {
                case "@context" or "type" or "schemaVersion" or "creationDate" or "epcisBody" or "rdfs:comment" or "comment":
                    break;
                case "epcisHeader":
                    foreach (var h in p.Value.ValueKind == JsonValueKind.Object ? p.Value.EnumerateObject() : default)
                    {
                        if (h.Name == "epcisMasterData" || h.Name == "masterData")
                            masterData.AddRange(ReadExtensions(h.Name, h.Value, "epcisHeader." + h.Name, prefixes, requirePrefix: false)
                                .SelectMany(m => m.Kind == EpcisValueKind.Object ? m.Children : [m]));
                        else
                            header.AddRange(ReadExtensions(h.Name, h.Value, "epcisHeader." + h.Name, prefixes, requirePrefix: false));
                    }
                    break;
                default:
                    header.AddRange(ReadExtensions(p.Name, p.Value, p.Name, prefixes, requirePrefix: false));
                    break;
            }
        }

        JsonElement eventList;
        string listPath;
        string? subscriptionId = null, queryName = null;
        if (body.TryGetProperty("queryResults", out var qr))
        {
            subscriptionId = OptionalString(qr, "subscriptionID", "epcisBody.queryResults.subscriptionID");
            queryName = OptionalString(qr, "queryName", "epcisBody.queryResults.queryName");
            foreach (var p in qr.EnumerateObject().Where(p => p.Name.Contains(':', StringComparison.Ordinal)))
                header.AddRange(ReadExtensions(p.Name, p.Value, "epcisBody.queryResults." + p.Name, prefixes, requirePrefix: true));
            if (!qr.TryGetProperty("resultsBody", out var rb) || !rb.TryGetProperty("eventList", out eventList))
                throw new EpcisFormatException("epcisBody.queryResults.resultsBody.eventList", "required", "query results need resultsBody.eventList");
            listPath = "epcisBody.queryResults.resultsBody.eventList";
        }
        else if (body.TryGetProperty("eventList", out eventList))
            listPath = "epcisBody.eventList";
        else if (body.TryGetProperty("event", out var single))
        {
            var ev = ReadEvent(single, "epcisBody.event", prefixes);
            return Build([ev]);
        }
        else
            throw new EpcisFormatException("epcisBody.eventList", "required", "epcisBody needs an eventList");
        if (eventList.ValueKind != JsonValueKind.Array)
            throw new EpcisFormatException(listPath, "type", "eventList must be an array");
        var events = new List<EpcisEvent>();
        var i = 0;
        foreach (var e in eventList.EnumerateArray())
            events.Add(ReadEvent(e, $"{listPath}[{i++}]", prefixes));
        return Build(events);

        EpcisDocument Build(IEnumerable<EpcisEvent> evs) => new()
        {
            Kind = kind,
            SchemaVersion = schemaVersion,
            CreationDate = creationDate,
            Namespaces = EpcisList.From(declared),
            Header = EpcisList.From(header),
            MasterData = EpcisList.From(masterData),
            SubscriptionId = subscriptionId,
            QueryName = queryName,
            Events = EpcisList.From(evs),
        };
    }

    private static void ReadContext(JsonElement context, string path, Dictionary<string, string> prefixes, List<KeyValuePair<string, string>>? declared, bool requireEpcis)
    {
        var sawEpcis = false;
        IEnumerable<JsonElement> items = context.ValueKind == JsonValueKind.Array ? context.EnumerateArray() : [context];
        foreach (var item in items)
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                var url = item.GetString()!;
                if (url is ContextUrl or ContextUrlLatest || url.StartsWith("https://ref.gs1.org/standards/epcis/", StringComparison.Ordinal))
                    sawEpcis = true;
            }
            else if (item.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in item.EnumerateObject())
                {
                    var uri = p.Value.ValueKind switch
                    {
                        JsonValueKind.String => p.Value.GetString(),
                        JsonValueKind.Object when p.Value.TryGetProperty("@id", out var id) && id.ValueKind == JsonValueKind.String => id.GetString(),
                        _ => null,
                    };
                    if (uri is null || p.Name.StartsWith('@'))
                        continue;
                    prefixes[p.Name] = uri;
                    declared?.Add(new(p.Name, uri));
                }
            }
            else
                throw new EpcisFormatException(path, "type", "@context entries must be URLs or objects");
        }
        if (requireEpcis && !sawEpcis)
            throw new EpcisFormatException(path, "required", $"@context must name the EPCIS context ({ContextUrl})");
    }

    private static EpcisEvent ReadEvent(JsonElement e, string path, Dictionary<string, string> docPrefixes)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new EpcisFormatException(path, "type", "an event must be a JSON object");
        var prefixes = docPrefixes;
        if (e.TryGetProperty("@context", out var ctx))
        {
            prefixes = new Dictionary<string, string>(docPrefixes, StringComparer.Ordinal);
            ReadContext(ctx, path + ".@context", prefixes, null, requireEpcis: false);
        }
        var typeName = RequiredString(e, "type", path + ".type");
        if (!Enum.TryParse<EpcisEventType>(typeName, ignoreCase: false, out var type) || !Enum.IsDefined(type) || typeName != type.ToString())
            throw new EpcisFormatException(path + ".type", "enum", $"'{typeName}' is not an EPCIS event type");
        var allowed = TypeFields[type];
        var extensions = new List<EpcisExtension>();
        foreach (var p in e.EnumerateObject())
        {
            if (p.Name is "@context" or "rdfs:comment" or "comment" || CommonFields.Contains(p.Name) || allowed.Contains(p.Name))
                continue;
            if (p.Name.Contains(':', StringComparison.Ordinal))
                extensions.AddRange(ReadExtensions(p.Name, p.Value, path + "." + p.Name, prefixes, requirePrefix: true));
            else
                throw new EpcisFormatException(path + "." + p.Name, "unknown-field", $"'{p.Name}' is not an EPCIS {type} field (extensions need a namespace prefix)");
        }

        var eventTimeText = RequiredString(e, "eventTime", path + ".eventTime");
        var eventTime = EpcisTime.Parse(eventTimeText, path + ".eventTime");
        var offset = EpcisTime.ValidateOffset(RequiredString(e, "eventTimeZoneOffset", path + ".eventTimeZoneOffset"), path + ".eventTimeZoneOffset");
        EpcisAction? action = null;
        if (allowed.Contains("action"))
            action = ParseAction(RequiredString(e, "action", path + ".action"), path + ".action");

        var recordTime = OptionalString(e, "recordTime", path + ".recordTime") is { } rt ? EpcisTime.Parse(rt, path + ".recordTime") : (DateTimeOffset?)null;
        EpcisList<string> certificationInfo = [];
        if (e.TryGetProperty("certificationInfo", out var ci))
        {
            certificationInfo = ci.ValueKind switch
            {
                JsonValueKind.String => [ci.GetString()!],
                JsonValueKind.Array => StringArray(ci, path + ".certificationInfo"),
                _ => throw new EpcisFormatException(path + ".certificationInfo", "type", "certificationInfo must be a URI string or an array of URI strings"),
            };
        }

        string? Vocab(string name, CbvVocabulary v) =>
            OptionalString(e, name, path + "." + name) is { } s ? Cbv.Normalize(v, s, path + "." + name) : null;

        var common = new CommonParts(
            eventTime, offset, recordTime, OptionalString(e, "eventID", path + ".eventID"), certificationInfo,
            e.TryGetProperty("errorDeclaration", out var ed) ? ReadErrorDeclaration(ed, path + ".errorDeclaration", prefixes) : null,
            Vocab("bizStep", CbvVocabulary.BizStep), Vocab("disposition", CbvVocabulary.Disposition),
            e.TryGetProperty("persistentDisposition", out var pd) ? ReadPersistentDisposition(pd, path + ".persistentDisposition") : null,
            e.TryGetProperty("readPoint", out var rp) ? ReadLocation(rp, path + ".readPoint", prefixes) : null,
            e.TryGetProperty("bizLocation", out var bl) ? ReadLocation(bl, path + ".bizLocation", prefixes) : null,
            ReadBizTransactions(e, path, prefixes),
            ReadSourceDest(e, "sourceList", "source", path),
            ReadSourceDest(e, "destinationList", "destination", path),
            ReadSensorElements(e, path, prefixes),
            EpcisList.From(extensions));

        EpcisList<string> Epcs(string name) => e.TryGetProperty(name, out var v) ? StringArray(v, path + "." + name) : [];
        EpcisList<QuantityElement> Quantities(string name) => e.TryGetProperty(name, out var v) ? ReadQuantityList(v, path + "." + name) : [];
        EpcisList<EpcisExtension> Ilmd()
        {
            if (!e.TryGetProperty("ilmd", out var il))
                return [];
            if (il.ValueKind != JsonValueKind.Object)
                throw new EpcisFormatException(path + ".ilmd", "type", "ilmd must be an object");
            var list = new List<EpcisExtension>();
            foreach (var p in il.EnumerateObject())
                if (p.Name is not ("rdfs:comment" or "comment"))
                    list.AddRange(ReadExtensions(p.Name, p.Value, path + ".ilmd." + p.Name, prefixes, requirePrefix: true));
            return EpcisList.From(list);
        }

        EpcisEvent ev = type switch
        {
            EpcisEventType.ObjectEvent => common.Apply(new ObjectEvent
            {
                EventTime = eventTime, EventTimeZoneOffset = offset, Action = action!.Value,
                EpcList = Epcs("epcList"), QuantityList = Quantities("quantityList"), Ilmd = Ilmd(),
            }),
            EpcisEventType.AggregationEvent => common.Apply(new AggregationEvent
            {
                EventTime = eventTime, EventTimeZoneOffset = offset, Action = action!.Value,
                ParentId = OptionalString(e, "parentID", path + ".parentID"), ChildEpcs = Epcs("childEPCs"), ChildQuantityList = Quantities("childQuantityList"),
            }),
            EpcisEventType.TransactionEvent => common.Apply(new TransactionEvent
            {
                EventTime = eventTime, EventTimeZoneOffset = offset, Action = action!.Value,
                ParentId = OptionalString(e, "parentID", path + ".parentID"), EpcList = Epcs("epcList"), QuantityList = Quantities("quantityList"),
            }),
            EpcisEventType.TransformationEvent => common.Apply(new TransformationEvent
            {
                EventTime = eventTime, EventTimeZoneOffset = offset,
                InputEpcList = Epcs("inputEPCList"), InputQuantityList = Quantities("inputQuantityList"),
                OutputEpcList = Epcs("outputEPCList"), OutputQuantityList = Quantities("outputQuantityList"),
                TransformationId = OptionalString(e, "transformationID", path + ".transformationID"), Ilmd = Ilmd(),
            }),
            _ => common.Apply(new AssociationEvent
            {
                EventTime = eventTime, EventTimeZoneOffset = offset, Action = action!.Value,
                ParentId = RequiredString(e, "parentID", path + ".parentID"), ChildEpcs = Epcs("childEPCs"), ChildQuantityList = Quantities("childQuantityList"),
            }),
        };
        EpcisValidation.ValidateEvent(ev, path);
        return ev;
    }

    internal sealed record CommonParts(
        DateTimeOffset EventTime, string Offset, DateTimeOffset? RecordTime, string? EventId, EpcisList<string> CertificationInfo,
        ErrorDeclaration? ErrorDeclaration, string? BizStep, string? Disposition, PersistentDisposition? PersistentDisposition,
        EpcisLocation? ReadPoint, EpcisLocation? BizLocation, EpcisList<BizTransaction> BizTransactions,
        EpcisList<SourceDestination> Sources, EpcisList<SourceDestination> Destinations, EpcisList<SensorElement> Sensors,
        EpcisList<EpcisExtension> Extensions)
    {
        public T Apply<T>(T e) where T : EpcisEvent => e with
        {
            RecordTime = RecordTime, EventId = EventId, CertificationInfo = CertificationInfo, ErrorDeclaration = ErrorDeclaration,
            BizStep = BizStep, Disposition = Disposition, PersistentDisposition = PersistentDisposition, ReadPoint = ReadPoint,
            BizLocation = BizLocation, BizTransactionList = BizTransactions, SourceList = Sources, DestinationList = Destinations,
            SensorElementList = Sensors, Extensions = Extensions,
        };
    }

    internal static EpcisAction ParseAction(string s, string field) => s switch
    {
        "ADD" => EpcisAction.Add,
        "OBSERVE" => EpcisAction.Observe,
        "DELETE" => EpcisAction.Delete,
        _ => throw new EpcisFormatException(field, "enum", $"'{s}' is not one of ADD, OBSERVE, DELETE"),
    };

    private static ErrorDeclaration ReadErrorDeclaration(JsonElement ed, string path, Dictionary<string, string> prefixes)
    {
        if (ed.ValueKind != JsonValueKind.Object)
            throw new EpcisFormatException(path, "type", "errorDeclaration must be an object");
        var ext = new List<EpcisExtension>();
        foreach (var p in ed.EnumerateObject())
        {
            if (p.Name is "declarationTime" or "reason" or "correctiveEventIDs" or "rdfs:comment" or "comment")
                continue;
            if (!p.Name.Contains(':', StringComparison.Ordinal))
                throw new EpcisFormatException(path + "." + p.Name, "unknown-field", $"'{p.Name}' is not an errorDeclaration field");
            ext.AddRange(ReadExtensions(p.Name, p.Value, path + "." + p.Name, prefixes, requirePrefix: true));
        }
        return new ErrorDeclaration
        {
            DeclarationTime = EpcisTime.Parse(RequiredString(ed, "declarationTime", path + ".declarationTime"), path + ".declarationTime"),
            Reason = OptionalString(ed, "reason", path + ".reason") is { } r ? Cbv.Normalize(CbvVocabulary.ErrorReason, r, path + ".reason") : null,
            CorrectiveEventIds = ed.TryGetProperty("correctiveEventIDs", out var c) ? StringArray(c, path + ".correctiveEventIDs") : [],
            Extensions = EpcisList.From(ext),
        };
    }

    private static PersistentDisposition ReadPersistentDisposition(JsonElement pd, string path)
    {
        if (pd.ValueKind != JsonValueKind.Object)
            throw new EpcisFormatException(path, "type", "persistentDisposition must be an object with set/unset");
        foreach (var p in pd.EnumerateObject())
            if (p.Name is not ("set" or "unset"))
                throw new EpcisFormatException(path + "." + p.Name, "unknown-field", $"'{p.Name}' is not set or unset");
        EpcisList<string> L(string n) => pd.TryGetProperty(n, out var a)
            ? EpcisList.From(StringArray(a, path + "." + n).Select((s, i) => Cbv.Normalize(CbvVocabulary.Disposition, s, $"{path}.{n}[{i}]")))
            : [];
        return new PersistentDisposition { Set = L("set"), Unset = L("unset") };
    }

    private static EpcisLocation ReadLocation(JsonElement loc, string path, Dictionary<string, string> prefixes)
    {
        if (loc.ValueKind != JsonValueKind.Object)
            throw new EpcisFormatException(path, "type", "must be an object with an id");
        var ext = new List<EpcisExtension>();
        foreach (var p in loc.EnumerateObject())
        {
            if (p.Name is "id" or "rdfs:comment" or "comment")
                continue;
            if (!p.Name.Contains(':', StringComparison.Ordinal))
                throw new EpcisFormatException(path + "." + p.Name, "unknown-field", $"'{p.Name}' is not a location field");
            ext.AddRange(ReadExtensions(p.Name, p.Value, path + "." + p.Name, prefixes, requirePrefix: true));
        }
        return new EpcisLocation(RequiredString(loc, "id", path + ".id")) { Extensions = EpcisList.From(ext) };
    }

    private static EpcisList<BizTransaction> ReadBizTransactions(JsonElement e, string path, Dictionary<string, string> prefixes)
    {
        if (!e.TryGetProperty("bizTransactionList", out var list))
            return [];
        path += ".bizTransactionList";
        if (list.ValueKind != JsonValueKind.Array)
            throw new EpcisFormatException(path, "type", "bizTransactionList must be an array");
        var result = new List<BizTransaction>();
        var i = 0;
        foreach (var bt in list.EnumerateArray())
        {
            var p = $"{path}[{i++}]";
            if (bt.ValueKind != JsonValueKind.Object)
                throw new EpcisFormatException(p, "type", "a bizTransaction must be an object");
            foreach (var m in bt.EnumerateObject())
                if (m.Name is not ("type" or "bizTransaction"))
                    throw new EpcisFormatException(p + "." + m.Name, "unknown-field", $"'{m.Name}' is not a bizTransaction field");
            var type = OptionalString(bt, "type", p + ".type");
            result.Add(new BizTransaction(RequiredString(bt, "bizTransaction", p + ".bizTransaction"),
                type is null ? null : Cbv.Normalize(CbvVocabulary.BizTransactionType, type, p + ".type")));
        }
        _ = prefixes;
        return EpcisList.From(result);
    }

    private static EpcisList<SourceDestination> ReadSourceDest(JsonElement e, string listName, string itemName, string path)
    {
        if (!e.TryGetProperty(listName, out var list))
            return [];
        path += "." + listName;
        if (list.ValueKind != JsonValueKind.Array)
            throw new EpcisFormatException(path, "type", listName + " must be an array");
        var result = new List<SourceDestination>();
        var i = 0;
        foreach (var sd in list.EnumerateArray())
        {
            var p = $"{path}[{i++}]";
            if (sd.ValueKind != JsonValueKind.Object)
                throw new EpcisFormatException(p, "type", $"a {itemName} must be an object");
            foreach (var m in sd.EnumerateObject())
                if (m.Name != "type" && m.Name != itemName)
                    throw new EpcisFormatException(p + "." + m.Name, "unknown-field", $"'{m.Name}' is not a {itemName} field");
            var type = Cbv.Normalize(CbvVocabulary.SourceDestinationType, RequiredString(sd, "type", p + ".type"), p + ".type");
            result.Add(new SourceDestination(type, RequiredString(sd, itemName, p + "." + itemName)));
        }
        return EpcisList.From(result);
    }

    private static EpcisList<QuantityElement> ReadQuantityList(JsonElement list, string path)
    {
        if (list.ValueKind != JsonValueKind.Array)
            throw new EpcisFormatException(path, "type", "a quantity list must be an array");
        var result = new List<QuantityElement>();
        var i = 0;
        foreach (var q in list.EnumerateArray())
        {
            var p = $"{path}[{i++}]";
            if (q.ValueKind != JsonValueKind.Object)
                throw new EpcisFormatException(p, "type", "a quantityElement must be an object");
            foreach (var m in q.EnumerateObject())
                if (m.Name is not ("epcClass" or "quantity" or "uom"))
                    throw new EpcisFormatException(p + "." + m.Name, "unknown-field", $"'{m.Name}' is not a quantityElement field (epcClass, quantity, uom)");
            decimal? quantity = null;
            if (q.TryGetProperty("quantity", out var qv))
            {
                if (qv.ValueKind != JsonValueKind.Number || !qv.TryGetDecimal(out var d))
                    throw new EpcisFormatException(p + ".quantity", "type", $"quantity must be a number, not {Describe(qv)}");
                quantity = d;
            }
            var uom = OptionalString(q, "uom", p + ".uom");
            result.Add(EpcisValidation.Quantity(RequiredString(q, "epcClass", p + ".epcClass"), quantity, uom, p));
        }
        return EpcisList.From(result);
    }

    private static EpcisList<SensorElement> ReadSensorElements(JsonElement e, string path, Dictionary<string, string> prefixes)
    {
        if (!e.TryGetProperty("sensorElementList", out var list))
            return [];
        path += ".sensorElementList";
        if (list.ValueKind != JsonValueKind.Array)
            throw new EpcisFormatException(path, "type", "sensorElementList must be an array");
        var result = new List<SensorElement>();
        var i = 0;
        foreach (var se in list.EnumerateArray())
        {
            var p = $"{path}[{i++}]";
            if (se.ValueKind != JsonValueKind.Object)
                throw new EpcisFormatException(p, "type", "a sensorElement must be an object");
            var ext = new List<EpcisExtension>();
            SensorMetadata? metadata = null;
            var reports = new List<SensorReport>();
            foreach (var m in se.EnumerateObject())
            {
                switch (m.Name)
                {
                    case "sensorMetadata":
                        metadata = ReadSensorMetadata(m.Value, p + ".sensorMetadata", prefixes);
                        break;
                    case "sensorReport":
                        if (m.Value.ValueKind != JsonValueKind.Array)
                            throw new EpcisFormatException(p + ".sensorReport", "type", "sensorReport must be an array");
                        var j = 0;
                        foreach (var r in m.Value.EnumerateArray())
                            reports.Add(ReadSensorReport(r, $"{p}.sensorReport[{j++}]", prefixes));
                        break;
                    case "rdfs:comment" or "comment" or "type":
                        break;
                    default:
                        if (!m.Name.Contains(':', StringComparison.Ordinal))
                            throw new EpcisFormatException(p + "." + m.Name, "unknown-field", $"'{m.Name}' is not a sensorElement field");
                        ext.AddRange(ReadExtensions(m.Name, m.Value, p + "." + m.Name, prefixes, requirePrefix: true));
                        break;
                }
            }
            if (reports.Count == 0)
                throw new EpcisFormatException(p + ".sensorReport", "required", "a sensorElement needs at least one sensorReport");
            result.Add(new SensorElement { Metadata = metadata, Reports = EpcisList.From(reports), Extensions = EpcisList.From(ext) });
        }
        return EpcisList.From(result);
    }

    private static SensorMetadata ReadSensorMetadata(JsonElement m, string path, Dictionary<string, string> prefixes)
    {
        if (m.ValueKind != JsonValueKind.Object)
            throw new EpcisFormatException(path, "type", "sensorMetadata must be an object");
        var ext = new List<EpcisExtension>();
        foreach (var p in m.EnumerateObject())
        {
            if (p.Name is "time" or "startTime" or "endTime" or "deviceID" or "deviceMetadata" or "rawData" or "dataProcessingMethod" or "bizRules" or "rdfs:comment" or "comment")
                continue;
            if (!p.Name.Contains(':', StringComparison.Ordinal))
                throw new EpcisFormatException(path + "." + p.Name, "unknown-field", $"'{p.Name}' is not a sensorMetadata field");
            ext.AddRange(ReadExtensions(p.Name, p.Value, path + "." + p.Name, prefixes, requirePrefix: true));
        }
        DateTimeOffset? T(string n) => OptionalString(m, n, path + "." + n) is { } s ? EpcisTime.Parse(s, path + "." + n) : null;
        string? S(string n) => OptionalString(m, n, path + "." + n);
        return new SensorMetadata
        {
            Time = T("time"), StartTime = T("startTime"), EndTime = T("endTime"), DeviceId = S("deviceID"),
            DeviceMetadata = S("deviceMetadata"), RawData = S("rawData"), DataProcessingMethod = S("dataProcessingMethod"),
            BizRules = S("bizRules"), Extensions = EpcisList.From(ext),
        };
    }

    private static readonly HashSet<string> ReportFields =
    [
        "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules", "time", "microorganism",
        "chemicalSubstance", "value", "component", "stringValue", "booleanValue", "hexBinaryValue", "uriValue", "minValue",
        "maxValue", "meanValue", "sDev", "percRank", "percValue", "uom", "coordinateReferenceSystem",
    ];

    private static SensorReport ReadSensorReport(JsonElement r, string path, Dictionary<string, string> prefixes)
    {
        if (r.ValueKind != JsonValueKind.Object)
            throw new EpcisFormatException(path, "type", "a sensorReport must be an object");
        var ext = new List<EpcisExtension>();
        foreach (var p in r.EnumerateObject())
        {
            if (ReportFields.Contains(p.Name) || p.Name is "rdfs:comment" or "comment")
                continue;
            if (!p.Name.Contains(':', StringComparison.Ordinal))
                throw new EpcisFormatException(path + "." + p.Name, "unknown-field", $"'{p.Name}' is not a sensorReport field");
            ext.AddRange(ReadExtensions(p.Name, p.Value, path + "." + p.Name, prefixes, requirePrefix: true));
        }
        string? S(string n) => OptionalString(r, n, path + "." + n);
        double? D(string n)
        {
            if (!r.TryGetProperty(n, out var v))
                return null;
            if (v.ValueKind == JsonValueKind.Number)
                return v.GetDouble();
            if (v.ValueKind == JsonValueKind.String && EpcisValidation.TryParseDouble(v.GetString()!, out var d))
                return d;
            throw new EpcisFormatException(path + "." + n, "type", $"{n} must be a number, not {Describe(v)}");
        }
        bool? B(string n)
        {
            if (!r.TryGetProperty(n, out var v))
                return null;
            return v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String when v.GetString() is "true" or "false" => v.GetString() == "true",
                _ => throw new EpcisFormatException(path + "." + n, "type", $"{n} must be a boolean"),
            };
        }
        return new SensorReport
        {
            Type = S("type") is { } t ? Cbv.NormalizeGs1Voc(t) : null,
            Exception = S("exception") is { } x ? Cbv.NormalizeGs1Voc(x) : null,
            DeviceId = S("deviceID"), DeviceMetadata = S("deviceMetadata"), RawData = S("rawData"),
            DataProcessingMethod = S("dataProcessingMethod"), BizRules = S("bizRules"),
            Time = S("time") is { } tm ? EpcisTime.Parse(tm, path + ".time") : null,
            Microorganism = S("microorganism"), ChemicalSubstance = S("chemicalSubstance"), Value = D("value"),
            Component = S("component") is { } c ? Cbv.NormalizeComponent(c) : null,
            StringValue = S("stringValue"), BooleanValue = B("booleanValue"), HexBinaryValue = S("hexBinaryValue"),
            UriValue = S("uriValue"), MinValue = D("minValue"), MaxValue = D("maxValue"), MeanValue = D("meanValue"),
            SDev = D("sDev"), PercRank = D("percRank"), PercValue = D("percValue"), Uom = S("uom"),
            CoordinateReferenceSystem = S("coordinateReferenceSystem"), Extensions = EpcisList.From(ext),
        };
    }

    private static IEnumerable<EpcisExtension> ReadExtensions(string key, JsonElement value, string path, Dictionary<string, string> prefixes, bool requirePrefix)
    {
        var (ns, local) = SplitKey(key, path, prefixes, requirePrefix);
        if (value.ValueKind == JsonValueKind.Array)
        {
            var list = new List<EpcisExtension>();
            var i = 0;
            foreach (var item in value.EnumerateArray())
                list.Add(ReadExtensionValue(ns, local, item, $"{path}[{i++}]", prefixes) with { InArray = true });
            return list;
        }
        return [ReadExtensionValue(ns, local, value, path, prefixes)];
    }

    private static EpcisExtension ReadExtensionValue(string ns, string local, JsonElement value, string path, Dictionary<string, string> prefixes)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return new EpcisExtension { Namespace = ns, LocalName = local, Value = value.GetString() };
            case JsonValueKind.Number:
                return new EpcisExtension { Namespace = ns, LocalName = local, Value = value.GetRawText(), Kind = EpcisValueKind.Number };
            case JsonValueKind.True or JsonValueKind.False:
                return new EpcisExtension { Namespace = ns, LocalName = local, Value = value.ValueKind == JsonValueKind.True ? "true" : "false", Kind = EpcisValueKind.Boolean };
            case JsonValueKind.Null:
                return new EpcisExtension { Namespace = ns, LocalName = local, Kind = EpcisValueKind.Null };
            case JsonValueKind.Object when value.TryGetProperty("#text", out var text) && text.ValueKind == JsonValueKind.String:
                // XML text with attributes (as written by EpcisJsonWriter): "#text" plus one string member per attribute
                var attributes = new List<EpcisAttributeValue>();
                foreach (var p in value.EnumerateObject())
                {
                    if (p.Name == "#text")
                        continue;
                    var (ans, alocal) = SplitKey(p.Name, path + "." + p.Name, prefixes, requirePrefix: false);
                    attributes.Add(new EpcisAttributeValue(ans, alocal, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()));
                }
                return new EpcisExtension { Namespace = ns, LocalName = local, Value = text.GetString(), Attributes = EpcisList.From(attributes) };
            case JsonValueKind.Object:
                var children = new List<EpcisExtension>();
                foreach (var p in value.EnumerateObject())
                    if (!p.Name.StartsWith('@') && p.Name is not ("rdfs:comment" or "comment"))
                        children.AddRange(ReadExtensions(p.Name, p.Value, path + "." + p.Name, prefixes, requirePrefix: false));
                return new EpcisExtension { Namespace = ns, LocalName = local, Kind = EpcisValueKind.Object, Children = EpcisList.From(children) };
            default:
                // An array nested directly in an array: flatten into repeated elements.
                var items = new List<EpcisExtension>();
                foreach (var item in value.EnumerateArray())
                    items.Add(ReadExtensionValue(ns, local, item, path, prefixes));
                return new EpcisExtension { Namespace = ns, LocalName = local, Kind = EpcisValueKind.Object, Children = EpcisList.From(items) };
        }
    }

    private static (string Ns, string Local) SplitKey(string key, string path, Dictionary<string, string> prefixes, bool requirePrefix)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            var prefix = key[..colon];
            if (prefixes.TryGetValue(prefix, out var uri))
                return (uri, key[(colon + 1)..]);
            throw new EpcisFormatException(path, "namespace", $"prefix '{prefix}' of '{key}' is not declared in @context");
        }
        if (requirePrefix)
            throw new EpcisFormatException(path, "namespace", $"extension field '{key}' has no namespace prefix (declare one in @context and write prefix:{key})");
        return ("", key);
    }

    private static EpcisList<string> StringArray(JsonElement a, string path)
    {
        if (a.ValueKind != JsonValueKind.Array)
            throw new EpcisFormatException(path, "type", "must be an array of strings");
        var list = new List<string>();
        var i = 0;
        foreach (var s in a.EnumerateArray())
        {
            if (s.ValueKind != JsonValueKind.String)
                throw new EpcisFormatException($"{path}[{i}]", "type", $"must be a string, not {Describe(s)}");
            list.Add(s.GetString()!);
            i++;
        }
        return EpcisList.From(list);
    }

    private static string RequiredString(JsonElement o, string name, string path) =>
        OptionalString(o, name, path) ?? throw new EpcisFormatException(path, "required", $"'{name}' is required");

    private static string? OptionalString(JsonElement o, string name, string path)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind != JsonValueKind.String)
            throw new EpcisFormatException(path, "type", $"'{name}' must be a string, not {Describe(v)}");
        return v.GetString();
    }

    private static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => "the string \"" + v.GetString() + "\"",
        JsonValueKind.Number => "the number " + v.GetRawText(),
        _ => "a JSON " + v.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture),
    };
}
