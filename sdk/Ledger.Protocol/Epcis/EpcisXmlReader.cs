using System.Xml;
using System.Xml.Linq;

namespace Ledger.Protocol.Epcis;

/// <summary>
/// Reads EPCIS XML: 2.0 (<c>urn:epcglobal:epcis:xsd:2</c>) and 1.x (<c>urn:epcglobal:epcis:xsd:1</c>, with its
/// <c>extension</c>/<c>baseExtension</c> wrappers, TransformationEvent inside the EventList extension, EPCISMasterData
/// in the header and an SBDH), capture and query documents, and a bare event element (single-event capture).
/// </summary>
public static class EpcisXmlReader
{
    /// <summary>EPCIS 2.0 XML namespace.</summary>
    public const string Ns2 = "urn:epcglobal:epcis:xsd:2";
    /// <summary>EPCIS 1.x XML namespace.</summary>
    public const string Ns1 = "urn:epcglobal:epcis:xsd:1";
    /// <summary>EPCIS 2.0 query namespace.</summary>
    public const string QueryNs2 = "urn:epcglobal:epcis-query:xsd:2";
    /// <summary>EPCIS 1.x query namespace.</summary>
    public const string QueryNs1 = "urn:epcglobal:epcis-query:xsd:1";

    private static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    private static readonly string[] BaseOrder = ["eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "errorDeclaration", "certificationInfo"];

    private static readonly Dictionary<EpcisEventType, string[]> TypeOrder = new()
    {
        [EpcisEventType.ObjectEvent] = ["epcList", "action", "bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList", "quantityList", "sourceList", "destinationList", "sensorElementList", "persistentDisposition", "ilmd"],
        [EpcisEventType.AggregationEvent] = ["parentID", "childEPCs", "action", "bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList", "childQuantityList", "sourceList", "destinationList", "sensorElementList", "persistentDisposition"],
        [EpcisEventType.TransactionEvent] = ["bizTransactionList", "parentID", "epcList", "action", "bizStep", "disposition", "readPoint", "bizLocation", "quantityList", "sourceList", "destinationList", "sensorElementList", "persistentDisposition"],
        [EpcisEventType.TransformationEvent] = ["inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList", "transformationID", "bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList", "destinationList", "sensorElementList", "persistentDisposition", "ilmd"],
        [EpcisEventType.AssociationEvent] = ["parentID", "childEPCs", "childQuantityList", "action", "bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList", "destinationList", "sensorElementList", "persistentDisposition"],
    };

    /// <summary>Parses an EPCIS XML document (2.0 or 1.x).</summary>
    /// <exception cref="EpcisFormatException">The document is malformed or breaks a rule of the standard.</exception>
    public static EpcisDocument Read(string xml) => Read(xml, EpcisReadOptions.Strict);

    /// <summary>Parses an EPCIS XML document (2.0 or 1.x) with <paramref name="options"/>.</summary>
    /// <exception cref="EpcisFormatException">The document is malformed or breaks a rule of the standard.</exception>
    public static EpcisDocument Read(string xml, EpcisReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        XDocument doc;
        try
        {
            // untrusted input: DTDs are ignored (no entity expansion), nothing external is resolved
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null });
            doc = XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException ex)
        {
            throw new EpcisFormatException("$", "syntax", "not well-formed XML: " + ex.Message, ex);
        }
        var root = doc.Root!;
        var ns = root.Name.NamespaceName;
        var local = root.Name.LocalName;

        if (ns.Length == 0 && Enum.TryParse<EpcisEventType>(local, out var bareType) && local == bareType.ToString())
        {
            var ev = ReadEvent(root, bareType, "event", strictOrder: options.EnforceXmlElementOrder);
            return new EpcisDocument { SchemaVersion = "2.0", CreationDate = ev.EventTime, Events = [ev] };
        }

        var (kind, version1) = (ns, local) switch
        {
            (Ns2, "EPCISDocument") => (EpcisDocumentKind.Capture, false),
            (Ns1, "EPCISDocument") => (EpcisDocumentKind.Capture, true),
            (QueryNs2, "EPCISQueryDocument") => (EpcisDocumentKind.Query, false),
            (QueryNs1, "EPCISQueryDocument") => (EpcisDocumentKind.Query, true),
            _ => throw new EpcisFormatException("$", "namespace", $"root element {{{ns}}}{local} is not an EPCIS document (EPCISDocument in {Ns2} or {Ns1})"),
        };

        var schemaVersion = (string?)root.Attribute("schemaVersion") ?? throw new EpcisFormatException("schemaVersion", "required", "the schemaVersion attribute is missing");
        var creationText = (string?)root.Attribute("creationDate");
        if (creationText is null && kind == EpcisDocumentKind.Capture)
            throw new EpcisFormatException("creationDate", "required", "the creationDate attribute is missing");
        DateTimeOffset? creationDate = creationText is null ? null : EpcisTime.Parse(creationText, "creationDate");
        var namespaces = root.Attributes().Where(a => a.IsNamespaceDeclaration && a.Name.Namespace == XNamespace.Xmlns)
            .Select(a => new KeyValuePair<string, string>(a.Name.LocalName, a.Value)).ToList();

        var header = new List<EpcisExtension>();
        var masterData = new List<EpcisExtension>();
        header.AddRange(root.Elements().Where(x => x.Name.NamespaceName.Length != 0).Select(FromXml));
        var headerElement = root.Element("EPCISHeader");
        if (headerElement is not null)
        {
            foreach (var h in Flatten(headerElement))
            {
                if (h.Name.LocalName == "EPCISMasterData")
                    masterData.AddRange(Flatten(h).Select(FromXml));
                else
                    header.Add(FromXml(h));
            }
        }

        // Query documents seen in the wild put queryName/resultsBody directly under the root: accepted.
        var body = root.Element("EPCISBody")
            ?? (kind == EpcisDocumentKind.Query && root.Element("resultsBody") is not null ? root : throw new EpcisFormatException("epcisBody", "required", "EPCISBody is missing"));
        XElement? eventList;
        string listPath;
        string? subscriptionId = null, queryName = null;
        if (kind == EpcisDocumentKind.Query)
        {
            var qr = body.Elements().FirstOrDefault(x => x.Name.LocalName == "QueryResults")
                ?? (body.Element("resultsBody") is not null ? body : throw new EpcisFormatException("epcisBody.queryResults", "required", "QueryResults is missing"));
            queryName = (string?)qr.Element("queryName");
            subscriptionId = (string?)qr.Element("subscriptionID");
            eventList = qr.Element("resultsBody")?.Element("EventList");
            listPath = "epcisBody.queryResults.resultsBody.eventList";
        }
        else
        {
            eventList = body.Element("EventList");
            listPath = "epcisBody.eventList";
        }

        var events = new List<EpcisEvent>();
        if (eventList is not null)
        {
            foreach (var el in Flatten(eventList))
            {
                var p = $"{listPath}[{events.Count}]";
                if (el.Name.NamespaceName.Length != 0)
                    continue; // ##other content in the event list extension point
                if (!Enum.TryParse<EpcisEventType>(el.Name.LocalName, out var type) || el.Name.LocalName != type.ToString())
                    throw new EpcisFormatException(p, "unknown-field", $"<{el.Name.LocalName}> is not an EPCIS event type");
                events.Add(ReadEvent(el, type, p, strictOrder: !version1 && options.EnforceXmlElementOrder));
            }
        }
        return new EpcisDocument
        {
            Kind = kind,
            SchemaVersion = schemaVersion,
            CreationDate = creationDate,
            Namespaces = EpcisList.From(namespaces),
            Header = EpcisList.From(header),
            MasterData = EpcisList.From(masterData),
            SubscriptionId = subscriptionId,
            QueryName = queryName,
            Events = EpcisList.From(events),
        };
    }

    /// <summary>Children with the 1.x <c>extension</c>/<c>baseExtension</c> wrappers removed.</summary>
    private static IEnumerable<XElement> Flatten(XElement parent)
    {
        foreach (var c in parent.Elements())
        {
            if (c.Name.NamespaceName.Length == 0 && c.Name.LocalName is "extension" or "baseExtension")
            {
                foreach (var g in Flatten(c))
                    yield return g;
            }
            else
                yield return c;
        }
    }

    private static EpcisEvent ReadEvent(XElement el, EpcisEventType type, string path, bool strictOrder)
    {
        var order = BaseOrder.Concat(TypeOrder[type]).ToList();
        var fields = new Dictionary<string, List<XElement>>(StringComparer.Ordinal);
        var extensions = new List<EpcisExtension>();
        var last = -1;
        foreach (var c in Flatten(el))
        {
            if (c.Name.NamespaceName.Length != 0)
            {
                extensions.Add(FromXml(c));
                continue;
            }
            var name = c.Name.LocalName;
            var idx = order.IndexOf(name);
            if (name is "persistentDisposition" or "ilmd")
                idx = order.IndexOf("sensorElementList"); // the 2.0 drafts placed ilmd first; this trailing group is accepted in any order
            if (idx < 0)
                throw new EpcisFormatException(path + "." + name, "unknown-field", $"<{name}> is not an EPCIS {type} element (extensions need a namespace)");
            if (strictOrder && (idx < last || (idx == last && fields.ContainsKey(name) && name != "certificationInfo")))
                throw new EpcisFormatException(path + "." + name, "order", $"<{name}> is out of order: the {type} elements must follow the order {string.Join(", ", order)}");
            last = idx;
            if (!fields.TryGetValue(name, out var list))
                fields[name] = list = [];
            list.Add(c);
        }

        XElement? F(string n) => fields.TryGetValue(n, out var l) ? l[0] : null;
        string? S(string n) => F(n)?.Value.Trim();
        string Req(string n) => S(n) ?? throw new EpcisFormatException(path + "." + n, "required", $"<{n}> is required");

        var eventTime = EpcisTime.Parse(Req("eventTime"), path + ".eventTime");
        var offset = EpcisTime.ValidateOffset(Req("eventTimeZoneOffset"), path + ".eventTimeZoneOffset");
        EpcisAction? action = TypeOrder[type].Contains("action") ? EpcisJsonReader.ParseAction(Req("action"), path + ".action") : null;

        EpcisList<string> Epcs(string n) => F(n) is { } x ? EpcisList.From(x.Elements("epc").Select(e => e.Value.Trim())) : [];
        EpcisList<QuantityElement> Quantities(string n) => F(n) is { } x ? ReadQuantityList(x, path + "." + n) : [];
        EpcisList<EpcisExtension> Ilmd()
        {
            if (F("ilmd") is not { } il)
                return [];
            var list = new List<EpcisExtension>();
            foreach (var c in Flatten(il))
            {
                if (c.Name.NamespaceName.Length == 0)
                    throw new EpcisFormatException(path + ".ilmd." + c.Name.LocalName, "namespace", $"ILMD element <{c.Name.LocalName}> has no namespace");
                list.Add(FromXml(c));
            }
            return MarkArrays(list);
        }
        string? Vocab(string n, CbvVocabulary v) => S(n) is { } s ? Cbv.Normalize(v, s, path + "." + n) : null;

        var common = new EpcisJsonReader.CommonParts(
            eventTime, offset,
            S("recordTime") is { } rt ? EpcisTime.Parse(rt, path + ".recordTime") : null,
            S("eventID"),
            fields.TryGetValue("certificationInfo", out var cis) ? EpcisList.From(cis.Select(x => x.Value.Trim())) : [],
            F("errorDeclaration") is { } ed ? ReadErrorDeclaration(ed, path + ".errorDeclaration") : null,
            Vocab("bizStep", CbvVocabulary.BizStep), Vocab("disposition", CbvVocabulary.Disposition),
            F("persistentDisposition") is { } pd ? new PersistentDisposition
            {
                Set = EpcisList.From(pd.Elements("set").Select((x, i) => Cbv.Normalize(CbvVocabulary.Disposition, x.Value, $"{path}.persistentDisposition.set[{i}]"))),
                Unset = EpcisList.From(pd.Elements("unset").Select((x, i) => Cbv.Normalize(CbvVocabulary.Disposition, x.Value, $"{path}.persistentDisposition.unset[{i}]"))),
            } : null,
            F("readPoint") is { } rp ? ReadLocation(rp, path + ".readPoint") : null,
            F("bizLocation") is { } bl ? ReadLocation(bl, path + ".bizLocation") : null,
            F("bizTransactionList") is { } btl ? EpcisList.From(btl.Elements("bizTransaction").Select((x, i) => new BizTransaction(x.Value.Trim(),
                (string?)x.Attribute("type") is { } t ? Cbv.Normalize(CbvVocabulary.BizTransactionType, t, $"{path}.bizTransactionList[{i}].type") : null))) : [],
            ReadSourceDest(F("sourceList"), "source", path + ".sourceList"),
            ReadSourceDest(F("destinationList"), "destination", path + ".destinationList"),
            F("sensorElementList") is { } sel ? ReadSensorElements(sel, path + ".sensorElementList") : [],
            MarkArrays(extensions));

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
                ParentId = S("parentID"), ChildEpcs = Epcs("childEPCs"), ChildQuantityList = Quantities("childQuantityList"),
            }),
            EpcisEventType.TransactionEvent => common.Apply(new TransactionEvent
            {
                EventTime = eventTime, EventTimeZoneOffset = offset, Action = action!.Value,
                ParentId = S("parentID"), EpcList = Epcs("epcList"), QuantityList = Quantities("quantityList"),
            }),
            EpcisEventType.TransformationEvent => common.Apply(new TransformationEvent
            {
                EventTime = eventTime, EventTimeZoneOffset = offset,
                InputEpcList = Epcs("inputEPCList"), InputQuantityList = Quantities("inputQuantityList"),
                OutputEpcList = Epcs("outputEPCList"), OutputQuantityList = Quantities("outputQuantityList"),
                TransformationId = S("transformationID"), Ilmd = Ilmd(),
            }),
            _ => common.Apply(new AssociationEvent
            {
                EventTime = eventTime, EventTimeZoneOffset = offset, Action = action!.Value,
                ParentId = Req("parentID"), ChildEpcs = Epcs("childEPCs"), ChildQuantityList = Quantities("childQuantityList"),
            }),
        };
        EpcisValidation.ValidateEvent(ev, path);
        return ev;
    }

    private static EpcisList<QuantityElement> ReadQuantityList(XElement list, string path)
    {
        var result = new List<QuantityElement>();
        foreach (var q in list.Elements())
        {
            var p = $"{path}[{result.Count}]";
            if (q.Name.LocalName != "quantityElement")
                throw new EpcisFormatException(p, "unknown-field", $"<{q.Name.LocalName}> is not a quantityElement");
            foreach (var c in q.Elements())
                if (c.Name.LocalName is not ("epcClass" or "quantity" or "uom"))
                    throw new EpcisFormatException(p + "." + c.Name.LocalName, "unknown-field", $"<{c.Name.LocalName}> is not a quantityElement field");
            decimal? quantity = null;
            if (q.Element("quantity") is { } qe && (string?)qe.Attribute(Xsi + "nil") != "true")
            {
                EpcisValidation.AsciiDigits(qe.Value, p + ".quantity");
                if (!EpcisValidation.TryParseDecimal(qe.Value, out var d))
                    throw new EpcisFormatException(p + ".quantity", "type", $"quantity '{qe.Value}' is not a number");
                quantity = d;
            }
            var epcClass = q.Element("epcClass")?.Value.Trim() ?? throw new EpcisFormatException(p + ".epcClass", "required", "<epcClass> is required");
            result.Add(EpcisValidation.Quantity(epcClass, quantity, q.Element("uom")?.Value.Trim(), p));
        }
        return EpcisList.From(result);
    }

    private static EpcisList<SourceDestination> ReadSourceDest(XElement? list, string itemName, string path)
    {
        if (list is null)
            return [];
        var result = new List<SourceDestination>();
        foreach (var x in list.Elements(itemName))
        {
            var p = $"{path}[{result.Count}]";
            var type = (string?)x.Attribute("type") ?? throw new EpcisFormatException(p + ".type", "required", $"<{itemName}> needs a type attribute");
            result.Add(new SourceDestination(Cbv.Normalize(CbvVocabulary.SourceDestinationType, type, p + ".type"), x.Value.Trim()));
        }
        return EpcisList.From(result);
    }

    private static EpcisLocation ReadLocation(XElement loc, string path)
    {
        var ext = new List<EpcisExtension>();
        string? id = null;
        foreach (var c in Flatten(loc))
        {
            if (c.Name.NamespaceName.Length == 0 && c.Name.LocalName == "id")
                id = c.Value.Trim();
            else if (c.Name.NamespaceName.Length == 0)
                throw new EpcisFormatException(path + "." + c.Name.LocalName, "unknown-field", $"<{c.Name.LocalName}> is not a location field");
            else
                ext.Add(FromXml(c));
        }
        return new EpcisLocation(id ?? throw new EpcisFormatException(path + ".id", "required", "<id> is required")) { Extensions = MarkArrays(ext) };
    }

    private static ErrorDeclaration ReadErrorDeclaration(XElement ed, string path)
    {
        var ext = new List<EpcisExtension>();
        foreach (var c in Flatten(ed))
            if (c.Name.NamespaceName.Length != 0)
                ext.Add(FromXml(c));
        var time = ed.Element("declarationTime")?.Value ?? throw new EpcisFormatException(path + ".declarationTime", "required", "<declarationTime> is required");
        return new ErrorDeclaration
        {
            DeclarationTime = EpcisTime.Parse(time, path + ".declarationTime"),
            Reason = ed.Element("reason")?.Value is { } r ? Cbv.Normalize(CbvVocabulary.ErrorReason, r, path + ".reason") : null,
            CorrectiveEventIds = ed.Element("correctiveEventIDs") is { } ids ? EpcisList.From(ids.Elements("correctiveEventID").Select(x => x.Value.Trim())) : [],
            Extensions = MarkArrays(ext),
        };
    }

    private static EpcisList<SensorElement> ReadSensorElements(XElement list, string path)
    {
        var result = new List<SensorElement>();
        foreach (var se in Flatten(list).Where(x => x.Name.NamespaceName.Length == 0 && x.Name.LocalName == "sensorElement"))
        {
            var p = $"{path}[{result.Count}]";
            SensorMetadata? metadata = null;
            var reports = new List<SensorReport>();
            var ext = new List<EpcisExtension>();
            foreach (var c in Flatten(se))
            {
                if (c.Name.NamespaceName.Length != 0)
                    ext.Add(FromXml(c));
                else if (c.Name.LocalName == "sensorMetadata")
                    metadata = ReadSensorMetadata(c, p + ".sensorMetadata");
                else if (c.Name.LocalName == "sensorReport")
                    reports.Add(ReadSensorReport(c, $"{p}.sensorReport[{reports.Count}]"));
                else
                    throw new EpcisFormatException(p + "." + c.Name.LocalName, "unknown-field", $"<{c.Name.LocalName}> is not a sensorElement field");
            }
            if (reports.Count == 0)
                throw new EpcisFormatException(p + ".sensorReport", "required", "a sensorElement needs at least one sensorReport");
            result.Add(new SensorElement { Metadata = metadata, Reports = EpcisList.From(reports), Extensions = MarkArrays(ext) });
        }
        return EpcisList.From(result);
    }

    private static EpcisList<EpcisExtension> AttributeExtensions(XElement x) => EpcisList.From(x.Attributes()
        .Where(a => !a.IsNamespaceDeclaration && a.Name.NamespaceName.Length != 0)
        .Select(a => EpcisExtension.Text(a.Name.NamespaceName, a.Name.LocalName, a.Value)));

    private static void CheckAttributes(XElement x, string path, HashSet<string> allowed)
    {
        foreach (var a in x.Attributes())
            if (!a.IsNamespaceDeclaration && a.Name.NamespaceName.Length == 0 && !allowed.Contains(a.Name.LocalName))
                throw new EpcisFormatException(path + "." + a.Name.LocalName, "unknown-field", $"'{a.Name.LocalName}' is not a {x.Name.LocalName} attribute");
    }

    private static readonly HashSet<string> MetadataAttributes = ["time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules"];

    private static SensorMetadata ReadSensorMetadata(XElement m, string path)
    {
        CheckAttributes(m, path, MetadataAttributes);
        DateTimeOffset? T(string n) => (string?)m.Attribute(n) is { } s ? EpcisTime.Parse(s, path + "." + n) : null;
        string? S(string n) => (string?)m.Attribute(n);
        return new SensorMetadata
        {
            Time = T("time"), StartTime = T("startTime"), EndTime = T("endTime"), DeviceId = S("deviceID"),
            DeviceMetadata = S("deviceMetadata"), RawData = S("rawData"), DataProcessingMethod = S("dataProcessingMethod"),
            BizRules = S("bizRules"), Extensions = AttributeExtensions(m),
        };
    }

    private static readonly HashSet<string> ReportAttributes =
    [
        "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules", "time", "microorganism",
        "chemicalSubstance", "value", "component", "stringValue", "booleanValue", "hexBinaryValue", "uriValue", "minValue",
        "maxValue", "meanValue", "sDev", "percRank", "percValue", "uom", "coordinateReferenceSystem",
    ];

    private static SensorReport ReadSensorReport(XElement r, string path)
    {
        CheckAttributes(r, path, ReportAttributes);
        string? S(string n) => (string?)r.Attribute(n);
        double? D(string n)
        {
            if (S(n) is not { } s)
                return null;
            return EpcisValidation.TryParseDouble(s, out var d) ? d : throw new EpcisFormatException(path + "." + n, "type", $"{n} '{s}' is not a number");
        }
        bool? B(string n) => S(n) switch
        {
            null => null,
            "true" or "1" => true,
            "false" or "0" => false,
            var s => throw new EpcisFormatException(path + "." + n, "type", $"{n} '{s}' is not a boolean"),
        };
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
            CoordinateReferenceSystem = S("coordinateReferenceSystem"), Extensions = AttributeExtensions(r),
        };
    }

    /// <summary>Converts an extension element (any namespace) into the generic model.</summary>
    internal static EpcisExtension FromXml(XElement x)
    {
        var kind = EpcisValueKind.String;
        var attributes = new List<EpcisAttributeValue>();
        foreach (var a in x.Attributes())
        {
            if (a.IsNamespaceDeclaration)
                continue;
            if (a.Name == Xsi + "type")
            {
                var t = a.Value[(a.Value.IndexOf(':', StringComparison.Ordinal) + 1)..];
                kind = t switch
                {
                    "decimal" or "double" or "float" or "integer" or "int" or "long" or "short" or "nonNegativeInteger" or "positiveInteger" => EpcisValueKind.Number,
                    "boolean" => EpcisValueKind.Boolean,
                    _ => EpcisValueKind.String,
                };
                continue;
            }
            if (a.Name == Xsi + "nil" && a.Value == "true")
            {
                kind = EpcisValueKind.Null;
                continue;
            }
            attributes.Add(new EpcisAttributeValue(a.Name.NamespaceName, a.Name.LocalName, a.Value));
        }
        if (x.HasElements)
        {
            return new EpcisExtension
            {
                Namespace = x.Name.NamespaceName, LocalName = x.Name.LocalName, Kind = EpcisValueKind.Object,
                Children = MarkArrays(x.Elements().Select(FromXml).ToList()), Attributes = EpcisList.From(attributes),
            };
        }
        return new EpcisExtension
        {
            Namespace = x.Name.NamespaceName, LocalName = x.Name.LocalName, Kind = kind,
            Value = kind == EpcisValueKind.Null ? null : x.Value, Attributes = EpcisList.From(attributes),
        };
    }

    /// <summary>Marks repeated sibling names as array items (XML repetition = JSON array).</summary>
    internal static EpcisList<EpcisExtension> MarkArrays(List<EpcisExtension> list)
    {
        var counts = list.GroupBy(e => e.ClarkName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return EpcisList.From(list.Select(e => counts[e.ClarkName] > 1 ? e with { InArray = true } : e));
    }
}
