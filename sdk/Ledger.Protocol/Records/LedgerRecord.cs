using Ledger.Protocol.Crypto;
using Ledger.Protocol.Rlp;

namespace Ledger.Protocol.Records;

/// <summary>
/// One custody fact authored by one party (docs/spec/records.md §3). Immutable and always valid once constructed.
/// Its id is SHA-256 of its canonical encoding; it carries no signature of its own — the author's signature is the
/// batch seal (§4), a single record being a batch of one.
/// </summary>
public sealed class LedgerRecord : IEquatable<LedgerRecord>
{
    /// <summary>The format version this software writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The largest encoded record accepted.</summary>
    public const int MaxEncodedBytes = 1 << 20;

    private readonly byte[] _encoded;

    /// <summary>Creates a record; <paramref name="deps"/> are sorted into canonical order.</summary>
    /// <exception cref="RecordFormatException">A rule is broken.</exception>
    public LedgerRecord(Address author, ulong nonce, long timeMs, RecordPayload payload, IEnumerable<Hash32>? deps = null)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (timeMs < 0)
            throw new RecordFormatException("time", "value", "must not be before 1970");
        Author = author;
        Nonce = nonce;
        TimeMs = timeMs;
        Payload = payload;
        Deps = Fields.SortedSet(deps ?? [], h => h.ToArray(), "deps", min: 0);
        _encoded = Rlp.Rlp.Encode(ToRlp());
        if (_encoded.Length > MaxEncodedBytes)
            throw new RecordFormatException("record", "length", $"encodes to {_encoded.Length} bytes; at most {MaxEncodedBytes}");
        Id = Sha256.Hash(_encoded);
    }

    /// <summary>The record kind.</summary>
    public RecordKind Kind => Payload.Kind;

    /// <summary>The party that authored it.</summary>
    public Address Author { get; }

    /// <summary>Author-chosen number that distinguishes otherwise identical records.</summary>
    public ulong Nonce { get; }

    /// <summary>When the author says the fact happened, ms since the Unix epoch (UTC).</summary>
    public long TimeMs { get; }

    /// <summary>The kind-specific content.</summary>
    public RecordPayload Payload { get; }

    /// <summary>Record ids this depends on (the latest record of every touched item, the Ship a Receive names …), sorted.</summary>
    public IReadOnlyList<Hash32> Deps { get; }

    /// <summary>SHA-256 of the canonical encoding.</summary>
    public Hash32 Id { get; }

    /// <summary>The canonical encoding (a copy).</summary>
    public byte[] Encode() => (byte[])_encoded.Clone();

    /// <summary>The canonical encoding without copying.</summary>
    public ReadOnlySpan<byte> Encoded => _encoded;

    /// <summary>The canonical encoding as an RLP item, for encoders of batches and blocks (no copy, no re-encoding).</summary>
    internal RlpItem EncodedItem => new Rlp.RlpEncoded(_encoded);

    /// <summary>The RLP form: [version, kind, author, nonce, time, payload, deps].</summary>
    public RlpList ToRlp() => RlpItem.List(
        RlpItem.UInt(CurrentVersion),
        RlpItem.UInt((ulong)Kind),
        Wire.ToRlp(Author),
        RlpItem.UInt(Nonce),
        RlpItem.UInt((ulong)TimeMs),
        Payload.ToRlp(),
        RlpItem.List(Deps.Select(RlpItem.Hash)));

    /// <summary>Decodes a canonical encoding, applying every rule of the format.</summary>
    /// <exception cref="RecordFormatException">Malformed, non-canonical or breaking a rule; the field and rule are named.</exception>
    public static LedgerRecord Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length > MaxEncodedBytes)
            throw new RecordFormatException("record", "length", $"is {encoded.Length} bytes; at most {MaxEncodedBytes}");
        var copy = encoded.ToArray();
        return Wire.Decode(() => FromRlp(Rlp.Rlp.Decode(copy), "record"));
    }

    /// <summary>Reads the RLP form.</summary>
    /// <exception cref="RecordFormatException">A rule is broken.</exception>
    public static LedgerRecord FromRlp(RlpItem item, string field) => Wire.Decode(() =>
    {
        var l = item.AsList(field).Expect(field, 7);
        Wire.Version(l[0], field + ".version");
        var kind = Wire.UInt(l[1], field + ".kind");
        if (kind is 0 or > byte.MaxValue || !Enum.IsDefined((RecordKind)kind))
            throw new RecordFormatException(field + ".kind", "kind", $"unknown record kind {kind}");
        var author = Wire.Address(l[2], field + ".author");
        var nonce = Wire.UInt(l[3], field + ".nonce");
        var time = Wire.UInt(l[4], field + ".time");
        if (time > long.MaxValue)
            throw new RecordFormatException(field + ".time", "value", "out of range");
        var payload = RecordPayload.FromRlp((RecordKind)kind, l[5], field + ".payload");
        var depsList = l[6].AsList(field + ".deps");
        Fields.RequireSortedSet(depsList.Items, field + ".deps", min: 0);
        var deps = depsList.Items.Select((d, i) => Wire.Hash(d, $"{field}.deps[{i}]"));
        return new LedgerRecord(author, nonce, (long)time, payload, deps);
    });

    /// <inheritdoc/>
    public bool Equals(LedgerRecord? other) => other is not null && Id == other.Id;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as LedgerRecord);

    /// <inheritdoc/>
    public override int GetHashCode() => Id.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} {Id} by {Author}";
}
