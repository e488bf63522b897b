using System.Globalization;
using System.Text;
using System.Text.Json;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;

namespace Ledger.Sdk.Provenance;

/// <summary>
/// The typed, immutable form of a provenance answer (<c>ledger-provenance/v2</c>, one lane, or <c>v3</c>, one section per
/// lane in <see cref="Lanes"/>: docs/spec/api.md §6, verifier.md §7). Signed and
/// proven members are decoded from their canonical hex encodings (what a verifier checks); readable members derived from
/// an encoding are re-derived by <see cref="ToJson"/>, and the verifier's <c>summary</c> check compares the answer's own
/// text with that form (docs/spec/verifier.md §1). What no proof covers is only in <see cref="Unverified"/>,
/// <see cref="ProvenanceAnchor.Unverified"/> and <see cref="ProvenanceRecord.Unverified"/>.
/// Two documents are equal when their <see cref="ToJson"/> forms are equal.
/// </summary>
public sealed class ProvenanceDocument : IEquatable<ProvenanceDocument>
{
    /// <summary>The format name.</summary>
    public const string Format = "ledger-provenance/v2";

    /// <summary>The format of an answer across lanes (one section per consortium lane: <see cref="Lanes"/>).</summary>
    public const string FormatV3 = "ledger-provenance/v3";

    /// <summary>The format before lots were provable (not read: it proves no status; docs/spec/api.md §6).</summary>
    public const string FormatV1 = "ledger-provenance/v1";

    /// <summary>Creates a document.</summary>
    public ProvenanceDocument(ItemId item, ProvenanceState? state, ProvenanceHeader? header, SparseMerkleProof? stateProof,
        IReadOnlyList<ProvenanceRecord> records, ProvenanceLotHistory? lot = null, ProvenanceLotHistory? product = null,
        ProvenanceAnchor? anchor = null, ProvenanceUnverified? unverified = null)
    {
        Item = item ?? throw new ArgumentNullException(nameof(item));
        State = state;
        Header = header;
        StateProof = stateProof;
        Records = records ?? throw new ArgumentNullException(nameof(records));
        Lot = lot;
        Product = product;
        Anchor = anchor;
        Unverified = unverified ?? ProvenanceUnverified.Empty;
    }

    /// <summary>Creates an answer across lanes (<c>ledger-provenance/v3</c>): <see cref="Records"/> is every section's records, in section order.</summary>
    public ProvenanceDocument(ItemId item, ProvenanceState? state, IReadOnlyList<ProvenanceLaneSection> lanes, ProvenanceUnverified? unverified = null)
        : this(item, state, null, null, [.. (lanes ?? throw new ArgumentNullException(nameof(lanes))).SelectMany(l => l.Records)], unverified: unverified) =>
        Lanes = lanes;

    /// <summary>The sections of an answer across lanes (<c>v3</c>), one per consortium node; null for a <c>v2</c> answer.</summary>
    public IReadOnlyList<ProvenanceLaneSection>? Lanes { get; }

    /// <summary>The answer's format name (<see cref="Format"/> or <see cref="FormatV3"/>).</summary>
    public string FormatName => Lanes is null ? Format : FormatV3;

    /// <summary>The item the answer is about.</summary>
    public ItemId Item { get; }

    /// <summary>The item's state-map key (derived from <see cref="Item"/>).</summary>
    public Hash32 ItemKey => Item.StateKey();

    /// <summary>True when the answer states a state for the item.</summary>
    public bool Known => State is not null;

    /// <summary>The item's state as the node states it: every member is checked by the verifier (custody, status).</summary>
    public ProvenanceState? State { get; }

    /// <summary>The certified header every proof is against; null before the lane's first block.</summary>
    public ProvenanceHeader? Header { get; }

    /// <summary>Sparse Merkle proof of item → latest record id (or absence) at the header's state root.</summary>
    public SparseMerkleProof? StateProof { get; }

    /// <summary>The item's history in lane-log order.</summary>
    public IReadOnlyList<ProvenanceRecord> Records { get; }

    /// <summary>The history of the item's lot (recalls and withdrawals of the lot) with its state proof.</summary>
    public ProvenanceLotHistory? Lot { get; }

    /// <summary>The history of the item's product (withdrawals of every lot of the GTIN) with its state proof.</summary>
    public ProvenanceLotHistory? Product { get; }

    /// <summary>The lot's recall and withdrawal records: of every lane's section (<c>v3</c>), or of <see cref="Lot"/> (<c>v2</c>).</summary>
    public IReadOnlyList<ProvenanceRecord> LotRecords => Lanes is { } lanes ? [.. lanes.SelectMany(l => l.Lot?.Records ?? [])] : Lot?.Records ?? [];

    /// <summary>The product's withdrawal records: of every lane's section (<c>v3</c>), or of <see cref="Product"/> (<c>v2</c>).</summary>
    public IReadOnlyList<ProvenanceRecord> ProductRecords => Lanes is { } lanes ? [.. lanes.SelectMany(l => l.Product?.Records ?? [])] : Product?.Records ?? [];

    /// <summary>The chain anchor the answer links to, when present.</summary>
    public ProvenanceAnchor? Anchor { get; }

    /// <summary>What the node says that the answer does not prove: children's states and alerts.</summary>
    public ProvenanceUnverified Unverified { get; }

    /// <summary>The JSON text this document was parsed from (null when built in code): the <c>summary</c> check compares it with <see cref="ToJson"/>.</summary>
    public string? SourceJson { get; private init; }

    /// <summary>Parses an answer.</summary>
    /// <exception cref="ProvenanceFormatException">A member is missing, of the wrong type, or does not decode; names its JSON path.</exception>
    public static ProvenanceDocument Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ProvenanceFormatException("answer", "json", $"not JSON: {e.Message}", e);
        }
        using (doc)
        {
            var root = new Node(doc.RootElement, "");
            root.RequireObject();
            var format = root.Req("format").Str();
            if (format == FormatV1)
                throw new ProvenanceFormatException("format", "version",
                    $"is \"{FormatV1}\", which proves no lot-level status; ask a node of this version for \"{Format}\"");
            if (format != Format && format != FormatV3)
                throw new ProvenanceFormatException("format", "value", $"is \"{format}\", expected \"{Format}\" or \"{FormatV3}\"");
            var item = root.Req("item").Item();
            var state = root.Opt("state") is { } s ? ReadState(s) : null;
            if (root.Opt("known") is { } known && known.Bool() != state is not null)
                throw new ProvenanceFormatException("known", "value", $"is {known.Bool().ToString().ToLowerInvariant()} but state is {(state is null ? "null" : "present")}");
            if (root.Opt("itemKey") is { } key && key.Hash() != item.StateKey())
                throw new ProvenanceFormatException("itemKey", "value", $"is not the state key of {item} ({item.StateKey()})");
            var unverifiedV3 = root.Opt("unverified") is { } uv ? ReadUnverified(uv) : null;
            if (format == FormatV3 && root.Opt("lanes") is null && root.Opt("records") is not null)
                throw new ProvenanceFormatException("format", "value", $"is \"{FormatV3}\" but the answer has the shape of \"{Format}\" (records, no lanes)");
            if (format == FormatV3)
                return new ProvenanceDocument(item, state, root.Req("lanes").Array(ReadSection), unverifiedV3) { SourceJson = json };
            var header = root.Opt("header") is { } h ? ReadHeader(h) : null;
            var stateProof = root.Opt("stateProof") is { } sp ? sp.Decode(b => SparseMerkleProof.Decode(b)) : null;
            var records = root.Req("records").Array(ReadRecord);
            var lot = root.Opt("lot") is { } l ? ReadLot(l, withLot: true) : null;
            var product = root.Opt("product") is { } pr ? ReadLot(pr, withLot: false) : null;
            var anchor = root.Opt("anchor") is { } a ? ReadAnchor(a) : null;
            return new ProvenanceDocument(item, state, header, stateProof, records, lot, product, anchor, unverifiedV3) { SourceJson = json };
        }
    }

    /// <summary>Parses an answer, or returns false with the reason.</summary>
    public static bool TryParse(string json, out ProvenanceDocument? document, out ProvenanceFormatException? error)
    {
        try
        {
            document = Parse(json);
            error = null;
            return true;
        }
        catch (ProvenanceFormatException e)
        {
            document = null;
            error = e;
            return false;
        }
    }

    private static ProvenanceLaneSection ReadSection(Node n)
    {
        n.RequireObject();
        return new ProvenanceLaneSection(
            n.Req("lane").Address(),
            n.Opt("header") is { } h ? ReadHeader(h) : null,
            n.Opt("stateProof") is { } sp ? sp.Decode(b => SparseMerkleProof.Decode(b)) : null,
            n.Req("records").Array(ReadRecord),
            n.Opt("lot") is { } l ? ReadLot(l, withLot: true) : null,
            n.Opt("product") is { } pr ? ReadLot(pr, withLot: false) : null,
            n.Opt("anchor") is { } a ? ReadAnchor(a) : null);
    }

    private static ProvenanceState ReadState(Node n)
    {
        n.RequireObject();
        var transit = n.Opt("inTransitTo") is { } t
            ? new ProvenanceTransit(t.Req("party").Address(), t.Req("location").Str(), t.Req("ship").Hash())
            : null;
        return new ProvenanceState(
            n.Req("item").Item(),
            n.Req("status").Status(),
            n.Opt("storedStatus")?.Status() ?? n.Req("status").Status(),
            n.Req("custodian").Address(),
            n.Req("location").Str(),
            n.Opt("gtin")?.Str(),
            n.Opt("lot")?.Str(),
            n.Opt("expiry")?.Str(),
            n.Opt("parent")?.Item(),
            n.Opt("children")?.Array(c => c.Item()) ?? [],
            n.Req("latestRecord").Hash(),
            transit,
            n.Opt("statusAt")?.Time());
    }

    private static ProvenanceHeader ReadHeader(Node n)
    {
        n.RequireObject();
        var header = n.Req("encoded").Decode(b => SignedHeader.Decode(b));
        var certificate = n.Opt("certificate") is { } c ? c.Req("encoded").Decode(b => Certificate.Decode(b)) : null;
        return new ProvenanceHeader(header, certificate);
    }

    private static ProvenanceRecord ReadRecord(Node n)
    {
        n.RequireObject();
        var record = n.Req("record").Req("encoded").Decode(b => LedgerRecord.Decode(b));
        var logIndex = n.Req("logIndex").Long();
        var seal = n.Req("seal").Decode(b => RecordSeal.FromRlp(Ledger.Protocol.Rlp.Rlp.Decode(b), "seal"));
        var proof = n.Req("inclusionProof").Decode(b => InclusionProof.Decode(b));
        var height = n.Opt("unverified") is { } u ? u.Opt("height")?.Long() ?? 0 : 0;
        return new ProvenanceRecord(record, logIndex, seal, proof, new ProvenanceRecordUnverified(height));
    }

    private static ProvenanceLotHistory ReadLot(Node n, bool withLot)
    {
        n.RequireObject();
        var gtin = n.Req("gtin").Str();
        var lot = withLot ? n.Req("lot").Str() : null;
        if (!withLot && n.Opt("lot") is not null)
            throw new ProvenanceFormatException(n.Child("lot"), "value", "must be null in a product's history");
        return new ProvenanceLotHistory(gtin, lot, n.Req("stateProof").Decode(b => SparseMerkleProof.Decode(b)), n.Req("records").Array(ReadRecord));
    }

    private static ProvenanceAlert ReadAlert(Node n)
    {
        n.RequireObject();
        return new ProvenanceAlert(n.Req("sequence").Long(), n.Req("kind").Str(), n.Opt("item")?.Item(), n.Req("record").Hash(),
            n.Req("recordAccepted").Bool(), n.Req("author").Address(), n.Req("time").Time(), n.Opt("evidence")?.Str() ?? "",
            n.Opt("rejectedRecord")?.HexText());
    }

    private static ProvenanceUnverified ReadUnverified(Node n)
    {
        n.RequireObject();
        return new ProvenanceUnverified(n.Opt("children")?.Array(ReadState) ?? [], n.Opt("alerts")?.Array(ReadAlert) ?? []);
    }

    private static ProvenanceAnchor ReadAnchor(Node n)
    {
        n.RequireObject();
        var size = n.Req("size").Long();
        var u = n.Req("unverified");
        var unverified = new ProvenanceAnchorUnverified(u.Req("chainId").ULong(), u.Req("contract").Address(), u.Opt("txHash")?.Hash(),
            u.Req("blockNumber").ULong(), u.Opt("blockHash")?.Hash());
        return new ProvenanceAnchor(n.Req("lane").Address(), size, n.Req("root").Hash(),
            n.Req("consistencyProof").Decode(b => ConsistencyProof.Decode(b)), unverified);
    }

    /// <summary>The canonical JSON form (the node's shape, readable members derived from the encodings).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteString("item", Item.ToString());
            w.WriteString("itemKey", ItemKey.ToString());
            w.WriteBoolean("known", Known);
            w.WritePropertyName("state");
            WriteState(w, State);
            if (Lanes is { } lanes)
            {
                w.WriteStartArray("lanes");
                foreach (var section in lanes)
                {
                    w.WriteStartObject();
                    w.WriteString("lane", section.Lane.ToString());
                    WriteLaneMembers(w, section.Header, section.StateProof, section.Records, section.Lot, section.Product, section.Anchor);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            else
            {
                WriteLaneMembers(w, Header, StateProof, Records, Lot, Product, Anchor);
            }
            w.WriteStartObject("unverified");
            w.WriteStartArray("children");
            foreach (var c in Unverified.Children)
                WriteState(w, c);
            w.WriteEndArray();
            w.WriteStartArray("alerts");
            foreach (var a in Unverified.Alerts)
                WriteAlert(w, a);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteLaneMembers(Utf8JsonWriter w, ProvenanceHeader? header, SparseMerkleProof? stateProof, IReadOnlyList<ProvenanceRecord> records,
        ProvenanceLotHistory? lot, ProvenanceLotHistory? product, ProvenanceAnchor? anchor)
    {
        w.WritePropertyName("header");
        WriteHeader(w, header);
        WriteNullable(w, "stateProof", stateProof is null ? null : Hex.Encode0x(stateProof.Encode()));
        w.WriteStartArray("records");
        foreach (var r in records)
            WriteRecord(w, r);
        w.WriteEndArray();
        WriteLot(w, "lot", lot);
        WriteLot(w, "product", product);
        if (anchor is { } a)
            WriteAnchor(w, a);
        else
            w.WriteNull("anchor");
    }

    private static string Time(long ms) => Time(DateTimeOffset.FromUnixTimeMilliseconds(ms));

    private static string Time(DateTimeOffset t) => t.ToString("O", CultureInfo.InvariantCulture);

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
            w.WriteNull(name);
        else
            w.WriteString(name, value);
    }

    private static void WriteState(Utf8JsonWriter w, ProvenanceState? s)
    {
        if (s is null)
        {
            w.WriteNullValue();
            return;
        }
        w.WriteStartObject();
        w.WriteString("item", s.Item.ToString());
        w.WriteString("status", s.Status.ToString());
        if (s.StatusAt is { } at)
            w.WriteString("statusAt", Time(at));
        w.WriteString("storedStatus", s.StoredStatus.ToString());
        w.WriteString("custodian", s.Custodian.ToString());
        w.WriteString("location", s.Location);
        WriteNullable(w, "gtin", s.Gtin);
        WriteNullable(w, "lot", s.Lot);
        WriteNullable(w, "expiry", s.Expiry);
        WriteNullable(w, "parent", s.Parent?.ToString());
        w.WriteStartArray("children");
        foreach (var c in s.Children)
            w.WriteStringValue(c.ToString());
        w.WriteEndArray();
        w.WriteString("latestRecord", s.LatestRecord.ToString());
        if (s.InTransitTo is { } t)
        {
            w.WriteStartObject("inTransitTo");
            w.WriteString("party", t.Party.ToString());
            w.WriteString("location", t.Location);
            w.WriteString("ship", t.Ship.ToString());
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("inTransitTo");
        }
        w.WriteEndObject();
    }

    private static void WriteHeader(Utf8JsonWriter w, ProvenanceHeader? header)
    {
        if (header is null)
        {
            w.WriteNullValue();
            return;
        }
        var h = header.SignedHeader.Header;
        w.WriteStartObject();
        w.WriteString("lane", h.Lane.ToString());
        w.WriteNumber("height", h.Height);
        w.WriteString("hash", h.Hash().ToString());
        w.WriteString("parent", h.Parent.ToString());
        w.WriteString("time", Time(h.TimeMs));
        w.WriteString("recordsRoot", h.RecordsRoot.ToString());
        w.WriteNumber("recordCount", h.RecordCount);
        w.WriteNumber("logSize", h.LogSize);
        w.WriteString("logRoot", h.LogRoot.ToString());
        w.WriteString("stateRoot", h.StateRoot.ToString());
        w.WriteString("encoded", Hex.Encode0x(header.SignedHeader.Encode()));
        if (header.Certificate is { } c)
        {
            w.WriteStartObject("certificate");
            w.WriteStartArray("cosigners");
            foreach (var cs in c.Cosignatures)
                w.WriteStringValue(cs.Node.ToString());
            w.WriteEndArray();
            w.WriteString("encoded", Hex.Encode0x(c.Encode()));
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("certificate");
        }
        w.WriteEndObject();
    }

    private static void WriteRecord(Utf8JsonWriter w, ProvenanceRecord e)
    {
        var r = e.Record;
        w.WriteStartObject();
        w.WriteStartObject("record");
        w.WriteString("id", r.Id.ToString());
        w.WriteString("kind", r.Kind.ToString());
        w.WriteString("author", r.Author.ToString());
        w.WriteString("time", Time(r.TimeMs));
        w.WriteStartArray("items");
        foreach (var i in r.Payload.Items)
            w.WriteStringValue(i.ToString());
        w.WriteEndArray();
        w.WriteStartArray("deps");
        foreach (var d in r.Deps)
            w.WriteStringValue(d.ToString());
        w.WriteEndArray();
        w.WriteString("encoded", Hex.Encode0x(r.Encode()));
        w.WriteEndObject();
        w.WriteNumber("logIndex", e.LogIndex);
        w.WriteString("seal", Hex.Encode0x(Ledger.Protocol.Rlp.Rlp.Encode(e.Seal.ToRlp())));
        w.WriteString("inclusionProof", Hex.Encode0x(e.InclusionProof.Encode()));
        w.WriteStartObject("unverified");
        w.WriteNumber("height", e.Unverified.Height);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteLot(Utf8JsonWriter w, string name, ProvenanceLotHistory? h)
    {
        if (h is null)
        {
            w.WriteNull(name);
            return;
        }
        w.WriteStartObject(name);
        w.WriteString("gtin", h.Gtin);
        WriteNullable(w, "lot", h.Lot);
        w.WriteString("key", h.Key.ToString());
        w.WriteString("stateProof", Hex.Encode0x(h.StateProof.Encode()));
        w.WriteStartArray("records");
        foreach (var r in h.Records)
            WriteRecord(w, r);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteAlert(Utf8JsonWriter w, ProvenanceAlert a)
    {
        w.WriteStartObject();
        w.WriteNumber("sequence", a.Sequence);
        w.WriteString("kind", a.Kind);
        WriteNullable(w, "item", a.Item?.ToString());
        w.WriteString("record", a.Record.ToString());
        w.WriteBoolean("recordAccepted", a.RecordAccepted);
        w.WriteString("author", a.Author.ToString());
        w.WriteString("time", Time(a.Time));
        w.WriteString("evidence", a.Evidence);
        WriteNullable(w, "rejectedRecord", a.RejectedRecord);
        w.WriteEndObject();
    }

    private static void WriteAnchor(Utf8JsonWriter w, ProvenanceAnchor a)
    {
        w.WriteStartObject("anchor");
        w.WriteString("lane", a.Lane.ToString());
        w.WriteNumber("size", a.Size);
        w.WriteString("root", a.Root.ToString());
        w.WriteString("consistencyProof", Hex.Encode0x(a.ConsistencyProof.Encode()));
        w.WriteStartObject("unverified");
        w.WriteNumber("chainId", a.Unverified.ChainId);
        w.WriteString("contract", a.Unverified.Contract.ToString());
        WriteNullable(w, "txHash", a.Unverified.TxHash?.ToString());
        w.WriteNumber("blockNumber", a.Unverified.BlockNumber);
        WriteNullable(w, "blockHash", a.Unverified.BlockHash?.ToString());
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <inheritdoc/>
    public bool Equals(ProvenanceDocument? other) => other is not null && string.Equals(ToJson(), other.ToJson(), StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ProvenanceDocument);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Item, Records.Count, Header?.SignedHeader.Hash(), Lanes?.Count);

    /// <inheritdoc/>
    public override string ToString() => $"provenance of {Item}: {Records.Count} records" + (Lanes is { } l ? $" on {l.Count} lanes" : "") +
        (Header is { } h ? $" at {h.SignedHeader.Header.Lane} height {h.SignedHeader.Header.Height}" : "");

    /// <summary>A JSON value with its path, for error messages.</summary>
    private readonly struct Node(JsonElement element, string path)
    {
        private string Path => path.Length == 0 ? "answer" : path;

        private ProvenanceFormatException Error(string rule, string detail) => new(Path, rule, detail);

        public void RequireObject()
        {
            if (element.ValueKind != JsonValueKind.Object)
                throw Error("type", $"must be an object, found {element.ValueKind}");
        }

        public string Child(string name) => path.Length == 0 ? name : $"{path}.{name}";

        public Node Req(string name)
        {
            RequireObject();
            if (!element.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
                throw new ProvenanceFormatException(Child(name), "required", "is missing");
            return new Node(v, Child(name));
        }

        public Node? Opt(string name)
        {
            RequireObject();
            return element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? new Node(v, Child(name)) : null;
        }

        public IReadOnlyList<T> Array<T>(Func<Node, T> read)
        {
            if (element.ValueKind != JsonValueKind.Array)
                throw Error("type", $"must be an array, found {element.ValueKind}");
            var list = new List<T>();
            var i = 0;
            foreach (var e in element.EnumerateArray())
                list.Add(read(new Node(e, $"{path}[{i++}]")));
            return list;
        }

        public string Str() => element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw Error("type", $"must be a string, found {element.ValueKind}");

        public bool Bool() => element.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? element.GetBoolean()
            : throw Error("type", $"must be true or false, found {element.ValueKind}");

        public long Long() => element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var v) && v >= 0
            ? v
            : throw Error("type", "must be a non-negative integer");

        public ulong ULong() => element.ValueKind == JsonValueKind.Number && element.TryGetUInt64(out var v)
            ? v
            : throw Error("type", "must be a non-negative integer");

        public ItemId Item()
        {
            try
            {
                return ItemId.Parse(Str(), Path);
            }
            catch (RecordFormatException e)
            {
                throw new ProvenanceFormatException(Path, "item", e.Message, e);
            }
        }

        public Hash32 Hash() => Hash32.TryParse(Str(), out var h) ? h : throw Error("hash", "must be 0x and 64 hex digits");

        public Address Address() => Ledger.Protocol.Crypto.Address.TryParse(Str(), out var a) ? a : throw Error("address", "must be 0x and 40 hex digits (EIP-55 when mixed case)");

        public ItemStatus Status() => Enum.TryParse<ItemStatus>(Str(), false, out var s) && Enum.IsDefined(s) && !char.IsAsciiDigit(Str()[0])
            ? s
            : throw Error("value", $"\"{Str()}\" is not an item status");

        public DateTimeOffset Time() => DateTimeOffset.TryParse(Str(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t)
            ? t
            : throw Error("time", "must be an ISO 8601 time");

        public string HexText()
        {
            var s = Str();
            return s.StartsWith("0x", StringComparison.Ordinal) && Hex.TryDecode(s, out _) ? s : throw Error("hex", "must be 0x-prefixed hex");
        }

        public T Decode<T>(Func<byte[], T> decode)
        {
            var s = Str();
            if (!s.StartsWith("0x", StringComparison.Ordinal) || !Hex.TryDecode(s, out var bytes))
                throw Error("hex", "must be 0x-prefixed hex with an even number of digits");
            try
            {
                return decode(bytes);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or OverflowException)
            {
                var inner = e switch
                {
                    RecordFormatException r => $"{r.Field} ({r.Rule})",
                    MerkleFormatException m => $"{m.Field} ({m.Rule})",
                    _ => e.GetType().Name,
                };
                throw new ProvenanceFormatException(Path, "encoding", $"does not decode: {inner}: {e.Message}", e);
            }
        }
    }
}
