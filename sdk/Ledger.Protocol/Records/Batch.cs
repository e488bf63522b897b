using Ledger.Protocol.Crypto;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Rlp;

namespace Ledger.Protocol.Records;

/// <summary>
/// What a party signs once for many records (docs/spec/records.md §4): the author, the number of records and the
/// RFC 9162 tree hash over their ids in batch order.
/// </summary>
public sealed record BatchHeader
{
    /// <summary>The most records one batch may hold.</summary>
    public const int MaxRecords = 100_000;

    /// <summary>Validates and creates the header.</summary>
    public BatchHeader(Address author, long size, Hash32 root)
    {
        if (size is < 1 or > MaxRecords)
            throw new RecordFormatException("batch.size", "count", $"a batch holds 1 to {MaxRecords} records, got {size}");
        Author = author;
        Size = size;
        Root = root;
    }

    /// <summary>The author of every record in the batch.</summary>
    public Address Author { get; }

    /// <summary>How many records.</summary>
    public long Size { get; }

    /// <summary>RFC 9162 tree hash over the record ids (leaf = SHA-256(0x00 || id)).</summary>
    public Hash32 Root { get; }

    /// <summary>SHA-256("ledger/batch/v1" || 0x00 || RLP(header)): the digest the author signs.</summary>
    public Hash32 Hash() => DomainTags.Hash(DomainTags.Batch, Rlp.Rlp.Encode(ToRlp()));

    /// <summary>The header over these records.</summary>
    public static BatchHeader For(Address author, IReadOnlyList<LedgerRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return new BatchHeader(author, records.Count, RootOf(records));
    }

    internal static Hash32 RootOf(IReadOnlyList<LedgerRecord> records)
    {
        var leaves = new Hash32[records.Count];
        for (var i = 0; i < leaves.Length; i++)
            leaves[i] = MerkleHash.Leaf(records[i].Id);
        return MerkleTree.ComputeRoot(leaves);
    }

    /// <summary>RLP: [version, author, size, root].</summary>
    public RlpList ToRlp() => RlpItem.List(RlpItem.UInt(1), Wire.ToRlp(Author), RlpItem.UInt((ulong)Size), RlpItem.Hash(Root));

    /// <summary>Reads the RLP form.</summary>
    public static BatchHeader FromRlp(RlpItem item, string field) => Wire.Decode(() =>
    {
        var l = item.AsList(field).Expect(field, 4);
        Wire.Version(l[0], field + ".version");
        var size = Wire.UInt(l[2], field + ".size");
        if (size > MaxRecords)
            throw new RecordFormatException(field + ".size", "count", $"a batch holds at most {MaxRecords} records");
        return new BatchHeader(Wire.Address(l[1], field + ".author"), (long)size, Wire.Hash(l[3], field + ".root"));
    });
}

/// <summary>A batch of records with its author's one signature (§4): the unit a party submits.</summary>
public sealed class SignedBatch
{
    private SignedBatch(BatchHeader header, Signature signature, IReadOnlyList<LedgerRecord> records)
    {
        Header = header;
        Signature = signature;
        Records = records;
    }

    /// <summary>The signed header.</summary>
    public BatchHeader Header { get; }

    /// <summary>The author's signature over <see cref="BatchHeader.Hash"/>.</summary>
    public Signature Signature { get; }

    /// <summary>The records in batch order.</summary>
    public IReadOnlyList<LedgerRecord> Records { get; }

    /// <summary>Signs <paramref name="records"/> (all authored by <paramref name="key"/>'s address) with one signature.</summary>
    /// <exception cref="RecordFormatException">A record has another author, or the count is out of range.</exception>
    public static SignedBatch Sign(IReadOnlyList<LedgerRecord> records, PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(key);
        var author = key.Address;
        for (var i = 0; i < records.Count; i++)
            if (records[i].Author != author)
                throw new RecordFormatException($"records[{i}].author", "author", $"is {records[i].Author}, but the batch is signed by {author}");
        var header = BatchHeader.For(author, records);
        return new SignedBatch(header, key.Sign(header.Hash()), [.. records]);
    }

    /// <summary>Assembles a batch from its parts without checking it; call <see cref="Verify"/>.</summary>
    public static SignedBatch FromParts(BatchHeader header, Signature signature, IReadOnlyList<LedgerRecord> records) =>
        new(header, signature, [.. records]);

    /// <summary>Checks that the records match the header (count, root, authors) and that the author signed it.</summary>
    public VerificationResult Verify()
    {
        if (Records.Count != Header.Size)
            return VerificationResult.Fail("batch-size", $"header says {Header.Size} records, batch carries {Records.Count}");
        for (var i = 0; i < Records.Count; i++)
            if (Records[i].Author != Header.Author)
                return VerificationResult.Fail("batch-author", $"record {i} ({Records[i].Id}) is authored by {Records[i].Author}, the batch by {Header.Author}");
        var root = BatchHeader.RootOf(Records);
        if (root != Header.Root)
            return VerificationResult.Fail("batch-root", $"records hash to root {root}, header says {Header.Root}");
        return Signatures.VerifySigner(Header.Hash(), Signature, Header.Author, "batch-signature", "batch");
    }

    /// <summary>The seal proving record <paramref name="index"/>'s authorship without the rest of the batch.</summary>
    public RecordSeal SealFor(int index)
    {
        var leaves = new Hash32[Records.Count];
        for (var i = 0; i < leaves.Length; i++)
            leaves[i] = MerkleHash.Leaf(Records[i].Id);
        return new RecordSeal(Header, Signature, MerkleTree.CreateInclusionProof(leaves, index));
    }

    /// <summary>RLP: [header, signature, records].</summary>
    public RlpList ToRlp() => RlpItem.List(Header.ToRlp(), Wire.ToRlp(Signature), RlpItem.List(Records.Select(r => (RlpItem)r.ToRlp())));

    /// <summary>The canonical encoding.</summary>
    public byte[] Encode() => Rlp.Rlp.Encode(EncodingItem());

    /// <summary><see cref="ToRlp"/> with each record's kept encoding in place of its tree: the same bytes, encoded faster.</summary>
    internal RlpList EncodingItem() => RlpItem.List(Header.ToRlp(), Wire.ToRlp(Signature), RlpItem.List(Records.Select(r => r.EncodedItem)));

    /// <summary>Decodes a signed batch (structure and every record rule; not the signature — call <see cref="Verify"/>).</summary>
    /// <exception cref="RecordFormatException">Malformed; the field and rule are named.</exception>
    public static SignedBatch Decode(ReadOnlySpan<byte> encoded)
    {
        var copy = encoded.ToArray();
        return Wire.Decode(() => FromRlp(Rlp.Rlp.Decode(copy), "batch"));
    }

    /// <summary>Reads the RLP form.</summary>
    public static SignedBatch FromRlp(RlpItem item, string field) => Wire.Decode(() =>
    {
        var l = item.AsList(field).Expect(field, 3);
        var header = BatchHeader.FromRlp(l[0], field + ".header");
        var signature = Wire.Signature(l[1], field + ".signature");
        var recordItems = l[2].AsList(field + ".records");
        if (recordItems.Count > BatchHeader.MaxRecords)
            throw new RecordFormatException(field + ".records", "count", $"a batch holds at most {BatchHeader.MaxRecords} records");
        var records = recordItems.Items.Select((r, i) => LedgerRecord.FromRlp(r, $"{field}.records[{i}]")).ToList();
        return new SignedBatch(header, signature, records);
    });
}

/// <summary>
/// Proof that one record was signed by its author as part of a batch (§4): the batch header and signature plus the
/// record's inclusion proof in the batch tree.
/// </summary>
public sealed record RecordSeal(BatchHeader Header, Signature Signature, InclusionProof Proof)
{
    /// <summary>Checks that <paramref name="record"/> is in the batch at the proof's index and that its author signed the batch.</summary>
    public VerificationResult Verify(LedgerRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Author != Header.Author)
            return VerificationResult.Fail("seal-author", $"record {record.Id} is authored by {record.Author}, the seal by {Header.Author}");
        if (Proof.TreeSize != Header.Size)
            return VerificationResult.Fail("seal-size", $"proof is for a batch of {Proof.TreeSize}, header says {Header.Size}");
        var inclusion = MerkleTree.VerifyInclusion(Proof, MerkleHash.Leaf(record.Id), Header.Root);
        if (!inclusion.IsValid)
            return VerificationResult.Fail("seal-inclusion", $"record {record.Id} is not in the signed batch: {inclusion.Reason}");
        return Signatures.VerifySigner(Header.Hash(), Signature, Header.Author, "seal-signature", "batch");
    }

    /// <summary>RLP: [header, signature, index, path].</summary>
    public RlpList ToRlp() => RlpItem.List(Header.ToRlp(), Wire.ToRlp(Signature), RlpItem.UInt((ulong)Proof.LeafIndex),
        RlpItem.List(Proof.Path.Select(RlpItem.Hash)));

    /// <summary>Reads the RLP form.</summary>
    public static RecordSeal FromRlp(RlpItem item, string field) => Wire.Decode(() =>
    {
        var l = item.AsList(field).Expect(field, 4);
        var header = BatchHeader.FromRlp(l[0], field + ".header");
        var index = Wire.UInt(l[2], field + ".index");
        var path = l[3].AsList(field + ".path");
        if (path.Count > InclusionProof.MaxPathLength)
            throw new RecordFormatException(field + ".path", "count", $"at most {InclusionProof.MaxPathLength} hashes");
        if (index >= (ulong)header.Size)
            throw new RecordFormatException(field + ".index", "value", $"index {index} is outside a batch of {header.Size}");
        return new RecordSeal(header, Wire.Signature(l[1], field + ".signature"),
            new InclusionProof((long)index, header.Size, [.. path.Items.Select((p, i) => Wire.Hash(p, $"{field}.path[{i}]"))]));
    });
}
