using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Epcis;
using Ledger.Protocol.Epcis.Hashing;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;

namespace Ledger.Protocol.Mapping;

/// <summary>A ledger payload mapped from one EPCIS event, with what the record envelope needs.</summary>
/// <param name="EventIndex">The event's position in its document.</param>
/// <param name="EventHashId">The CBV 2.0 event hash ID, kept with the record.</param>
/// <param name="Payload">The record payload.</param>
/// <param name="TimeMs">The event time, ms since the Unix epoch.</param>
/// <param name="Nonce">The first 8 bytes of the event hash digest (big-endian): the same event always maps to the same record id.</param>
public sealed record MappedRecord(int EventIndex, string EventHashId, RecordPayload Payload, long TimeMs, ulong Nonce)
{
    /// <summary>The record authored by <paramref name="author"/> with its dependencies.</summary>
    public LedgerRecord ToRecord(Address author, IEnumerable<Hash32>? deps = null) => new(author, Nonce, TimeMs, Payload, deps);
}

/// <summary>
/// Maps EPCIS events with CBV pharma business steps and dispositions to ledger record payloads and back
/// (docs/spec/epcis-mapping.md). Pure: no I/O; what it needs to know about parties and shipments comes from
/// <see cref="IEpcisMappingContext"/>.
/// </summary>
public static partial class EpcisRecordMapper
{
    /// <summary>The namespace of the ledger's own EPCIS extension fields.</summary>
    public const string LedgerNamespace = "urn:ledger:epcis:";

    /// <summary>Maps every event of a document, in order.</summary>
    /// <exception cref="EpcisMappingException">An event cannot be mapped; the field names the event index.</exception>
    public static IReadOnlyList<MappedRecord> Map(EpcisDocument document, IEpcisMappingContext context)
    {
        ArgumentNullException.ThrowIfNull(document);
        var result = new List<MappedRecord>();
        for (var i = 0; i < document.Events.Count; i++)
            result.AddRange(Map(document.Events[i], i, context));
        return result;
    }

    /// <summary>Maps one event to one or more payloads (a commissioning event over several GTINs gives one Commission per GTIN).</summary>
    /// <exception cref="EpcisMappingException">The event cannot be mapped.</exception>
    public static IReadOnlyList<MappedRecord> Map(EpcisEvent e, int index, IEpcisMappingContext context)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(context);
        var f = $"eventList[{index}]";
        var hashId = EpcisEventHash.Compute(e);
        var nonce = BinaryPrimitives.ReadUInt64BigEndian(EpcisEventHash.Digest(e).ToArray());
        var time = e.EventTime.ToUnixTimeMilliseconds();
        try
        {
            return [.. Payloads(e, f, context).Select(p => new MappedRecord(index, hashId, p, time, nonce))];
        }
        catch (RecordFormatException ex)
        {
            throw new EpcisMappingException($"{f}.{ex.Field}", ex.Rule, ex.Message, ex);
        }
        catch (Gs1FormatException ex)
        {
            throw new EpcisMappingException($"{f}.{ex.Field}", ex.Rule, ex.Message, ex);
        }
    }

    private static IEnumerable<RecordPayload> Payloads(EpcisEvent e, string f, IEpcisMappingContext context)
    {
        var step = e.BizStepShortName;
        var disp = e.DispositionShortName;
        switch (e)
        {
            case ObjectEvent o when o.Action == EpcisAction.Add && step == "commissioning":
                return Commission(o, f);
            case AggregationEvent a when a.Action == EpcisAction.Add && step == "packing":
                return [new PackPayload(Item(a.ParentId, f + ".parentID"), Items(a.ChildEpcs, f + ".childEPCs"), Location(e, f))];
            case AggregationEvent a when a.Action == EpcisAction.Delete && step == "unpacking":
                return [new UnpackPayload(Item(a.ParentId, f + ".parentID"), Items(a.ChildEpcs, f + ".childEPCs", allowEmpty: true), Location(e, f))];
            case ObjectEvent o when o.Action == EpcisAction.Observe && step == "shipping":
                return [Ship(e, Items(o.EpcList, f + ".epcList"), f, context)];
            case TransactionEvent t when t.Action == EpcisAction.Add && step == "shipping":
                return [Ship(e, Items(t.ParentId is null ? t.EpcList : [t.ParentId, .. t.EpcList], f + ".epcList"), f, context)];
            case ObjectEvent o when o.Action == EpcisAction.Observe && step == "receiving":
                return [Receive(o, f, context)];
            case ObjectEvent o when o.SensorElementList.Count > 0:
                return [Observation(o, f)];
            case ObjectEvent o when disp == "recalled":
                return [Recall(o, f)];
            case ObjectEvent o when disp == "non_sellable_other" && step == "removing":
                return [Withdraw(o, f)];
            case ObjectEvent o when o.Action != EpcisAction.Add && DecommissionStateOf(o, step, disp, f) is { } state:
                return [new DecommissionPayload(Items(o.EpcList, f + ".epcList"), state, Location(e, f), Extension(e, "reason") ?? "")];
            case ObjectEvent o when o.Action == EpcisAction.Observe && disp == "active":
                return [new ReactivatePayload(Items(o.EpcList, f + ".epcList"), Location(e, f), Extension(e, "reason") ?? "")];
            case ObjectEvent o when o.Action == EpcisAction.Observe && step == "inspecting":
                return Verify(o, f);
            default:
                throw new EpcisMappingException(f, "unmapped",
                    $"a {e.EventType} with action {ActionOf(e)}, bizStep '{step ?? e.BizStep ?? "none"}' and disposition '{disp ?? e.Disposition ?? "none"}' has no ledger record kind (see docs/spec/epcis-mapping.md)");
        }
    }

    private static string ActionOf(EpcisEvent e) => e switch
    {
        ObjectEvent o => o.Action.ToString().ToUpperInvariant(),
        AggregationEvent a => a.Action.ToString().ToUpperInvariant(),
        TransactionEvent t => t.Action.ToString().ToUpperInvariant(),
        AssociationEvent s => s.Action.ToString().ToUpperInvariant(),
        _ => "none",
    };

    private static IEnumerable<RecordPayload> Commission(ObjectEvent o, string f)
    {
        // A logistic unit (SSCC) comes into being when something is packed into it; its commissioning event needs no record.
        var items = Items(o.EpcList, f + ".epcList");
        if (items.All(i => i.Scheme == ItemScheme.Sscc))
            return [];
        if (items.Any(i => i.Scheme != ItemScheme.Sgtin))
            throw new EpcisMappingException(f + ".epcList", "identifier", "commission SGTINs and SSCCs in separate events");
        var lot = EpcisIlmd.LotNumber(o) ?? throw new EpcisMappingException(f + ".ilmd", "required", "commissioning needs ILMD cbvmda:lotNumber");
        var expiryText = EpcisIlmd.ItemExpirationDate(o) ?? throw new EpcisMappingException(f + ".ilmd", "required", "commissioning needs ILMD cbvmda:itemExpirationDate");
        if (!DateOnly.TryParseExact(expiryText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var expiry))
            throw new EpcisMappingException(f + ".ilmd.itemExpirationDate", "value", $"'{expiryText}' is not a date yyyy-MM-dd");
        var site = Location(o, f);
        return items.GroupBy(i => i.Key).Select(g =>
            new CommissionPayload(g.Key, lot, expiry.ToString("yyMMdd", CultureInfo.InvariantCulture), site, g.Select(i => i.Serial)));
    }

    private static ShipPayload Ship(EpcisEvent e, IReadOnlyList<ItemId> items, string f, IEpcisMappingContext context)
    {
        var owner = e.DestinationList.FirstOrDefault(d => d.TypeShortName == "owning_party")
            ?? e.DestinationList.FirstOrDefault(d => d.TypeShortName == "possessing_party")
            ?? throw new EpcisMappingException(f + ".destinationList", "required", "shipping needs a destination owning_party (or possessing_party)");
        var partyGln = Gln(owner.Value, f + ".destinationList.owning_party");
        var party = context.PartyForGln(partyGln)
            ?? throw new EpcisMappingException(f + ".destinationList.owning_party", "party-unknown", $"GLN {partyGln} is not a consortium party");
        var toLocation = e.DestinationList.FirstOrDefault(d => d.TypeShortName == "location") is { } loc
            ? Gln(loc.Value, f + ".destinationList.location")
            : partyGln;
        var tx = e.BizTransactionList.Select(b => new BusinessTransaction(b.TypeShortName ?? b.Type ?? "other", b.Value));
        return new ShipPayload(items, Location(e, f), party, toLocation, tx);
    }

    private static ReceivePayload Receive(ObjectEvent o, string f, IEpcisMappingContext context)
    {
        var items = Items(o.EpcList, f + ".epcList");
        Hash32 ship;
        if (Extension(o, "shipRecordId") is { } explicitShip)
        {
            if (!Hash32.TryParse(explicitShip, out ship))
                throw new EpcisMappingException(f + ".ledger:shipRecordId", "value", "must be 64 hex digits");
        }
        else
        {
            ship = context.ShipFor(items)
                ?? throw new EpcisMappingException(f + ".epcList", "ship-unknown", "no certified Ship record sent these items to the receiver");
        }
        return new ReceivePayload(ship, items, Location(o, f), Discrepancies(o, f));
    }

    /// <summary>ledger:discrepancies = space-separated <c>code=epc</c> pairs, code one of missing, extra, damaged.</summary>
    private static IEnumerable<Discrepancy> Discrepancies(ObjectEvent o, string f)
    {
        var text = Extension(o, "discrepancies");
        if (string.IsNullOrEmpty(text))
            return [];
        return text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select((pair, i) =>
        {
            var field = $"{f}.ledger:discrepancies[{i}]";
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0 || !Enum.TryParse<DiscrepancyCode>(pair[..eq], ignoreCase: true, out var code) || !Enum.IsDefined(code))
                throw new EpcisMappingException(field, "value", $"'{pair}' is not code=epc with code missing, extra or damaged");
            return new Discrepancy(Item(pair[(eq + 1)..], field), code);
        }).ToList();
    }

    private static ObservationPayload Observation(ObjectEvent o, string f)
    {
        var readings = new List<SensorReading>();
        foreach (var element in o.SensorElementList)
        {
            foreach (var report in element.Reports)
            {
                if (report.Value is not { } value)
                    continue;
                var when = report.Time ?? element.Metadata?.Time ?? o.EventTime;
                var type = report.Type is { } t ? t[(t.LastIndexOfAny(['/', ':']) + 1)..] : "unknown";
                readings.Add(new SensorReading(type, CanonicalDecimal(value), report.Uom ?? "", when.ToUnixTimeMilliseconds()));
            }
        }
        if (readings.Count == 0)
            throw new EpcisMappingException(f + ".sensorElementList", "required", "no sensor report carries a numeric value");
        return new ObservationPayload(Items(o.EpcList, f + ".epcList"), Location(o, f), readings);
    }

    private static RecallPayload Recall(ObjectEvent o, string f)
    {
        var reason = Extension(o, "reason") ?? "recall";
        if (o.EpcList.Count > 0)
        {
            var items = Items(o.EpcList, f + ".epcList");
            return new RecallPayload(items[0].Gtin ?? throw new EpcisMappingException(f + ".epcList", "identifier", "only SGTINs are recalled"), null, items, reason);
        }
        var (gtin, lot) = ProductClass(o, f);
        if (lot is null)
            throw new EpcisMappingException(f + ".quantityList", "required", "a recall names serials (epcList) or a lot (quantityList epcClass with a lot)");
        return new RecallPayload(gtin, lot, null, reason);
    }

    private static WithdrawPayload Withdraw(ObjectEvent o, string f)
    {
        var (gtin, lot) = ProductClass(o, f);
        return new WithdrawPayload(gtin, lot, Extension(o, "reason") ?? "withdrawal");
    }

    private static IEnumerable<RecordPayload> Verify(ObjectEvent o, string f)
    {
        var context = Extension(o, "verifyContext") ?? "inspecting";
        var location = o.BizLocation is null && o.ReadPoint is null ? null : Location(o, f);
        return Items(o.EpcList, f + ".epcList").Select(i =>
            new VerifyPayload(i, Extension(o, "lot"), Extension(o, "expiry"), context, location, Extension(o, "correlation")));
    }

    private static DecommissionState? DecommissionStateOf(ObjectEvent o, string? step, string? disp, string f)
    {
        if (Extension(o, "decommissionState") is { } explicitState)
            return Enum.TryParse<DecommissionState>(explicitState, ignoreCase: false, out var s) && Enum.IsDefined(s)
                ? s
                : throw new EpcisMappingException(f + ".ledger:decommissionState", "value", $"'{explicitState}' is not one of {string.Join(", ", Enum.GetNames<DecommissionState>())}");
        return (step, disp) switch
        {
            (_, "dispensed" or "partially_dispensed") or ("dispensing", null) => DecommissionState.Supplied,
            (_, "destroyed") or ("destroying", null) => DecommissionState.Destroyed,
            (_, "stolen") => DecommissionState.Stolen,
            ("decommissioning", "inactive" or null) => DecommissionState.Locked,
            _ => null,
        };
    }

    // ---- identifiers ----

    [GeneratedRegex(@"^https://id\.gs1\.org/41[47]/([0-9]{13})(/|$)")]
    private static partial Regex GlnPath();

    internal static string Gln(string uri, string field)
    {
        var dl = DigitalLinkNormaliser.Normalise(uri);
        var m = dl is null ? null : GlnPath().Match(dl);
        if (m is null || !m.Success)
            throw new EpcisMappingException(field, "identifier", $"'{uri}' is not a GLN (SGLN/PGLN URN or a Digital Link with AI 414/417)");
        return Fields.Gln(m.Groups[1].Value, field);
    }

    private static string Location(EpcisEvent e, string f)
    {
        var id = e.BizLocation?.Id ?? e.ReadPoint?.Id
            ?? throw new EpcisMappingException(f + ".bizLocation", "required", "the event needs a bizLocation (or readPoint) GLN");
        return Gln(id, f + (e.BizLocation is null ? ".readPoint" : ".bizLocation"));
    }

    internal static ItemId Item(string? epc, string field)
    {
        if (epc is null)
            throw new EpcisMappingException(field, "required", "is required");
        var dl = DigitalLinkNormaliser.Normalise(epc)
            ?? throw new EpcisMappingException(field, "identifier", $"'{epc}' is not an EPC the ledger tracks (SGTIN or SSCC)");
        var id = Gs1Identifier.Parse(dl);
        if (id.Sgtin is { } sgtin)
            return ItemId.Sgtin(sgtin.Gtin.Value, sgtin.Serial, field);
        if (id.Sscc is { } sscc)
            return ItemId.Sscc(sscc.Value, field);
        throw new EpcisMappingException(field, "identifier", $"'{epc}' is not an SGTIN or SSCC");
    }

    private static IReadOnlyList<ItemId> Items(IEnumerable<string> epcs, string field, bool allowEmpty = false)
    {
        var list = epcs.Select((epc, i) => Item(epc, $"{field}[{i}]")).Distinct().ToList();
        if (list.Count == 0 && !allowEmpty)
            throw new EpcisMappingException(field, "required", "needs at least one SGTIN or SSCC");
        return list;
    }

    private static (string Gtin, string? Lot) ProductClass(ObjectEvent o, string f)
    {
        var q = o.QuantityList.Count > 0 ? o.QuantityList[0] : throw new EpcisMappingException(f + ".quantityList", "required", "needs a product class (epcClass) or serials");
        var dl = DigitalLinkNormaliser.Normalise(q.EpcClass)
            ?? throw new EpcisMappingException(f + ".quantityList[0].epcClass", "identifier", $"'{q.EpcClass}' is not a product or lot class");
        var id = Gs1Identifier.Parse(dl);
        var gtin = id.Gtin ?? throw new EpcisMappingException(f + ".quantityList[0].epcClass", "identifier", "names no GTIN");
        return (gtin.Value, id.Lot);
    }

    private static string? Extension(EpcisEvent e, string localName) =>
        e.Extensions.FirstOrDefault(x => x.Namespace.TrimEnd(':', '/', '#') == LedgerNamespace.TrimEnd(':') && x.LocalName == localName)?.Value?.Trim();

    private static string CanonicalDecimal(double value)
    {
        var d = (decimal)value;
        var text = d.ToString("0.############################", CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }
}
