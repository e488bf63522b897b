using Ledger.Protocol.Crypto;
using Ledger.Protocol.Rlp;

namespace Ledger.Protocol.Records;

/// <summary>
/// The kind-specific part of a record (docs/spec/records.md §3.2). Every payload validates in its constructor,
/// so an invalid payload cannot exist; <see cref="ToRlp"/> and <see cref="FromRlp"/> sit side by side in each
/// type so the encoder and decoder cannot drift.
/// </summary>
public abstract class RecordPayload
{
    private protected RecordPayload() { }

    /// <summary>The record kind this payload belongs to.</summary>
    public abstract RecordKind Kind { get; }

    /// <summary>Every item this payload touches (for the item hash chain and indexes).</summary>
    public abstract IReadOnlyList<ItemId> Items { get; }

    /// <summary>The RLP form.</summary>
    public abstract RlpList ToRlp();

    /// <summary>Reads the payload of <paramref name="kind"/>, applying every rule.</summary>
    /// <exception cref="RecordFormatException">A rule is broken.</exception>
    public static RecordPayload FromRlp(RecordKind kind, RlpItem item, string field = "payload") => kind switch
    {
        RecordKind.Commission => CommissionPayload.Read(item, field),
        RecordKind.Pack => PackPayload.Read(item, field),
        RecordKind.Unpack => UnpackPayload.Read(item, field),
        RecordKind.Ship => ShipPayload.Read(item, field),
        RecordKind.Receive => ReceivePayload.Read(item, field),
        RecordKind.Verify => VerifyPayload.Read(item, field),
        RecordKind.Decommission => DecommissionPayload.Read(item, field),
        RecordKind.Reactivate => ReactivatePayload.Read(item, field),
        RecordKind.Recall => RecallPayload.Read(item, field),
        RecordKind.Withdraw => WithdrawPayload.Read(item, field),
        RecordKind.Observation => ObservationPayload.Read(item, field),
        _ => throw new RecordFormatException("kind", "kind", $"unknown record kind {(int)kind}"),
    };

    private protected static IReadOnlyList<ItemId> ItemSet(IEnumerable<ItemId> items, string field, int min = 1) =>
        Fields.SortedSet(items ?? throw new RecordFormatException(field, "count", "is required"), i => i.Encode(), field, min);

    private protected static RlpList ItemsRlp(IReadOnlyList<ItemId> items) => RlpItem.List(items.Select(i => i.ToRlp()));

    private protected static IReadOnlyList<ItemId> ReadItemSet(RlpItem item, string field, int min = 1)
    {
        var list = item.AsList(field);
        Fields.RequireSortedSet(list.Items, field, min);
        return [.. list.Items.Select((x, i) => ItemId.FromRlp(x, $"{field}[{i}]"))];
    }

    private protected static string Text(RlpList list, int index, string field) => list[index].AsString(field).ToText(field);
}

/// <summary>Commission: serials of one GTIN, lot and expiry brought into the supply chain at a site.</summary>
public sealed class CommissionPayload : RecordPayload
{
    /// <summary>Validates and creates the payload; <paramref name="serials"/> are sorted into canonical order.</summary>
    public CommissionPayload(string gtin, string lot, string expiry, string site, IEnumerable<string> serials)
    {
        Gtin = Fields.Gtin(gtin, "payload.gtin");
        Lot = Fields.Cset82(lot, "payload.lot");
        Expiry = Fields.Expiry(expiry, "payload.expiry");
        Site = Fields.Gln(site, "payload.site");
        var checkedSerials = (serials ?? throw new RecordFormatException("payload.serials", "count", "is required"))
            .Select((s, i) => Fields.Cset82(s, $"payload.serials[{i}]"));
        Serials = Fields.SortedSet(checkedSerials, s => Rlp.Rlp.Encode(RlpItem.Text(s)), "payload.serials");
        Items = [.. Serials.Select(s => ItemId.Sgtin(Gtin, s))];
    }

    /// <inheritdoc/>
    public override RecordKind Kind => RecordKind.Commission;
    /// <summary>GTIN-14.</summary>
    public string Gtin { get; }
    /// <summary>Lot (AI 10).</summary>
    public string Lot { get; }
    /// <summary>Expiry YYMMDD (AI 17).</summary>
    public string Expiry { get; }
    /// <summary>The commissioning site's GLN.</summary>
    public string Site { get; }
    /// <summary>The serials, in canonical order.</summary>
    public IReadOnlyList<string> Serials { get; }
    /// <inheritdoc/>
    public override IReadOnlyList<ItemId> Items { get; }

    /// <inheritdoc/>
    public override RlpList ToRlp() => RlpItem.List(RlpItem.Text(Gtin), RlpItem.Text(Lot), RlpItem.Text(Expiry), RlpItem.Text(Site),
        RlpItem.List(Serials.Select(RlpItem.Text)));

    internal static CommissionPayload Read(RlpItem item, string f)
    {
        var l = item.AsList(f).Expect(f, 5);
        var serials = l[4].AsList(f + ".serials");
        Fields.RequireSortedSet(serials.Items, f + ".serials");
        return new CommissionPayload(Text(l, 0, f + ".gtin"), Text(l, 1, f + ".lot"), Text(l, 2, f + ".expiry"), Text(l, 3, f + ".site"),
            serials.Items.Select((s, i) => s.AsString($"{f}.serials[{i}]").ToText($"{f}.serials[{i}]")));
    }
}

/// <summary>The shape shared by Pack and Unpack: [parent item, children (set of item), location GLN].</summary>
public abstract class ContainerPayload : RecordPayload
{
    private protected ContainerPayload(ItemId parent, IEnumerable<ItemId> children, string location, int minChildren)
    {
        Parent = parent ?? throw new RecordFormatException("payload.parent", "value", "is required");
        Children = ItemSet(children, "payload.children", min: minChildren);
        if (Children.Contains(Parent))
            throw new RecordFormatException("payload.children", "value", "an item cannot be packed into itself");
        Location = Fields.Gln(location, "payload.location");
        Items = [Parent, .. Children];
    }

    /// <summary>The container.</summary>
    public ItemId Parent { get; }
    /// <summary>The children, canonical order.</summary>
    public IReadOnlyList<ItemId> Children { get; }
    /// <summary>Where it happened (GLN).</summary>
    public string Location { get; }
    /// <inheritdoc/>
    public override IReadOnlyList<ItemId> Items { get; }

    /// <inheritdoc/>
    public override RlpList ToRlp() => RlpItem.List(Parent.ToRlp(), ItemsRlp(Children), RlpItem.Text(Location));

    private protected static (ItemId Parent, IReadOnlyList<ItemId> Children, string Location) ReadParts(RlpItem item, string f, int minChildren)
    {
        var l = item.AsList(f).Expect(f, 3);
        return (ItemId.FromRlp(l[0], f + ".parent"), ReadItemSet(l[1], f + ".children", minChildren), Text(l, 2, f + ".location"));
    }
}

/// <summary>Pack: children put into a parent; children then move with the parent.</summary>
public sealed class PackPayload : ContainerPayload
{
    /// <summary>Validates and creates the payload (at least one child).</summary>
    public PackPayload(ItemId parent, IEnumerable<ItemId> children, string location) : base(parent, children, location, minChildren: 1) { }

    /// <inheritdoc/>
    public override RecordKind Kind => RecordKind.Pack;

    internal static PackPayload Read(RlpItem item, string f)
    {
        var (parent, children, location) = ReadParts(item, f, minChildren: 1);
        return new PackPayload(parent, children, location);
    }
}

/// <summary>Unpack: children taken out of a parent (an empty set means all of them).</summary>
public sealed class UnpackPayload : ContainerPayload
{
    /// <summary>Validates and creates the payload; no children = all of them.</summary>
    public UnpackPayload(ItemId parent, IEnumerable<ItemId> children, string location) : base(parent, children, location, minChildren: 0) { }

    /// <inheritdoc/>
    public override RecordKind Kind => RecordKind.Unpack;

    internal static UnpackPayload Read(RlpItem item, string f)
    {
        var (parent, children, location) = ReadParts(item, f, minChildren: 0);
        return new UnpackPayload(parent, children, location);
    }
}

/// <summary>A business transaction reference (CBV bizTransaction type such as po, inv, desadv, and its id).</summary>
public sealed record BusinessTransaction
{
    /// <summary>Validates and creates the reference.</summary>
    public BusinessTransaction(string type, string id)
    {
        Type = Fields.Text(type, "type", allowEmpty: false, max: 64);
        Id = Fields.Text(id, "id", allowEmpty: false);
    }

    /// <summary>The type (e.g. <c>po</c>, <c>inv</c>, <c>desadv</c>).</summary>
    public string Type { get; }
    /// <summary>The transaction's identifier (often a URI).</summary>
    public string Id { get; }
}

/// <summary>Ship: items sent from a location to a party and location.</summary>
public sealed class ShipPayload : RecordPayload
{
    /// <summary>Validates and creates the payload.</summary>
    public ShipPayload(IEnumerable<ItemId> items, string from, Address toParty, string toLocation, IEnumerable<BusinessTransaction>? transactions = null)
    {
        Items = ItemSet(items, "payload.items");
        From = Fields.Gln(from, "payload.from");
        ToParty = toParty;
        ToLocation = Fields.Gln(toLocation, "payload.toLocation");
        Transactions = [.. transactions ?? []];
        if (Transactions.Count > 64)
            throw new RecordFormatException("payload.transactions", "count", "must hold at most 64 entries");
    }

    /// <inheritdoc/>
    public override RecordKind Kind => RecordKind.Ship;
    /// <inheritdoc/>
    public override IReadOnlyList<ItemId> Items { get; }
    /// <summary>The shipping location (GLN).</summary>
    public string From { get; }
    /// <summary>The receiving party.</summary>
    public Address ToParty { get; }
    /// <summary>The receiving location (GLN).</summary>
    public string ToLocation { get; }
    /// <summary>Business transactions (PO, invoice, despatch advice) in the author's order.</summary>
    public IReadOnlyList<BusinessTransaction> Transactions { get; }

    /// <inheritdoc/>
    public override RlpList ToRlp() => RlpItem.List(ItemsRlp(Items), RlpItem.Text(From), Wire.ToRlp(ToParty), RlpItem.Text(ToLocation),
        RlpItem.List(Transactions.Select(t => RlpItem.List(RlpItem.Text(t.Type), RlpItem.Text(t.Id)))));

    internal static ShipPayload Read(RlpItem item, string f)
    {
        var l = item.AsList(f).Expect(f, 5);
        var tx = l[4].AsList(f + ".transactions").Items.Select((t, i) =>
        {
            var pair = t.AsList($"{f}.transactions[{i}]").Expect($"{f}.transactions[{i}]", 2);
            return new BusinessTransaction(Text(pair, 0, $"{f}.transactions[{i}].type"), Text(pair, 1, $"{f}.transactions[{i}].id"));
        });
        return new ShipPayload(ReadItemSet(l[0], f + ".items"), Text(l, 1, f + ".from"), Wire.Address(l[2], f + ".toParty"), Text(l, 3, f + ".toLocation"), tx);
    }
}

/// <summary>A difference between what was shipped and what was received.</summary>
public sealed record Discrepancy(ItemId Item, DiscrepancyCode Code);

/// <summary>Receive: items received against a certified Ship.</summary>
public sealed class ReceivePayload : RecordPayload
{
    /// <summary>Validates and creates the payload.</summary>
    public ReceivePayload(Hash32 ship, IEnumerable<ItemId> items, string location, IEnumerable<Discrepancy>? discrepancies = null)
    {
        if (ship.IsZero)
            throw new RecordFormatException("payload.ship", "value", "must name the Ship record id");
        Ship = ship;
        Items = ItemSet(items, "payload.items");
        Location = Fields.Gln(location, "payload.location");
        Discrepancies = [.. discrepancies ?? []];
        for (var i = 0; i < Discrepancies.Count; i++)
            if (!Enum.IsDefined(Discrepancies[i].Code))
                throw new RecordFormatException($"payload.discrepancies[{i}].code", "value", $"unknown discrepancy code {(int)Discrepancies[i].Code}");
        if (Discrepancies.Count > Fields.MaxItems)
            throw new RecordFormatException("payload.discrepancies", "count", $"must hold at most {Fields.MaxItems} entries");
    }

    /// <inheritdoc/>
    public override RecordKind Kind => RecordKind.Receive;
    /// <summary>The Ship record this receives.</summary>
    public Hash32 Ship { get; }
    /// <inheritdoc/>
    public override IReadOnlyList<ItemId> Items { get; }
    /// <summary>The receiving location (GLN).</summary>
    public string Location { get; }
    /// <summary>What did not match the Ship.</summary>
    public IReadOnlyList<Discrepancy> Discrepancies { get; }

    /// <inheritdoc/>
    public override RlpList ToRlp() => RlpItem.List(RlpItem.Hash(Ship), ItemsRlp(Items), RlpItem.Text(Location),
        RlpItem.List(Discrepancies.Select(d => RlpItem.List(d.Item.ToRlp(), RlpItem.UInt((ulong)d.Code)))));

    internal static ReceivePayload Read(RlpItem item, string f)
    {
        var l = item.AsList(f).Expect(f, 4);
        var d = l[3].AsList(f + ".discrepancies").Items.Select((x, i) =>
        {
            var pair = x.AsList($"{f}.discrepancies[{i}]").Expect($"{f}.discrepancies[{i}]", 2);
            var code = pair[1].AsString($"{f}.discrepancies[{i}].code").ToUInt64($"{f}.discrepancies[{i}].code");
            if (code > byte.MaxValue)
                throw new RecordFormatException($"{f}.discrepancies[{i}].code", "value", $"unknown discrepancy code {code}");
            return new Discrepancy(ItemId.FromRlp(pair[0], $"{f}.discrepancies[{i}].item"), (DiscrepancyCode)code);
        });
        return new ReceivePayload(l[0].AsString(f + ".ship").ToHash32(f + ".ship"), ReadItemSet(l[1], f + ".items"), Text(l, 2, f + ".location"), d);
    }
}

/// <summary>Verify: a scan of a product identifier; every node computes the same answer from its state.</summary>
public sealed class VerifyPayload : RecordPayload
{
    /// <summary>Validates and creates the payload.</summary>
    public VerifyPayload(ItemId item, string? lot, string? expiry, string context, string? location, string? correlation)
    {
        Item = item ?? throw new RecordFormatException("payload.item", "value", "is required");
        Lot = Fields.Cset82OrEmpty(lot, "payload.lot");
        Expiry = Fields.ExpiryOrEmpty(expiry, "payload.expiry");
        Context = Fields.Text(context, "payload.context", allowEmpty: false, max: 64);
        Location = Fields.GlnOrEmpty(location, "payload.location");
        Correlation = Fields.Text(correlation, "payload.correlation", max: 64);
        Items = [Item];
    }

    /// <inheritdoc/>
    public override RecordKind Kind => RecordKind.Verify;
    /// <summary>The scanned item.</summary>
    public ItemId Item { get; }
    /// <summary>The scanned lot, or empty.</summary>
    public string Lot { get; }
    /// <summary>The scanned expiry YYMMDD, or empty.</summary>
    public string Expiry { get; }
    /// <summary>Why it was scanned (e.g. dscsaSaleableReturn, dispense).</summary>
    public string Context { get; }
    /// <summary>Where (GLN), or empty.</summary>
    public string Location { get; }
    /// <summary>The requester's correlation id, or empty.</summary>
    public string Correlation { get; }
    /// <inheritdoc/>
    public override IReadOnlyList<ItemId> Items { get; }

    /// <inheritdoc/>
    public override RlpList ToRlp() => RlpItem.List(Item.ToRlp(), RlpItem.Text(Lot), RlpItem.Text(Expiry), RlpItem.Text(Context),
        RlpItem.Text(Location), RlpItem.Text(Correlation));

    internal static VerifyPayload Read(RlpItem item, string f)
    {
        var l = item.AsList(f).Expect(f, 6);
        return new VerifyPayload(ItemId.FromRlp(l[0], f + ".item"), Text(l, 1, f + ".lot"), Text(l, 2, f + ".expiry"), Text(l, 3, f + ".context"),
            Text(l, 4, f + ".location"), Text(l, 5, f + ".correlation"));
    }
}

/// <summary>Decommission: items leave the saleable supply chain.</summary>
public sealed class DecommissionPayload : RecordPayload
{
    /// <summary>Validates and creates the payload.</summary>
    public DecommissionPayload(IEnumerable<ItemId> items, DecommissionState state, string location, string? reason = null)
    {
        Items = ItemSet(items, "payload.items");
        if (!Enum.IsDefined(state))
            throw new RecordFormatException("payload.state", "value", $"unknown decommission state {(int)state}");
        State = state;
        Location = Fields.Gln(location, "payload.location");
        Reason = Fields.Text(reason, "payload.reason");
    }

    /// <inheritdoc/>
    public override RecordKind Kind => RecordKind.Decommission;
    /// <inheritdoc/>
    public override IReadOnlyList<ItemId> Items { get; }
    /// <summary>The new state.</summary>
    public DecommissionState State { get; }
    /// <summary>Where (GLN).</summary>
    public string Location { get; }
    /// <summary>Free text, or empty.</summary>
    public string Reason { get; }

    /// <inheritdoc/>
    public override RlpList ToRlp() => RlpItem.List(ItemsRlp(Items), RlpItem.UInt((ulong)State), RlpItem.Text(Location), RlpItem.Text(Reason));

    internal static DecommissionPayload Read(RlpItem item, string f)
    {
        var l = item.AsList(f).Expect(f, 4);
        var state = l[1].AsString(f + ".state").ToUInt64(f + ".state");
        if (state > byte.MaxValue)
            throw new RecordFormatException(f + ".state", "value", $"unknown decommission state {state}");
        return new DecommissionPayload(ReadItemSet(l[0], f + ".items"), (DecommissionState)state, Text(l, 2, f + ".location"), Text(l, 3, f + ".reason"));
    }
}

/// <summary>Reactivate: undo of a decommission.</summary>
public sealed class ReactivatePayload : RecordPayload
{
    /// <summary>Validates and creates the payload.</summary>
    public ReactivatePayload(IEnumerable<ItemId> items, string location, string? reason = null)
    {
        Items = ItemSet(items, "payload.items");
        Location = Fields.Gln(location, "payload.location");
        Reason = Fields.Text(reason, "payload.reason");
    }

    /// <inheritdoc/>
    public override RecordKind Kind => RecordKind.Reactivate;
    /// <inheritdoc/>
    public override IReadOnlyList<ItemId> Items { get; }
    /// <summary>Where (GLN); must be where the items were decommissioned.</summary>
    public string Location { get; }
    /// <summary>Free text, or empty.</summary>
    public string Reason { get; }

    /// <inheritdoc/>
    public override RlpList ToRlp() => RlpItem.List(ItemsRlp(Items), RlpItem.Text(Location), RlpItem.Text(Reason));

    internal static ReactivatePayload Read(RlpItem item, string f)
    {
        var l = item.AsList(f).Expect(f, 3);
        return new ReactivatePayload(ReadItemSet(l[0], f + ".items"), Text(l, 1, f + ".location"), Text(l, 2, f + ".reason"));
    }
}

/// <summary>Recall: per lot (items empty) or per serial (lot empty). Irreversible.</summary>
public sealed class RecallPayload : RecordPayload
{
    /// <summary>Validates and creates the payload.</summary>
    public RecallPayload(string gtin, string? lot, IEnumerable<ItemId>? items, string reason)
    {
        Gtin = Fields.Gtin(gtin, "payload.gtin");
        Lot = Fields.Cset82OrEmpty(lot, "payload.lot");
        Items = ItemSet(items ?? [], "payload.items", min: 0);
        if ((Lot.Length == 0) == (Items.Count == 0))
            throw new RecordFormatException("payload", "value", "a recall names either a lot or a set of serials, not both and not neither");
        for (var i = 0; i < Items.Count; i++)
            if (Items[i].Gtin != Gtin)
                throw new RecordFormatException($"payload.items[{i}]", "value", "every recalled item must be of the recalled GTIN");
        Reason = Fields.Text(reason, "payload.reason", allowEmpty: false);
    }

    /// <inheritdoc/>
    public override RecordKind Kind => RecordKind.Recall;
    /// <summary>The product.</summary>
    public string Gtin { get; }
    /// <summary>The lot, or empty for a per-serial recall.</summary>
    public string Lot { get; }
    /// <summary>The serials recalled, or empty for a per-lot recall.</summary>
    public override IReadOnlyList<ItemId> Items { get; }
    /// <summary>Why.</summary>
    public string Reason { get; }

    /// <inheritdoc/>
    public override RlpList ToRlp() => RlpItem.List(RlpItem.Text(Gtin), RlpItem.Text(Lot), ItemsRlp(Items), RlpItem.Text(Reason));

    internal static RecallPayload Read(RlpItem item, string f)
    {
        var l = item.AsList(f).Expect(f, 4);
        return new RecallPayload(Text(l, 0, f + ".gtin"), Text(l, 1, f + ".lot"), ReadItemSet(l[2], f + ".items", min: 0), Text(l, 3, f + ".reason"));
    }
}

/// <summary>Withdraw: a product (lot empty) or a lot taken off the market. Irreversible.</summary>
public sealed class WithdrawPayload : RecordPayload
{
    /// <summary>Validates and creates the payload.</summary>
    public WithdrawPayload(string gtin, string? lot, string reason)
    {
        Gtin = Fields.Gtin(gtin, "payload.gtin");
        Lot = Fields.Cset82OrEmpty(lot, "payload.lot");
        Reason = Fields.Text(reason, "payload.reason", allowEmpty: false);
    }

    /// <inheritdoc/>
    public override RecordKind Kind => RecordKind.Withdraw;
    /// <summary>The product.</summary>
    public string Gtin { get; }
    /// <summary>The lot, or empty for the whole product.</summary>
    public string Lot { get; }
    /// <summary>Why.</summary>
    public string Reason { get; }
    /// <inheritdoc/>
    public override IReadOnlyList<ItemId> Items => [];

    /// <inheritdoc/>
    public override RlpList ToRlp() => RlpItem.List(RlpItem.Text(Gtin), RlpItem.Text(Lot), RlpItem.Text(Reason));

    internal static WithdrawPayload Read(RlpItem item, string f)
    {
        var l = item.AsList(f).Expect(f, 3);
        return new WithdrawPayload(Text(l, 0, f + ".gtin"), Text(l, 1, f + ".lot"), Text(l, 2, f + ".reason"));
    }
}

/// <summary>One sensor reading (e.g. Temperature 4.5 CEL at a time).</summary>
public sealed record SensorReading
{
    /// <summary>Validates and creates the reading.</summary>
    public SensorReading(string type, string value, string uom, long timeMs)
    {
        Type = Fields.Text(type, "type", allowEmpty: false, max: 64);
        Value = Fields.Decimal(value, "value");
        Uom = Fields.Text(uom, "uom", max: 8);
        if (timeMs < 0)
            throw new RecordFormatException("time", "value", "must not be before 1970");
        TimeMs = timeMs;
    }

    /// <summary>Measurement type (CBV sensor type, e.g. Temperature).</summary>
    public string Type { get; }
    /// <summary>Canonical decimal text.</summary>
    public string Value { get; }
    /// <summary>UN/CEFACT unit code (e.g. CEL), or empty.</summary>
    public string Uom { get; }
    /// <summary>When, in ms since the Unix epoch.</summary>
    public long TimeMs { get; }
}

/// <summary>Observation: cold-chain sensor readings about items at a location.</summary>
public sealed class ObservationPayload : RecordPayload
{
    /// <summary>Validates and creates the payload.</summary>
    public ObservationPayload(IEnumerable<ItemId> items, string location, IEnumerable<SensorReading> readings)
    {
        Items = ItemSet(items, "payload.items");
        Location = Fields.Gln(location, "payload.location");
        Readings = [.. readings ?? []];
        if (Readings.Count is 0 or > Fields.MaxItems)
            throw new RecordFormatException("payload.readings", "count", $"must hold 1 to {Fields.MaxItems} readings");
    }

    /// <inheritdoc/>
    public override RecordKind Kind => RecordKind.Observation;
    /// <inheritdoc/>
    public override IReadOnlyList<ItemId> Items { get; }
    /// <summary>Where (GLN).</summary>
    public string Location { get; }
    /// <summary>The readings in the author's order.</summary>
    public IReadOnlyList<SensorReading> Readings { get; }

    /// <inheritdoc/>
    public override RlpList ToRlp() => RlpItem.List(ItemsRlp(Items), RlpItem.Text(Location),
        RlpItem.List(Readings.Select(r => RlpItem.List(RlpItem.Text(r.Type), RlpItem.Text(r.Value), RlpItem.Text(r.Uom), RlpItem.UInt((ulong)r.TimeMs)))));

    internal static ObservationPayload Read(RlpItem item, string f)
    {
        var l = item.AsList(f).Expect(f, 3);
        var readings = l[2].AsList(f + ".readings").Items.Select((x, i) =>
        {
            var g = $"{f}.readings[{i}]";
            var r = x.AsList(g).Expect(g, 4);
            var time = r[3].AsString(g + ".time").ToUInt64(g + ".time");
            if (time > long.MaxValue)
                throw new RecordFormatException(g + ".time", "value", "out of range");
            return new SensorReading(Text(r, 0, g + ".type"), Text(r, 1, g + ".value"), Text(r, 2, g + ".uom"), (long)time);
        });
        return new ObservationPayload(ReadItemSet(l[0], f + ".items"), Text(l, 1, f + ".location"), readings);
    }
}
