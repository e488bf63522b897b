using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;

namespace Ledger.Protocol.Blocks;

/// <summary>
/// Reads one record and its batch seal out of an encoded block without decoding the rest: a provenance answer needs one
/// record per block it touches, and decoding a whole block of thousands of records cost milliseconds. The result is the
/// same as <c>Block.Decode(encoded).Batches[batch]</c>'s <c>Records[index]</c> and <c>SealFor(index)</c>: the record
/// is decoded with every rule, the batch header and signature too, and the seal's path is computed from the batch's
/// record encodings (a record's id is the SHA-256 of its encoding).
/// </summary>
public static class BlockReader
{
    /// <summary>Record <paramref name="index"/> of batch <paramref name="batch"/> and its seal.</summary>
    /// <exception cref="RecordFormatException">Malformed, or no such batch or record; the field is named.</exception>
    public static (LedgerRecord Record, RecordSeal Seal) ReadRecord(ReadOnlySpan<byte> encodedBlock, int batch, int index)
    {
        const string f = "block";
        try
        {
            var batches = Batches(encodedBlock, f, out var batchesEnd);
            var at = Nth(encodedBlock, batches, batchesEnd, batch, $"{f}.batches[{batch}]");
            var bf = $"{f}.batches[{batch}]";
            var fields = List(encodedBlock, at, bf, out _);
            var headerEnd = Rlp.Rlp.Skip(encodedBlock, fields, out _, out _, out _);
            var signatureEnd = Rlp.Rlp.Skip(encodedBlock, headerEnd, out _, out _, out _);
            var header = BatchHeader.FromRlp(Rlp.Rlp.Decode(encodedBlock[fields..headerEnd]), bf + ".header");
            var signature = Wire.Signature(Rlp.Rlp.Decode(encodedBlock[headerEnd..signatureEnd]), bf + ".signature");
            var records = List(encodedBlock, signatureEnd, bf + ".records", out var recordsEnd);
            var leaves = new List<Hash32>();
            LedgerRecord? record = null;
            for (var offset = records; offset < recordsEnd;)
            {
                var end = Rlp.Rlp.Skip(encodedBlock, offset, out _, out _, out _);
                var raw = encodedBlock[offset..end];
                if (leaves.Count == index)
                    record = LedgerRecord.Decode(raw);
                leaves.Add(MerkleHash.Leaf(Crypto.Sha256.Hash(raw)));
                offset = end;
            }
            if (record is null)
                throw new RecordFormatException($"{bf}.records[{index}]", "index", $"the batch holds {leaves.Count} records");
            return (record, new RecordSeal(header, signature, MerkleTree.CreateInclusionProof([.. leaves], index)));
        }
        catch (RlpException e)
        {
            throw new RecordFormatException(e.Field, "rlp", e.Rule);
        }
    }

    /// <summary>
    /// Where every record's encoding lies inside an encoded block: per batch, per record, its byte offset from the start
    /// of <paramref name="encodedBlock"/> and its length. The bytes at a span are the record's canonical encoding (its id
    /// is their SHA-256), so a store can keep the spans and later read one record without the rest of the block. Only the
    /// RLP structure is walked; records, headers and signatures are not decoded.
    /// </summary>
    /// <exception cref="RecordFormatException">The RLP structure is malformed; the field is named.</exception>
    public static RecordSpan[][] RecordSpans(ReadOnlySpan<byte> encodedBlock)
    {
        const string f = "block";
        try
        {
            var batches = Batches(encodedBlock, f, out var batchesEnd);
            var result = new List<RecordSpan[]>();
            for (var at = batches; at < batchesEnd;)
            {
                var bf = $"{f}.batches[{result.Count}]";
                var fields = List(encodedBlock, at, bf, out var batchEnd);
                if (batchEnd > batchesEnd)
                    throw new RecordFormatException(bf, "length", "runs past the end of the batch list");
                var headerEnd = Rlp.Rlp.Skip(encodedBlock, fields, out _, out _, out _);
                var signatureEnd = Rlp.Rlp.Skip(encodedBlock, headerEnd, out _, out _, out _);
                var records = List(encodedBlock, signatureEnd, bf + ".records", out var recordsEnd);
                var spans = new List<RecordSpan>();
                for (var offset = records; offset < recordsEnd;)
                {
                    var end = Rlp.Rlp.Skip(encodedBlock, offset, out _, out _, out _);
                    if (end > recordsEnd)
                        throw new RecordFormatException($"{bf}.records[{spans.Count}]", "length", "runs past the end of the batch's record list");
                    spans.Add(new RecordSpan(offset, end - offset));
                    offset = end;
                }
                result.Add([.. spans]);
                at = batchEnd;
            }
            return [.. result];
        }
        catch (RlpException e)
        {
            throw new RecordFormatException(e.Field, "rlp", e.Rule);
        }
    }

    /// <summary>Where the block's list of batches starts (its payload) and ends; checks there is nothing after the block.</summary>
    private static int Batches(ReadOnlySpan<byte> encodedBlock, string f, out int batchesEnd)
    {
        var block = List(encodedBlock, 0, f, out var blockEnd);
        if (blockEnd != encodedBlock.Length)
            throw new RecordFormatException(f, "length", "trailing bytes after the block");
        var batchesAt = Rlp.Rlp.Skip(encodedBlock, block, out _, out _, out _); // past the signed header
        return List(encodedBlock, batchesAt, f + ".batches", out batchesEnd);
    }

    private static int List(ReadOnlySpan<byte> data, int offset, string field, out int end)
    {
        end = Rlp.Rlp.Skip(data, offset, out var isList, out var payload, out _);
        if (!isList)
            throw new RecordFormatException(field, "type", "expected a list");
        return payload;
    }

    private static int Nth(ReadOnlySpan<byte> data, int offset, int end, int n, string field)
    {
        if (n < 0)
            throw new RecordFormatException(field, "index", "must not be negative");
        for (var i = 0; i < n; i++)
        {
            if (offset >= end)
                throw new RecordFormatException(field, "index", $"the list holds {i} items");
            offset = Rlp.Rlp.Skip(data, offset, out _, out _, out _);
        }
        if (offset >= end)
            throw new RecordFormatException(field, "index", $"the list holds {n} items");
        return offset;
    }
}

/// <summary>A record's encoding inside an encoded block (see <see cref="BlockReader.RecordSpans"/>).</summary>
/// <param name="Offset">Byte offset from the start of the encoded block.</param>
/// <param name="Length">Length of the record's encoding in bytes.</param>
public readonly record struct RecordSpan(int Offset, int Length);
