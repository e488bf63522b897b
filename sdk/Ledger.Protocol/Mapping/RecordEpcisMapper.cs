using System.Globalization;
using Ledger.Protocol.Epcis;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;

namespace Ledger.Protocol.Mapping;

/// <summary>
/// Maps ledger records back to EPCIS 2.0 events (docs/spec/epcis-mapping.md), with GS1 Digital Link identifiers
/// (EPCIS 2.0 accepts them wherever an EPC URN may stand; a URN needs the company-prefix length, which a GTIN does not carry).
/// Mapping a record to an event and back gives the same payload.
/// </summary>
public static class RecordEpcisMapper
{
    private const string Stem = "https://id.gs1.org";

    /// <summary>The EPCIS event that states <paramref name="record"/>.</summary>
    /// <exception cref="EpcisMappingException">A party in the record has no GLN in the directory.</exception>
    public static EpcisEvent ToEvent(LedgerRecord record, IEpcisMappingContext context)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(context);
        var time = DateTimeOffset.FromUnixTimeMilliseconds(record.TimeMs);
        return record.Payload switch
        {
            CommissionPayload c => new ObjectEvent
            {
                EventTime = time, EventTimeZoneOffset = "+00:00", Action = EpcisAction.Add,
                EpcList = EpcisList.From(c.Items.Select(Epc)),
                BizStep = Step("commissioning"), Disposition = Disp("active"),
                BizLocation = new EpcisLocation(GlnUri(c.Site)),
                Ilmd =
                [
                    EpcisExtension.Text(EpcisIlmd.CbvMdaNamespace, "lotNumber", c.Lot),
                    EpcisExtension.Text(EpcisIlmd.CbvMdaNamespace, "itemExpirationDate", ExpiryDate(c.Expiry, record.TimeMs)),
                ],
            },
            PackPayload p => new AggregationEvent
            {
                EventTime = time, EventTimeZoneOffset = "+00:00", Action = EpcisAction.Add,
                ParentId = Epc(p.Parent), ChildEpcs = EpcisList.From(p.Children.Select(Epc)),
                BizStep = Step("packing"), Disposition = Disp("in_progress"), BizLocation = new EpcisLocation(GlnUri(p.Location)),
            },
            UnpackPayload u => new AggregationEvent
            {
                EventTime = time, EventTimeZoneOffset = "+00:00", Action = EpcisAction.Delete,
                ParentId = Epc(u.Parent), ChildEpcs = EpcisList.From(u.Children.Select(Epc)),
                BizStep = Step("unpacking"), Disposition = Disp("in_progress"), BizLocation = new EpcisLocation(GlnUri(u.Location)),
            },
            ShipPayload s => new ObjectEvent
            {
                EventTime = time, EventTimeZoneOffset = "+00:00", Action = EpcisAction.Observe,
                EpcList = EpcisList.From(s.Items.Select(Epc)),
                BizStep = Step("shipping"), Disposition = Disp("in_transit"), BizLocation = new EpcisLocation(GlnUri(s.From)),
                BizTransactionList = EpcisList.From<BizTransaction>(s.Transactions.Select(t => new BizTransaction(t.Id, Cbv.WebBase + "BTT-" + t.Type))),
                SourceList = PartySource(record, context),
                DestinationList =
                [
                    new SourceDestination(Cbv.WebBase + "SDT-owning_party", PartyUri(s.ToParty, context, "payload.toParty")),
                    new SourceDestination(Cbv.WebBase + "SDT-location", GlnUri(s.ToLocation)),
                ],
            },
            ReceivePayload r => new ObjectEvent
            {
                EventTime = time, EventTimeZoneOffset = "+00:00", Action = EpcisAction.Observe,
                EpcList = EpcisList.From(r.Items.Select(Epc)),
                BizStep = Step("receiving"), Disposition = Disp("in_progress"), BizLocation = new EpcisLocation(GlnUri(r.Location)),
                Extensions = r.Discrepancies.Count == 0
                    ? [Ext("shipRecordId", r.Ship.ToString())]
                    : [Ext("shipRecordId", r.Ship.ToString()), Ext("discrepancies", string.Join(' ', r.Discrepancies.Select(d => $"{d.Code.ToString().ToLowerInvariant()}={Epc(d.Item)}")))],
            },
            VerifyPayload v => new ObjectEvent
            {
                EventTime = time, EventTimeZoneOffset = "+00:00", Action = EpcisAction.Observe,
                EpcList = [Epc(v.Item)], BizStep = Step("inspecting"),
                BizLocation = v.Location.Length == 0 ? null : new EpcisLocation(GlnUri(v.Location)),
                Extensions = EpcisList.From<EpcisExtension>(new[]
                {
                    Ext("verifyContext", v.Context),
                    v.Lot.Length > 0 ? Ext("lot", v.Lot) : null,
                    v.Expiry.Length > 0 ? Ext("expiry", v.Expiry) : null,
                    v.Correlation.Length > 0 ? Ext("correlation", v.Correlation) : null,
                }.OfType<EpcisExtension>()),
            },
            DecommissionPayload d => Decommission(d, time),
            ReactivatePayload a => new ObjectEvent
            {
                EventTime = time, EventTimeZoneOffset = "+00:00", Action = EpcisAction.Observe,
                EpcList = EpcisList.From(a.Items.Select(Epc)), BizStep = Step("other"), Disposition = Disp("active"),
                BizLocation = new EpcisLocation(GlnUri(a.Location)), Extensions = Reason(a.Reason),
            },
            RecallPayload c => new ObjectEvent
            {
                EventTime = time, EventTimeZoneOffset = "+00:00", Action = EpcisAction.Observe,
                EpcList = EpcisList.From(c.Items.Select(Epc)),
                QuantityList = c.Lot.Length > 0 ? [new QuantityElement($"{Stem}/01/{c.Gtin}/10/{Uri.EscapeDataString(c.Lot)}")] : [],
                BizStep = Step("holding"), Disposition = Disp("recalled"), Extensions = Reason(c.Reason),
            },
            WithdrawPayload w => new ObjectEvent
            {
                EventTime = time, EventTimeZoneOffset = "+00:00", Action = EpcisAction.Observe,
                QuantityList = [new QuantityElement(w.Lot.Length > 0 ? $"{Stem}/01/{w.Gtin}/10/{Uri.EscapeDataString(w.Lot)}" : $"{Stem}/01/{w.Gtin}")],
                BizStep = Step("removing"), Disposition = Disp("non_sellable_other"), Extensions = Reason(w.Reason),
            },
            ObservationPayload o => new ObjectEvent
            {
                EventTime = time, EventTimeZoneOffset = "+00:00", Action = EpcisAction.Observe,
                EpcList = EpcisList.From(o.Items.Select(Epc)), BizStep = Step("sensor_reporting"),
                BizLocation = new EpcisLocation(GlnUri(o.Location)),
                SensorElementList = [new SensorElement
                {
                    Reports = EpcisList.From<SensorReport>(o.Readings.Select(r => new SensorReport
                    {
                        Type = Cbv.Gs1VocBase + r.Type,
                        Value = double.Parse(r.Value, CultureInfo.InvariantCulture),
                        Uom = r.Uom.Length == 0 ? null : r.Uom,
                        Time = DateTimeOffset.FromUnixTimeMilliseconds(r.TimeMs),
                    })),
                }],
            },
            _ => throw new EpcisMappingException("record.kind", "unmapped", $"no EPCIS form for {record.Kind}"),
        };
    }

    /// <summary>An EPCIS 2.0 capture document stating <paramref name="records"/> in order.</summary>
    public static EpcisDocument ToDocument(IEnumerable<LedgerRecord> records, IEpcisMappingContext context, DateTimeOffset creationDate) => new()
    {
        SchemaVersion = "2.0",
        CreationDate = creationDate,
        Namespaces =
        [
            new KeyValuePair<string, string>("cbvmda", EpcisIlmd.CbvMdaNamespace),
            new KeyValuePair<string, string>("ledger", EpcisRecordMapper.LedgerNamespace),
        ],
        Events = EpcisList.From<EpcisEvent>(records.Select(r => ToEvent(r, context))),
    };

    private static ObjectEvent Decommission(DecommissionPayload d, DateTimeOffset time)
    {
        var (step, disp) = d.State switch
        {
            DecommissionState.Supplied => ("dispensing", "dispensed"),
            DecommissionState.Destroyed => ("destroying", "destroyed"),
            DecommissionState.Stolen => ("decommissioning", "stolen"),
            DecommissionState.Locked => ("decommissioning", "inactive"),
            _ => ("decommissioning", "non_sellable_other"),
        };
        var extensions = new List<EpcisExtension> { Ext("decommissionState", d.State.ToString()) };
        if (d.Reason.Length > 0)
            extensions.Add(Ext("reason", d.Reason));
        return new ObjectEvent
        {
            EventTime = time, EventTimeZoneOffset = "+00:00", Action = EpcisAction.Observe,
            EpcList = EpcisList.From(d.Items.Select(Epc)), BizStep = Step(step), Disposition = Disp(disp),
            BizLocation = new EpcisLocation(GlnUri(d.Location)), Extensions = EpcisList.From(extensions),
        };
    }

    private static EpcisList<SourceDestination> PartySource(LedgerRecord record, IEpcisMappingContext context) =>
        context.GlnForParty(record.Author) is { } gln ? [new SourceDestination(Cbv.WebBase + "SDT-owning_party", $"{Stem}/417/{gln}")] : [];

    private static string PartyUri(Crypto.Address party, IEpcisMappingContext context, string field) =>
        context.GlnForParty(party) is { } gln ? $"{Stem}/417/{gln}"
            : throw new EpcisMappingException(field, "party-unknown", $"party {party} has no GLN in the consortium directory");

    internal static string Epc(ItemId item) => item.Scheme == ItemScheme.Sgtin
        ? new Sgtin(Gtin.Parse(item.Key), item.Serial).ToDigitalLink()
        : $"{Stem}/00/{item.Key}";

    private static string GlnUri(string gln) => $"{Stem}/414/{gln}";

    private static string Step(string term) => Cbv.WebBase + "BizStep-" + term;

    private static string Disp(string term) => Cbv.WebBase + "Disp-" + term;

    private static EpcisExtension Ext(string localName, string value) => EpcisExtension.Text(EpcisRecordMapper.LedgerNamespace, localName, value);

    private static EpcisList<EpcisExtension> Reason(string reason) => reason.Length == 0 ? [] : [Ext("reason", reason)];

    /// <summary>AI (17) YYMMDD → ISO date: century by the GS1 sliding window around the record's own year; DD=00 → last day of the month.</summary>
    private static string ExpiryDate(string yymmdd, long recordTimeMs) =>
        Gs1Date.Parse(yymmdd).Resolve(DateTimeOffset.FromUnixTimeMilliseconds(recordTimeMs).Year).ToString();
}
