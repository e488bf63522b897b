using Ledger.Protocol.Crypto;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;

namespace Ledger.Protocol.Blocks;

/// <summary>Another lane's head that a block depends on (causal reference).</summary>
public sealed record LaneRef(Address Lane, long Height, Hash32 HeaderHash);

/// <summary>
/// A block header (docs/spec/records.md §5): commits to the block's records, the whole lane log so far, and the state map.
/// </summary>
public sealed record BlockHeader
{
    /// <summary>Validates and creates a header.</summary>
    /// <exception cref="RecordFormatException">A rule is broken.</exception>
    public BlockHeader(Address lane, long height, Hash32 parent, long timeMs, Hash32 recordsRoot, long recordCount,
        long logSize, Hash32 logRoot, Hash32 stateRoot, IEnumerable<LaneRef>? refs = null)
    {
        if (height < 1)
            throw new RecordFormatException("header.height", "value", "heights start at 1");
        if (height == 1 && !parent.IsZero)
            throw new RecordFormatException("header.parent", "value", "the first block's parent is 32 zero bytes");
        if (height > 1 && parent.IsZero)
            throw new RecordFormatException("header.parent", "value", "a block above height 1 names its parent header hash");
        if (timeMs < 0)
            throw new RecordFormatException("header.time", "value", "must not be before 1970");
        if (recordCount < 0 || logSize < recordCount)
            throw new RecordFormatException("header.logSize", "value", $"log size {logSize} cannot be below the block's record count {recordCount}");
        Lane = lane;
        Height = height;
        Parent = parent;
        TimeMs = timeMs;
        RecordsRoot = recordsRoot;
        RecordCount = recordCount;
        LogSize = logSize;
        LogRoot = logRoot;
        StateRoot = stateRoot;
        var sorted = (refs ?? []).OrderBy(r => r.Lane).ToList();
        for (var i = 0; i < sorted.Count; i++)
        {
            if (sorted[i].Lane == lane)
                throw new RecordFormatException($"header.refs[{i}]", "value", "a block does not reference its own lane");
            if (i > 0 && sorted[i - 1].Lane == sorted[i].Lane)
                throw new RecordFormatException($"header.refs[{i}]", "duplicate", "one reference per lane");
            if (sorted[i].Height < 1)
                throw new RecordFormatException($"header.refs[{i}].height", "value", "heights start at 1");
        }
        Refs = sorted;
    }

    /// <summary>The lane (its node's address).</summary>
    public Address Lane { get; }
    /// <summary>Height, from 1.</summary>
    public long Height { get; }
    /// <summary>The parent's header hash; zero at height 1.</summary>
    public Hash32 Parent { get; }
    /// <summary>When the node sealed the block (ms since the Unix epoch).</summary>
    public long TimeMs { get; }
    /// <summary>RFC 9162 tree hash over this block's record ids.</summary>
    public Hash32 RecordsRoot { get; }
    /// <summary>Records in this block.</summary>
    public long RecordCount { get; }
    /// <summary>Records in the lane after this block.</summary>
    public long LogSize { get; }
    /// <summary>RFC 9162 tree hash over all the lane's record ids so far.</summary>
    public Hash32 LogRoot { get; }
    /// <summary>State map root after this block.</summary>
    public Hash32 StateRoot { get; }
    /// <summary>Other lanes' heads this block depends on, sorted by lane.</summary>
    public IReadOnlyList<LaneRef> Refs { get; }

    /// <summary>SHA-256("ledger/block-header/v1" || 0x00 || RLP(header)).</summary>
    public Hash32 Hash() => DomainTags.Hash(DomainTags.BlockHeader, Rlp.Rlp.Encode(ToRlp()));

    /// <summary>RLP: [version, lane, height, parent, time, recordsRoot, recordCount, logSize, logRoot, stateRoot, refs].</summary>
    public RlpList ToRlp() => RlpItem.List(
        RlpItem.UInt(1), Wire.ToRlp(Lane), RlpItem.UInt((ulong)Height), RlpItem.Hash(Parent), RlpItem.UInt((ulong)TimeMs),
        RlpItem.Hash(RecordsRoot), RlpItem.UInt((ulong)RecordCount), RlpItem.UInt((ulong)LogSize), RlpItem.Hash(LogRoot),
        RlpItem.Hash(StateRoot),
        RlpItem.List(Refs.Select(r => RlpItem.List(Wire.ToRlp(r.Lane), RlpItem.UInt((ulong)r.Height), RlpItem.Hash(r.HeaderHash)))));

    /// <summary>The canonical encoding.</summary>
    public byte[] Encode() => Rlp.Rlp.Encode(ToRlp());

    /// <summary>Decodes a header.</summary>
    /// <exception cref="RecordFormatException">Malformed; the field and rule are named.</exception>
    public static BlockHeader Decode(ReadOnlySpan<byte> encoded)
    {
        var copy = encoded.ToArray();
        return Wire.Decode(() => FromRlp(Rlp.Rlp.Decode(copy), "header"));
    }

    /// <summary>Reads the RLP form.</summary>
    public static BlockHeader FromRlp(RlpItem item, string f) => Wire.Decode(() =>
    {
        var l = item.AsList(f).Expect(f, 11);
        Wire.Version(l[0], f + ".version");
        var refList = l[10].AsList(f + ".refs");
        var refs = refList.Items.Select((r, i) =>
        {
            var g = $"{f}.refs[{i}]";
            var x = r.AsList(g).Expect(g, 3);
            return new LaneRef(Wire.Address(x[0], g + ".lane"), Long(x[1], g + ".height"), Wire.Hash(x[2], g + ".headerHash"));
        }).ToList();
        for (var i = 1; i < refs.Count; i++)
            if (refs[i - 1].Lane.CompareTo(refs[i].Lane) >= 0)
                throw new RecordFormatException($"{f}.refs[{i}]", "sorted-set", "references must be sorted by lane, one per lane");
        return new BlockHeader(Wire.Address(l[1], f + ".lane"), Long(l[2], f + ".height"), Wire.Hash(l[3], f + ".parent"),
            Long(l[4], f + ".time"), Wire.Hash(l[5], f + ".recordsRoot"), Long(l[6], f + ".recordCount"), Long(l[7], f + ".logSize"),
            Wire.Hash(l[8], f + ".logRoot"), Wire.Hash(l[9], f + ".stateRoot"), refs);
    });

    private static long Long(RlpItem item, string field)
    {
        var v = Wire.UInt(item, field);
        return v <= long.MaxValue ? (long)v : throw new RecordFormatException(field, "value", "out of range");
    }
}

/// <summary>A header signed by its lane's node: [header, signature].</summary>
public sealed record SignedHeader(BlockHeader Header, Signature Signature)
{
    /// <summary>Signs <paramref name="header"/> with the lane node's key.</summary>
    /// <exception cref="ArgumentException">The key is not the lane's.</exception>
    public static SignedHeader Sign(BlockHeader header, PrivateKey nodeKey)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(nodeKey);
        if (nodeKey.Address != header.Lane)
            throw new ArgumentException($"lane {header.Lane} must be signed by its own node key, not {nodeKey.Address}", nameof(nodeKey));
        return new SignedHeader(header, nodeKey.Sign(header.Hash()));
    }

    /// <summary>The header hash.</summary>
    public Hash32 Hash() => Header.Hash();

    /// <summary>Checks that the lane's node signed the header.</summary>
    public VerificationResult Verify() => Signatures.VerifySigner(Header.Hash(), Signature, Header.Lane, "header-signature", "header");

    /// <summary>RLP: [header, signature].</summary>
    public RlpList ToRlp() => RlpItem.List(Header.ToRlp(), Wire.ToRlp(Signature));

    /// <summary>The canonical encoding.</summary>
    public byte[] Encode() => Rlp.Rlp.Encode(ToRlp());

    /// <summary>Decodes a signed header (structure only; call <see cref="Verify"/>).</summary>
    public static SignedHeader Decode(ReadOnlySpan<byte> encoded)
    {
        var copy = encoded.ToArray();
        return Wire.Decode(() => FromRlp(Rlp.Rlp.Decode(copy), "signedHeader"));
    }

    /// <summary>Reads the RLP form.</summary>
    public static SignedHeader FromRlp(RlpItem item, string f) => Wire.Decode(() =>
    {
        var l = item.AsList(f).Expect(f, 2);
        return new SignedHeader(BlockHeader.FromRlp(l[0], f + ".header"), Wire.Signature(l[1], f + ".signature"));
    });
}
