using Ledger.Protocol.Rlp;

namespace Ledger.Protocol.Records;

/// <summary>Item identifier schemes (frozen wire values, docs/spec/records.md §2).</summary>
public enum ItemScheme : byte
{
    /// <summary>A serialized pack: GTIN-14 + serial.</summary>
    Sgtin = 1,
    /// <summary>A logistic unit: SSCC-18.</summary>
    Sscc = 2,
}

/// <summary>
/// A serialized item the ledger tracks: an SGTIN (pack) or an SSCC (case, pallet). Always valid once constructed.
/// Canonical text: <c>sgtin:&lt;gtin14&gt;.&lt;serial&gt;</c> or <c>sscc:&lt;sscc18&gt;</c>.
/// </summary>
public sealed class ItemId : IEquatable<ItemId>, IComparable<ItemId>
{
    private readonly byte[] _encoded;

    private ItemId(ItemScheme scheme, string key, string serial)
    {
        Scheme = scheme;
        Key = key;
        Serial = serial;
        _encoded = Rlp.Rlp.Encode(ToRlp());
    }

    /// <summary>The scheme.</summary>
    public ItemScheme Scheme { get; }

    /// <summary>The GTIN-14 (SGTIN) or SSCC-18 digits.</summary>
    public string Key { get; }

    /// <summary>The serial (SGTIN), or empty (SSCC).</summary>
    public string Serial { get; }

    /// <summary>The GTIN for an SGTIN; null for an SSCC.</summary>
    public string? Gtin => Scheme == ItemScheme.Sgtin ? Key : null;

    /// <summary>A pack: GTIN-14 with a valid check digit and a 1–20 character CSET 82 serial.</summary>
    /// <exception cref="RecordFormatException">A rule is broken.</exception>
    public static ItemId Sgtin(string gtin14, string serial, string field = "item") =>
        new(ItemScheme.Sgtin, Fields.Gtin(gtin14, field + ".gtin"), Fields.Cset82(serial, field + ".serial"));

    /// <summary>A logistic unit: SSCC-18 with a valid check digit.</summary>
    /// <exception cref="RecordFormatException">A rule is broken.</exception>
    public static ItemId Sscc(string sscc18, string field = "item") => new(ItemScheme.Sscc, Fields.Sscc(sscc18, field + ".sscc"), "");

    /// <summary>Parses the canonical text form.</summary>
    /// <exception cref="RecordFormatException">Not a canonical item text.</exception>
    public static ItemId Parse(string text, string field = "item")
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("sgtin:", StringComparison.Ordinal))
        {
            var dot = text.IndexOf('.', 6);
            if (dot < 0)
                throw new RecordFormatException(field, "syntax", "an SGTIN item is written sgtin:<gtin14>.<serial>");
            return Sgtin(text[6..dot], text[(dot + 1)..], field);
        }
        if (text.StartsWith("sscc:", StringComparison.Ordinal))
            return Sscc(text[5..], field);
        throw new RecordFormatException(field, "syntax", "an item is written sgtin:<gtin14>.<serial> or sscc:<sscc18>");
    }

    /// <summary>The item's key in the state map: SHA-256("ledger/item/v1" || 0x00 || RLP(item)).</summary>
    public Hash32 StateKey()
    {
        // Computed once per instance: the node asks for it several times per record (state, history, indexes, state map).
        if (!Volatile.Read(ref _hasStateKey))
        {
            _stateKey = DomainTags.Hash(DomainTags.Item, _encoded);
            Volatile.Write(ref _hasStateKey, true);
        }
        return _stateKey;
    }

    private Hash32 _stateKey;
    private bool _hasStateKey;

    /// <summary>The RLP form: [scheme, key, serial].</summary>
    public RlpItem ToRlp() => RlpItem.List(RlpItem.UInt((ulong)Scheme), RlpItem.Text(Key), RlpItem.Text(Serial));

    /// <summary>The canonical encoding (a copy).</summary>
    public byte[] Encode() => (byte[])_encoded.Clone();

    internal ReadOnlySpan<byte> Encoded => _encoded;

    /// <summary>Reads the RLP form, applying every rule.</summary>
    /// <exception cref="RecordFormatException">A rule is broken.</exception>
    public static ItemId FromRlp(RlpItem item, string field)
    {
        var list = item.AsList(field).Expect(field, 3);
        var scheme = list[0].AsString(field + ".scheme").ToUInt64(field + ".scheme");
        var key = list[1].AsString(field + ".key").ToText(field + ".key");
        var serial = list[2].AsString(field + ".serial").ToText(field + ".serial");
        return scheme switch
        {
            (ulong)ItemScheme.Sgtin => Sgtin(key, serial, field),
            (ulong)ItemScheme.Sscc when serial.Length == 0 => Sscc(key, field),
            (ulong)ItemScheme.Sscc => throw new RecordFormatException(field + ".serial", "value", "an SSCC item has no serial"),
            _ => throw new RecordFormatException(field + ".scheme", "value", $"unknown item scheme {scheme} (1 = SGTIN, 2 = SSCC)"),
        };
    }

    /// <inheritdoc/>
    public override string ToString() => Scheme == ItemScheme.Sgtin ? $"sgtin:{Key}.{Serial}" : $"sscc:{Key}";

    /// <inheritdoc/>
    public bool Equals(ItemId? other) => other is not null && _encoded.AsSpan().SequenceEqual(other._encoded);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ItemId);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(_encoded);
        return h.ToHashCode();
    }

    /// <summary>Orders by canonical encoding (the order of sets on the wire).</summary>
    public int CompareTo(ItemId? other) => other is null ? 1 : _encoded.AsSpan().SequenceCompareTo(other._encoded);

    public static bool operator ==(ItemId? left, ItemId? right) => left is null ? right is null : left.Equals(right);
    public static bool operator !=(ItemId? left, ItemId? right) => !(left == right);
    public static bool operator <(ItemId left, ItemId right) => left.CompareTo(right) < 0;
    public static bool operator >(ItemId left, ItemId right) => left.CompareTo(right) > 0;
    public static bool operator <=(ItemId left, ItemId right) => left.CompareTo(right) <= 0;
    public static bool operator >=(ItemId left, ItemId right) => left.CompareTo(right) >= 0;
}
