namespace Ledger.Protocol.Epcis;

/// <summary>The five EPCIS 2.0 event types.</summary>
public enum EpcisEventType
{
    /// <summary>Observation, commissioning etc. of objects.</summary>
    ObjectEvent,
    /// <summary>Packing/unpacking of children into a parent.</summary>
    AggregationEvent,
    /// <summary>Association/disassociation of objects with business transactions.</summary>
    TransactionEvent,
    /// <summary>Inputs consumed, outputs produced.</summary>
    TransformationEvent,
    /// <summary>Association of children with a parent (EPCIS 2.0 only).</summary>
    AssociationEvent,
}

/// <summary>The EPCIS <c>action</c> field.</summary>
public enum EpcisAction
{
    /// <summary><c>ADD</c></summary>
    Add,
    /// <summary><c>OBSERVE</c></summary>
    Observe,
    /// <summary><c>DELETE</c></summary>
    Delete,
}

/// <summary>How an extension value was typed in JSON (XML binding: <c>xsi:type</c>).</summary>
public enum EpcisValueKind
{
    /// <summary>A string (XML text).</summary>
    String,
    /// <summary>A JSON number (XML <c>xsi:type="xsd:decimal"</c>); the value keeps the number's text.</summary>
    Number,
    /// <summary>A JSON boolean (XML <c>xsi:type="xsd:boolean"</c>); value "true" or "false".</summary>
    Boolean,
    /// <summary>JSON null / an empty XML element.</summary>
    Null,
    /// <summary>A nested structure: see <see cref="EpcisExtension.Children"/>.</summary>
    Object,
}

/// <summary>An XML attribute on an extension element.</summary>
/// <param name="Namespace">Namespace URI, "" when unqualified.</param>
/// <param name="LocalName">Local name.</param>
/// <param name="Value">Attribute value.</param>
public sealed record EpcisAttributeValue(string Namespace, string LocalName, string Value);

/// <summary>
/// One user-extension / ILMD / opaque element: a namespaced name with either a value or nested elements.
/// A JSON array becomes several elements of the same name with <see cref="InArray"/> set.
/// </summary>
public sealed record EpcisExtension
{
    /// <summary>Namespace URI (e.g. <c>urn:epcglobal:cbv:mda</c>); "" for an unqualified element inside opaque content.</summary>
    public required string Namespace { get; init; }

    /// <summary>Local name (e.g. <c>lotNumber</c>).</summary>
    public required string LocalName { get; init; }

    /// <summary>The text value (null for objects and nulls).</summary>
    public string? Value { get; init; }

    /// <summary>How the value was typed.</summary>
    public EpcisValueKind Kind { get; init; } = EpcisValueKind.String;

    /// <summary>Nested elements when <see cref="Kind"/> is <see cref="EpcisValueKind.Object"/>.</summary>
    public EpcisList<EpcisExtension> Children { get; init; } = [];

    /// <summary>XML attributes (JSON has none; the JSON writer emits them as child members).</summary>
    public EpcisList<EpcisAttributeValue> Attributes { get; init; } = [];

    /// <summary>True when this element came from (or is to be written as) an item of a JSON array.</summary>
    public bool InArray { get; init; }

    /// <summary>A string-valued extension.</summary>
    public static EpcisExtension Text(string ns, string localName, string value) =>
        new() { Namespace = ns, LocalName = localName, Value = value };

    /// <summary>An object-valued extension.</summary>
    public static EpcisExtension Object(string ns, string localName, params EpcisExtension[] children) =>
        new() { Namespace = ns, LocalName = localName, Kind = EpcisValueKind.Object, Children = EpcisList.From(children) };

    /// <summary>The Clark name <c>{namespace}localName</c>.</summary>
    public string ClarkName => Namespace.Length == 0 ? LocalName : "{" + Namespace + "}" + LocalName;
}

/// <summary>An element of quantityList / childQuantityList / inputQuantityList / outputQuantityList.</summary>
/// <param name="EpcClass">EPC class URI (e.g. <c>urn:epc:class:lgtin:…</c>) or Digital Link.</param>
/// <param name="Quantity">Quantity, when stated.</param>
/// <param name="Uom">UN/CEFACT unit code (<c>^[A-Z0-9]{2,3}$</c>), only with a quantity.</param>
public sealed record QuantityElement(string EpcClass, decimal? Quantity = null, string? Uom = null);

/// <summary>A business transaction reference.</summary>
/// <param name="Value">The transaction identifier.</param>
/// <param name="Type">Type as a Web URI for CBV types (e.g. <c>https://ref.gs1.org/cbv/BTT-po</c>), else as given; null when untyped.</param>
public sealed record BizTransaction(string Value, string? Type = null)
{
    /// <summary>The CBV short name of <see cref="Type"/> (e.g. "po"), or null for a non-CBV or missing type.</summary>
    public string? TypeShortName => Cbv.ShortName(Type);
}

/// <summary>A source or destination.</summary>
/// <param name="Type">Type Web URI (e.g. <c>https://ref.gs1.org/cbv/SDT-owning_party</c>) or user URI.</param>
/// <param name="Value">The party or location identifier.</param>
public sealed record SourceDestination(string Type, string Value)
{
    /// <summary>The CBV short name of <see cref="Type"/> (e.g. "owning_party").</summary>
    public string? TypeShortName => Cbv.ShortName(Type);
}

/// <summary>readPoint or bizLocation.</summary>
/// <param name="Id">The location identifier (SGLN URN, Digital Link, geo: …).</param>
public sealed record EpcisLocation(string Id)
{
    /// <summary>User extensions inside the location.</summary>
    public EpcisList<EpcisExtension> Extensions { get; init; } = [];
}

/// <summary>persistentDisposition: dispositions set and unset (Web URIs for CBV values).</summary>
public sealed record PersistentDisposition
{
    /// <summary>Dispositions that are set.</summary>
    public EpcisList<string> Set { get; init; } = [];

    /// <summary>Dispositions that are unset.</summary>
    public EpcisList<string> Unset { get; init; } = [];
}

/// <summary>errorDeclaration.</summary>
public sealed record ErrorDeclaration
{
    /// <summary>When the error was declared (offset kept).</summary>
    public required DateTimeOffset DeclarationTime { get; init; }

    /// <summary>Reason Web URI (e.g. <c>https://ref.gs1.org/cbv/ER-incorrect_data</c>) or user URI.</summary>
    public string? Reason { get; init; }

    /// <summary>IDs of corrective events.</summary>
    public EpcisList<string> CorrectiveEventIds { get; init; } = [];

    /// <summary>User extensions.</summary>
    public EpcisList<EpcisExtension> Extensions { get; init; } = [];
}

/// <summary>sensorMetadata.</summary>
public sealed record SensorMetadata
{
    /// <summary>time</summary>
    public DateTimeOffset? Time { get; init; }
    /// <summary>startTime</summary>
    public DateTimeOffset? StartTime { get; init; }
    /// <summary>endTime</summary>
    public DateTimeOffset? EndTime { get; init; }
    /// <summary>deviceID</summary>
    public string? DeviceId { get; init; }
    /// <summary>deviceMetadata</summary>
    public string? DeviceMetadata { get; init; }
    /// <summary>rawData</summary>
    public string? RawData { get; init; }
    /// <summary>dataProcessingMethod</summary>
    public string? DataProcessingMethod { get; init; }
    /// <summary>bizRules</summary>
    public string? BizRules { get; init; }
    /// <summary>User extensions (XML: extension attributes).</summary>
    public EpcisList<EpcisExtension> Extensions { get; init; } = [];
}

/// <summary>sensorReport (all members of EPCIS 2.0).</summary>
public sealed record SensorReport
{
    /// <summary>type: measurement type URI; GS1 vocabulary as <c>https://gs1.org/voc/…</c>.</summary>
    public string? Type { get; init; }
    /// <summary>exception</summary>
    public string? Exception { get; init; }
    /// <summary>deviceID</summary>
    public string? DeviceId { get; init; }
    /// <summary>deviceMetadata</summary>
    public string? DeviceMetadata { get; init; }
    /// <summary>rawData</summary>
    public string? RawData { get; init; }
    /// <summary>dataProcessingMethod</summary>
    public string? DataProcessingMethod { get; init; }
    /// <summary>bizRules</summary>
    public string? BizRules { get; init; }
    /// <summary>time</summary>
    public DateTimeOffset? Time { get; init; }
    /// <summary>microorganism</summary>
    public string? Microorganism { get; init; }
    /// <summary>chemicalSubstance</summary>
    public string? ChemicalSubstance { get; init; }
    /// <summary>value</summary>
    public double? Value { get; init; }
    /// <summary>component</summary>
    public string? Component { get; init; }
    /// <summary>stringValue</summary>
    public string? StringValue { get; init; }
    /// <summary>booleanValue</summary>
    public bool? BooleanValue { get; init; }
    /// <summary>hexBinaryValue</summary>
    public string? HexBinaryValue { get; init; }
    /// <summary>uriValue</summary>
    public string? UriValue { get; init; }
    /// <summary>minValue</summary>
    public double? MinValue { get; init; }
    /// <summary>maxValue</summary>
    public double? MaxValue { get; init; }
    /// <summary>meanValue</summary>
    public double? MeanValue { get; init; }
    /// <summary>sDev</summary>
    public double? SDev { get; init; }
    /// <summary>percRank</summary>
    public double? PercRank { get; init; }
    /// <summary>percValue</summary>
    public double? PercValue { get; init; }
    /// <summary>uom</summary>
    public string? Uom { get; init; }
    /// <summary>coordinateReferenceSystem</summary>
    public string? CoordinateReferenceSystem { get; init; }
    /// <summary>User extensions (XML: extension attributes).</summary>
    public EpcisList<EpcisExtension> Extensions { get; init; } = [];
}

/// <summary>sensorElement.</summary>
public sealed record SensorElement
{
    /// <summary>sensorMetadata</summary>
    public SensorMetadata? Metadata { get; init; }
    /// <summary>sensorReport (at least one)</summary>
    public EpcisList<SensorReport> Reports { get; init; } = [];
    /// <summary>User extensions.</summary>
    public EpcisList<EpcisExtension> Extensions { get; init; } = [];
}

/// <summary>Members common to every EPCIS event.</summary>
public abstract record EpcisEvent
{
    /// <summary>The event type.</summary>
    public abstract EpcisEventType EventType { get; }

    /// <summary>eventTime, with the offset as written.</summary>
    public required DateTimeOffset EventTime { get; init; }

    /// <summary>eventTimeZoneOffset as written (e.g. "-06:00").</summary>
    public required string EventTimeZoneOffset { get; init; }

    /// <summary>recordTime.</summary>
    public DateTimeOffset? RecordTime { get; init; }

    /// <summary>eventID.</summary>
    public string? EventId { get; init; }

    /// <summary>certificationInfo (one or more URIs).</summary>
    public EpcisList<string> CertificationInfo { get; init; } = [];

    /// <summary>errorDeclaration.</summary>
    public ErrorDeclaration? ErrorDeclaration { get; init; }

    /// <summary>bizStep: CBV values as Web URI (<c>https://ref.gs1.org/cbv/BizStep-shipping</c>), user vocabulary as given.</summary>
    public string? BizStep { get; init; }

    /// <summary>disposition: CBV values as Web URI (<c>https://ref.gs1.org/cbv/Disp-in_transit</c>), user vocabulary as given.</summary>
    public string? Disposition { get; init; }

    /// <summary>persistentDisposition.</summary>
    public PersistentDisposition? PersistentDisposition { get; init; }

    /// <summary>readPoint.</summary>
    public EpcisLocation? ReadPoint { get; init; }

    /// <summary>bizLocation.</summary>
    public EpcisLocation? BizLocation { get; init; }

    /// <summary>bizTransactionList.</summary>
    public EpcisList<BizTransaction> BizTransactionList { get; init; } = [];

    /// <summary>sourceList.</summary>
    public EpcisList<SourceDestination> SourceList { get; init; } = [];

    /// <summary>destinationList.</summary>
    public EpcisList<SourceDestination> DestinationList { get; init; } = [];

    /// <summary>sensorElementList.</summary>
    public EpcisList<SensorElement> SensorElementList { get; init; } = [];

    /// <summary>User extensions at event level.</summary>
    public EpcisList<EpcisExtension> Extensions { get; init; } = [];

    /// <summary>CBV short name of <see cref="BizStep"/> (e.g. "shipping"), null for user vocabulary.</summary>
    public string? BizStepShortName => Cbv.ShortName(BizStep);

    /// <summary>CBV short name of <see cref="Disposition"/> (e.g. "in_transit"), null for user vocabulary.</summary>
    public string? DispositionShortName => Cbv.ShortName(Disposition);
}

/// <summary>An event that carries ILMD (ObjectEvent, TransformationEvent).</summary>
public interface IHasIlmd
{
    /// <summary>Instance/lot master data elements.</summary>
    EpcisList<EpcisExtension> Ilmd { get; }
}

/// <summary>ObjectEvent.</summary>
public sealed record ObjectEvent : EpcisEvent, IHasIlmd
{
    /// <inheritdoc/>
    public override EpcisEventType EventType => EpcisEventType.ObjectEvent;
    /// <summary>action</summary>
    public required EpcisAction Action { get; init; }
    /// <summary>epcList</summary>
    public EpcisList<string> EpcList { get; init; } = [];
    /// <summary>quantityList</summary>
    public EpcisList<QuantityElement> QuantityList { get; init; } = [];
    /// <inheritdoc/>
    public EpcisList<EpcisExtension> Ilmd { get; init; } = [];
}

/// <summary>AggregationEvent.</summary>
public sealed record AggregationEvent : EpcisEvent
{
    /// <inheritdoc/>
    public override EpcisEventType EventType => EpcisEventType.AggregationEvent;
    /// <summary>action</summary>
    public required EpcisAction Action { get; init; }
    /// <summary>parentID</summary>
    public string? ParentId { get; init; }
    /// <summary>childEPCs</summary>
    public EpcisList<string> ChildEpcs { get; init; } = [];
    /// <summary>childQuantityList</summary>
    public EpcisList<QuantityElement> ChildQuantityList { get; init; } = [];
}

/// <summary>TransactionEvent.</summary>
public sealed record TransactionEvent : EpcisEvent
{
    /// <inheritdoc/>
    public override EpcisEventType EventType => EpcisEventType.TransactionEvent;
    /// <summary>action</summary>
    public required EpcisAction Action { get; init; }
    /// <summary>parentID</summary>
    public string? ParentId { get; init; }
    /// <summary>epcList</summary>
    public EpcisList<string> EpcList { get; init; } = [];
    /// <summary>quantityList</summary>
    public EpcisList<QuantityElement> QuantityList { get; init; } = [];
}

/// <summary>TransformationEvent.</summary>
public sealed record TransformationEvent : EpcisEvent, IHasIlmd
{
    /// <inheritdoc/>
    public override EpcisEventType EventType => EpcisEventType.TransformationEvent;
    /// <summary>inputEPCList</summary>
    public EpcisList<string> InputEpcList { get; init; } = [];
    /// <summary>inputQuantityList</summary>
    public EpcisList<QuantityElement> InputQuantityList { get; init; } = [];
    /// <summary>outputEPCList</summary>
    public EpcisList<string> OutputEpcList { get; init; } = [];
    /// <summary>outputQuantityList</summary>
    public EpcisList<QuantityElement> OutputQuantityList { get; init; } = [];
    /// <summary>transformationID</summary>
    public string? TransformationId { get; init; }
    /// <inheritdoc/>
    public EpcisList<EpcisExtension> Ilmd { get; init; } = [];
}

/// <summary>AssociationEvent (EPCIS 2.0).</summary>
public sealed record AssociationEvent : EpcisEvent
{
    /// <inheritdoc/>
    public override EpcisEventType EventType => EpcisEventType.AssociationEvent;
    /// <summary>action</summary>
    public required EpcisAction Action { get; init; }
    /// <summary>parentID</summary>
    public required string ParentId { get; init; }
    /// <summary>childEPCs</summary>
    public EpcisList<string> ChildEpcs { get; init; } = [];
    /// <summary>childQuantityList</summary>
    public EpcisList<QuantityElement> ChildQuantityList { get; init; } = [];
}

/// <summary>Reader options.</summary>
public sealed record EpcisReadOptions
{
    /// <summary>The defaults: everything the standard requires is enforced.</summary>
    public static EpcisReadOptions Strict { get; } = new();

    /// <summary>
    /// Accepts XML events whose standard elements are not in XSD sequence order (as some published test documents,
    /// e.g. openepcis JumbledFieldsOrder.xml, are). Everything else is still validated.
    /// </summary>
    public static EpcisReadOptions LenientXmlOrder { get; } = new() { EnforceXmlElementOrder = false };

    /// <summary>Reject EPCIS 2.0 XML events whose elements are out of XSD order (rule <c>order</c>). Default true.</summary>
    public bool EnforceXmlElementOrder { get; init; } = true;
}

/// <summary>Which document kind was read.</summary>
public enum EpcisDocumentKind
{
    /// <summary>EPCISDocument (capture).</summary>
    Capture,
    /// <summary>EPCISQueryDocument (query results).</summary>
    Query,
}

/// <summary>Which binding a document was read from.</summary>
public enum EpcisBinding
{
    /// <summary>EPCIS 2.0 JSON-LD.</summary>
    JsonLd,
    /// <summary>EPCIS 2.0 XML (urn:epcglobal:epcis:xsd:2).</summary>
    Xml20,
    /// <summary>EPCIS 1.x XML (urn:epcglobal:epcis:xsd:1).</summary>
    Xml1,
}

/// <summary>An EPCIS document (capture or query results) with its events.</summary>
public sealed record EpcisDocument
{
    /// <summary>Capture or query document.</summary>
    public EpcisDocumentKind Kind { get; init; } = EpcisDocumentKind.Capture;

    /// <summary>schemaVersion as written ("2.0", "1.2" …).</summary>
    public required string SchemaVersion { get; init; }

    /// <summary>creationDate (required in capture documents; some query documents omit it).</summary>
    public DateTimeOffset? CreationDate { get; init; }

    /// <summary>Namespace prefixes declared by the document (JSON-LD @context objects / XML xmlns), prefix → URI.</summary>
    public EpcisList<KeyValuePair<string, string>> Namespaces { get; init; } = [];

    /// <summary>Header content kept opaque: XML SBDH / epcisHeader children, JSON epcisHeader and pseudo-SBDH members (sender, receiver, instanceIdentifier).</summary>
    public EpcisList<EpcisExtension> Header { get; init; } = [];

    /// <summary>Master data kept opaque (EPCISMasterData / masterData vocabulary list).</summary>
    public EpcisList<EpcisExtension> MasterData { get; init; } = [];

    /// <summary>Query documents: subscriptionID.</summary>
    public string? SubscriptionId { get; init; }

    /// <summary>Query documents: queryName.</summary>
    public string? QueryName { get; init; }

    /// <summary>The events in document order.</summary>
    public EpcisList<EpcisEvent> Events { get; init; } = [];
}
