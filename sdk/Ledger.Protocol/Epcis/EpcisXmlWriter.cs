using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Ledger.Protocol.Epcis;

/// <summary>
/// Writes EPCIS XML: 2.0 (<c>urn:epcglobal:epcis:xsd:2</c>, XSD element order) or 1.2 (<c>urn:epcglobal:epcis:xsd:1</c>
/// with the 1.2 <c>extension</c>/<c>baseExtension</c> wrappers and TransformationEvent inside the EventList extension).
/// CBV values are written as URNs (<c>urn:epcglobal:cbv:bizstep:shipping</c>), extension JSON types as <c>xsi:type</c>.
/// EPCIS 1.2 has no AssociationEvent, sensorElementList, persistentDisposition or certificationInfo: writing one of
/// those as 1.2 throws <see cref="EpcisUnsupportedFeatureException"/> naming it (nothing is silently dropped).
/// </summary>
public static class EpcisXmlWriter
{
    private static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";
    private const string XsdNs = "http://www.w3.org/2001/XMLSchema";

    /// <summary>Serialises <paramref name="doc"/> as EPCIS 2.0 XML.</summary>
    public static string Write20(EpcisDocument doc) => Write(doc, version12: false);

    /// <summary>Serialises <paramref name="doc"/> as EPCIS 1.2 XML.</summary>
    /// <exception cref="EpcisUnsupportedFeatureException">The document uses an EPCIS 2.0-only feature.</exception>
    public static string Write12(EpcisDocument doc) => Write(doc, version12: true);

    private static string Write(EpcisDocument doc, bool version12)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var binding = version12 ? "EPCIS 1.2 XML" : "EPCIS 2.0 XML";
        XNamespace epcisNs = version12 ? EpcisXmlReader.Ns1 : EpcisXmlReader.Ns2;
        XNamespace queryNs = version12 ? EpcisXmlReader.QueryNs1 : EpcisXmlReader.QueryNs2;
        var query = doc.Kind == EpcisDocumentKind.Query;
        var ns = new EpcisNamespaces(doc, [], ["epcis", "epcisq", "xsi", "xsd", "xml", "xmlns"]);

        var root = new XElement(query ? queryNs + "EPCISQueryDocument" : epcisNs + "EPCISDocument",
            new XAttribute(XNamespace.Xmlns + (query ? "epcisq" : "epcis"), query ? queryNs : epcisNs),
            new XAttribute(XNamespace.Xmlns + "xsi", Xsi),
            new XAttribute(XNamespace.Xmlns + "xsd", XsdNs));
        foreach (var kv in ns.Declared)
            root.Add(new XAttribute(XNamespace.Xmlns + kv.Key, kv.Value));
        root.Add(new XAttribute("schemaVersion", version12 ? "1.2" : "2.0"));
        if (doc.CreationDate is { } cd)
            root.Add(new XAttribute("creationDate", EpcisTime.Format(cd)));

        if (!doc.Header.IsEmpty || !doc.MasterData.IsEmpty)
        {
            // XSD: EPCISHeader = sbdh?, extension(EPCISMasterData?, extension(##local*))?; other namespaced header
            // items go to the document's ##other slot after EPCISBody (where the reader also looks).
            var sbdh = doc.Header.Where(h => h.LocalName == "StandardBusinessDocumentHeader" && h.Namespace.Length > 0);
            var local = doc.Header.Where(h => h.Namespace.Length == 0).ToList();
            var other = doc.Header.Where(h => h.Namespace.Length > 0 && h.LocalName != "StandardBusinessDocumentHeader");
            var extension = new XElement("extension",
                doc.MasterData.IsEmpty ? null : new XElement("EPCISMasterData", MasterData(doc.MasterData)),
                local.Count == 0 ? null : new XElement("extension", local.Select(ToXml)));
            var header = new XElement("EPCISHeader", sbdh.Select(ToXml), extension.HasElements ? extension : null);
            if (header.HasElements)
                root.Add(header);
        }

        var eventList = new XElement("EventList");
        for (var i = 0; i < doc.Events.Count; i++)
        {
            var path = $"epcisBody.eventList[{i}]";
            var e = doc.Events[i];
            if (version12)
            {
                var x = Event12(e, path, binding);
                eventList.Add(e is TransformationEvent ? new XElement("extension", x) : x);
            }
            else
                eventList.Add(Event20(e));
        }
        if (query)
        {
            var qr = new XElement(queryNs + "QueryResults");
            qr.Add(new XElement("queryName", doc.QueryName ?? "SimpleEventQuery"));
            if (doc.SubscriptionId is { } sid)
                qr.Add(new XElement("subscriptionID", sid));
            qr.Add(new XElement("resultsBody", eventList));
            root.Add(new XElement("EPCISBody", qr));
        }
        else
            root.Add(new XElement("EPCISBody", eventList));
        root.Add(doc.Header.Where(h => h.Namespace.Length > 0 && h.LocalName != "StandardBusinessDocumentHeader").Select(ToXml));

        using var stream = new MemoryStream();
        using (var w = XmlWriter.Create(stream, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) }))
            new XDocument(new XDeclaration("1.0", "UTF-8", null), root).Save(w);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>EPCISMasterData = VocabularyList, extension(##local*)?: other opaque items go to the extension.</summary>
    private static IEnumerable<XElement> MasterData(EpcisList<EpcisExtension> items)
    {
        var vocabularies = items.Where(m => m.LocalName == "VocabularyList" && m.Namespace.Length == 0).Select(ToXml).ToList();
        if (vocabularies.Count == 0)
            vocabularies.Add(new XElement("VocabularyList"));
        var rest = items.Where(m => !(m.LocalName == "VocabularyList" && m.Namespace.Length == 0)).Select(ToXml).ToList();
        return rest.Count == 0 ? vocabularies : vocabularies.Append(new XElement("extension", rest));
    }

    private static XElement? Opt(string name, string? value) => value is null ? null : new XElement(name, value);

    private static XElement? EpcList(string name, EpcisList<string> epcs, bool always = false) =>
        epcs.IsEmpty && !always ? null : new XElement(name, epcs.Select(x => new XElement("epc", x)));

    private static XElement? Quantities(string name, EpcisList<QuantityElement> list) =>
        list.IsEmpty ? null : new XElement(name, list.Select(q => new XElement("quantityElement",
            new XElement("epcClass", q.EpcClass),
            q.Quantity is { } n ? new XElement("quantity", n.ToString(CultureInfo.InvariantCulture)) : null,
            Opt("uom", q.Uom))));

    private static XElement? Location(string name, EpcisLocation? loc) =>
        loc is null ? null : new XElement(name, new XElement("id", loc.Id), loc.Extensions.Select(ToXml));

    private static XElement? BizTransactions(EpcisList<BizTransaction> list) =>
        list.IsEmpty ? null : new XElement("bizTransactionList", list.Select(b => new XElement("bizTransaction",
            b.Type is null ? null : new XAttribute("type", Cbv.ToUrn(CbvVocabulary.BizTransactionType, b.Type)), b.Value)));

    private static XElement? SourceDest(string listName, string itemName, EpcisList<SourceDestination> list) =>
        list.IsEmpty ? null : new XElement(listName, list.Select(s => new XElement(itemName,
            new XAttribute("type", Cbv.ToUrn(CbvVocabulary.SourceDestinationType, s.Type)), s.Value)));

    private static XElement? Ilmd(EpcisEvent e) =>
        e is IHasIlmd { Ilmd.IsEmpty: false } h ? new XElement("ilmd", h.Ilmd.Select(ToXml)) : null;

    private static XElement? ErrorDeclaration(ErrorDeclaration? ed) => ed is null ? null : new XElement("errorDeclaration",
        new XElement("declarationTime", EpcisTime.Format(ed.DeclarationTime)),
        ed.Reason is null ? null : new XElement("reason", Cbv.ToUrn(CbvVocabulary.ErrorReason, ed.Reason)),
        ed.CorrectiveEventIds.IsEmpty ? null : new XElement("correctiveEventIDs", ed.CorrectiveEventIds.Select(c => new XElement("correctiveEventID", c))),
        ed.Extensions.Select(ToXml));

    private static XElement? Vocab(string name, string? value, CbvVocabulary v) => value is null ? null : new XElement(name, Cbv.ToUrn(v, value));

    private static string Action(EpcisAction a) => a.ToString().ToUpperInvariant();

    private static List<object?> Base20(EpcisEvent e) =>
    [
        new XElement("eventTime", EpcisTime.Format(e.EventTime)),
        e.RecordTime is { } rt ? new XElement("recordTime", EpcisTime.Format(rt)) : null,
        new XElement("eventTimeZoneOffset", e.EventTimeZoneOffset),
        Opt("eventID", e.EventId),
        ErrorDeclaration(e.ErrorDeclaration),
        e.CertificationInfo.Select(c => new XElement("certificationInfo", c)),
    ];

    private static List<object?> Tail20(EpcisEvent e, bool bizTransactionsFirst, XElement? quantities) =>
    [
        Vocab("bizStep", e.BizStep, CbvVocabulary.BizStep),
        Vocab("disposition", e.Disposition, CbvVocabulary.Disposition),
        Location("readPoint", e.ReadPoint),
        Location("bizLocation", e.BizLocation),
        bizTransactionsFirst ? null : BizTransactions(e.BizTransactionList),
        quantities,
        SourceDest("sourceList", "source", e.SourceList),
        SourceDest("destinationList", "destination", e.DestinationList),
        e.SensorElementList.IsEmpty ? null : new XElement("sensorElementList", e.SensorElementList.Select(SensorElement)),
        e.PersistentDisposition is { } pd ? new XElement("persistentDisposition",
            pd.Unset.Select(u => new XElement("unset", Cbv.ToUrn(CbvVocabulary.Disposition, u))),
            pd.Set.Select(s => new XElement("set", Cbv.ToUrn(CbvVocabulary.Disposition, s)))) : null,
        Ilmd(e),
        e.Extensions.Select(ToXml),
    ];

    private static XElement Event20(EpcisEvent e)
    {
        var x = new XElement(e.EventType.ToString(), Base20(e));
        switch (e)
        {
            case ObjectEvent o:
                x.Add(EpcList("epcList", o.EpcList), new XElement("action", Action(o.Action)), Tail20(e, false, Quantities("quantityList", o.QuantityList)));
                break;
            case AggregationEvent a:
                x.Add(Opt("parentID", a.ParentId), EpcList("childEPCs", a.ChildEpcs), new XElement("action", Action(a.Action)),
                    Tail20(e, false, Quantities("childQuantityList", a.ChildQuantityList)));
                break;
            case TransactionEvent t:
                x.Add(BizTransactions(t.BizTransactionList), Opt("parentID", t.ParentId), EpcList("epcList", t.EpcList),
                    new XElement("action", Action(t.Action)), Tail20(e, true, Quantities("quantityList", t.QuantityList)));
                break;
            case TransformationEvent t:
                x.Add(EpcList("inputEPCList", t.InputEpcList), Quantities("inputQuantityList", t.InputQuantityList),
                    EpcList("outputEPCList", t.OutputEpcList), Quantities("outputQuantityList", t.OutputQuantityList),
                    Opt("transformationID", t.TransformationId), Tail20(e, false, null));
                break;
            case AssociationEvent a:
                x.Add(new XElement("parentID", a.ParentId), EpcList("childEPCs", a.ChildEpcs), Quantities("childQuantityList", a.ChildQuantityList),
                    new XElement("action", Action(a.Action)), Tail20(e, false, null));
                break;
        }
        return x;
    }

    private static XElement Event12(EpcisEvent e, string path, string binding)
    {
        if (e is AssociationEvent)
            throw new EpcisUnsupportedFeatureException(path, "AssociationEvent", binding);
        if (!e.SensorElementList.IsEmpty)
            throw new EpcisUnsupportedFeatureException(path + ".sensorElementList", "sensorElementList", binding);
        if (e.PersistentDisposition is not null)
            throw new EpcisUnsupportedFeatureException(path + ".persistentDisposition", "persistentDisposition", binding);
        if (!e.CertificationInfo.IsEmpty)
            throw new EpcisUnsupportedFeatureException(path + ".certificationInfo", "certificationInfo", binding);

        var x = new XElement(e.EventType.ToString(),
            new XElement("eventTime", EpcisTime.Format(e.EventTime)),
            e.RecordTime is { } rt ? new XElement("recordTime", EpcisTime.Format(rt)) : null,
            new XElement("eventTimeZoneOffset", e.EventTimeZoneOffset),
            e.EventId is null && e.ErrorDeclaration is null ? null
                : new XElement("baseExtension", Opt("eventID", e.EventId), ErrorDeclaration(e.ErrorDeclaration)));
        object?[] Common(bool withBizTransactions) =>
        [
            Vocab("bizStep", e.BizStep, CbvVocabulary.BizStep),
            Vocab("disposition", e.Disposition, CbvVocabulary.Disposition),
            Location("readPoint", e.ReadPoint),
            Location("bizLocation", e.BizLocation),
            withBizTransactions ? BizTransactions(e.BizTransactionList) : null,
        ];
        XElement? Extension(params object?[] content)
        {
            var ext = new XElement("extension", content);
            return ext.HasElements ? ext : null;
        }
        var sources = SourceDest("sourceList", "source", e.SourceList);
        var destinations = SourceDest("destinationList", "destination", e.DestinationList);
        switch (e)
        {
            case ObjectEvent o:
                x.Add(EpcList("epcList", o.EpcList, always: true), new XElement("action", Action(o.Action)), Common(true),
                    Extension(Quantities("quantityList", o.QuantityList), sources, destinations, Ilmd(e)));
                break;
            case AggregationEvent a:
                x.Add(Opt("parentID", a.ParentId), EpcList("childEPCs", a.ChildEpcs, always: true), new XElement("action", Action(a.Action)), Common(true),
                    Extension(Quantities("childQuantityList", a.ChildQuantityList), sources, destinations));
                break;
            case TransactionEvent t:
                x.Add(BizTransactions(t.BizTransactionList), Opt("parentID", t.ParentId), EpcList("epcList", t.EpcList, always: true),
                    new XElement("action", Action(t.Action)), Common(false),
                    Extension(Quantities("quantityList", t.QuantityList), sources, destinations));
                break;
            case TransformationEvent t:
                x.Add(EpcList("inputEPCList", t.InputEpcList), Quantities("inputQuantityList", t.InputQuantityList),
                    EpcList("outputEPCList", t.OutputEpcList), Quantities("outputQuantityList", t.OutputQuantityList),
                    Opt("transformationID", t.TransformationId), Common(true), sources, destinations, Ilmd(e));
                break;
        }
        x.Add(e.Extensions.Select(ToXml));
        return x;
    }

    private static XElement SensorElement(SensorElement se)
    {
        var x = new XElement("sensorElement");
        if (se.Metadata is { } m)
        {
            x.Add(new XElement("sensorMetadata",
                TimeAttr("time", m.Time), TimeAttr("startTime", m.StartTime), TimeAttr("endTime", m.EndTime),
                Attr("deviceID", m.DeviceId), Attr("deviceMetadata", m.DeviceMetadata), Attr("rawData", m.RawData),
                Attr("dataProcessingMethod", m.DataProcessingMethod), Attr("bizRules", m.BizRules),
                m.Extensions.Select(ExtensionAttribute)));
        }
        foreach (var r in se.Reports)
        {
            x.Add(new XElement("sensorReport",
                Attr("type", r.Type), Attr("exception", r.Exception), Attr("deviceID", r.DeviceId),
                Attr("deviceMetadata", r.DeviceMetadata), Attr("rawData", r.RawData), Attr("dataProcessingMethod", r.DataProcessingMethod),
                Attr("bizRules", r.BizRules), TimeAttr("time", r.Time), Attr("microorganism", r.Microorganism),
                Attr("chemicalSubstance", r.ChemicalSubstance), Num("value", r.Value), Attr("component", r.Component),
                Attr("stringValue", r.StringValue), Attr("booleanValue", r.BooleanValue is { } b ? (b ? "true" : "false") : null),
                Attr("hexBinaryValue", r.HexBinaryValue), Attr("uriValue", r.UriValue), Num("minValue", r.MinValue),
                Num("maxValue", r.MaxValue), Num("meanValue", r.MeanValue), Num("sDev", r.SDev), Num("percRank", r.PercRank),
                Num("percValue", r.PercValue), Attr("uom", r.Uom), Attr("coordinateReferenceSystem", r.CoordinateReferenceSystem),
                r.Extensions.Select(ExtensionAttribute)));
        }
        x.Add(se.Extensions.Select(ToXml));
        return x;
    }

    private static XAttribute? Attr(string name, string? v) => v is null ? null : new XAttribute(name, v);

    private static XAttribute? TimeAttr(string name, DateTimeOffset? t) => t is { } v ? new XAttribute(name, EpcisTime.Format(v)) : null;

    private static XAttribute? Num(string name, double? v) => v is { } d ? new XAttribute(name, d.ToString("R", CultureInfo.InvariantCulture)) : null;

    /// <summary>sensorMetadata/sensorReport extensions are attributes in XML: only text values fit.</summary>
    private static XAttribute ExtensionAttribute(EpcisExtension x)
    {
        if (x.Kind == EpcisValueKind.Object || x.Namespace.Length == 0)
            throw new EpcisUnsupportedFeatureException(x.ClarkName, "structured or unqualified sensor metadata/report extension", "XML (sensor extensions are attributes)");
        return new XAttribute(XName.Get(x.LocalName, x.Namespace), x.Value ?? "");
    }

    /// <summary>Converts a generic element to XML (JSON number/boolean types as xsi:type, null as xsi:nil).</summary>
    internal static XElement ToXml(EpcisExtension x)
    {
        var el = new XElement(XName.Get(x.LocalName, x.Namespace));
        foreach (var a in x.Attributes)
            el.Add(new XAttribute(XName.Get(a.LocalName, a.Namespace), a.Value));
        switch (x.Kind)
        {
            case EpcisValueKind.Object:
                el.Add(x.Children.Select(ToXml));
                break;
            case EpcisValueKind.Null:
                el.Add(new XAttribute(Xsi + "nil", "true"));
                break;
            case EpcisValueKind.Number:
                el.Add(new XAttribute(Xsi + "type", "xsd:decimal"), x.Value);
                break;
            case EpcisValueKind.Boolean:
                el.Add(new XAttribute(Xsi + "type", "xsd:boolean"), x.Value);
                break;
            default:
                el.Add(x.Value ?? "");
                break;
        }
        return el;
    }
}
