using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;

namespace Ledger.Protocol.Blocks;

/// <summary>A block: a signed header and the signed batches whose records it appends to the lane (§5).</summary>
public sealed record Block(SignedHeader SignedHeader, IReadOnlyList<SignedBatch> Batches)
{
    /// <summary>The record ids in block order (batch by batch).</summary>
    public IEnumerable<Hash32> RecordIds() => Batches.SelectMany(b => b.Records).Select(r => r.Id);

    /// <summary>Checks what a block proves about itself: header signature, every batch, and the records root and count.
    /// (Log root, state root and custody rules need the lane's state and are checked by the node.)</summary>
    public VerificationResult Verify()
    {
        var header = SignedHeader.Verify();
        if (!header.IsValid)
            return header;
        for (var i = 0; i < Batches.Count; i++)
        {
            var batch = Batches[i].Verify();
            if (!batch.IsValid)
                return VerificationResult.Fail(batch.Code, $"batch {i}: {batch.Reason}");
        }
        var leaves = RecordIds().Select(MerkleHash.Leaf).ToArray();
        if (leaves.Length != SignedHeader.Header.RecordCount)
            return VerificationResult.Fail("records-count", $"header says {SignedHeader.Header.RecordCount} records, block carries {leaves.Length}");
        var root = MerkleTree.ComputeRoot(leaves);
        return root == SignedHeader.Header.RecordsRoot
            ? VerificationResult.Valid
            : VerificationResult.Fail("records-root", $"records hash to {root}, header says {SignedHeader.Header.RecordsRoot}");
    }

    /// <summary>RLP: [signed header, batches].</summary>
    public RlpList ToRlp() => RlpItem.List(SignedHeader.ToRlp(), RlpItem.List(Batches.Select(b => (RlpItem)b.ToRlp())));

    /// <summary>The canonical encoding.</summary>
    public byte[] Encode() => Rlp.Rlp.Encode(RlpItem.List(SignedHeader.ToRlp(), RlpItem.List(Batches.Select(b => (RlpItem)b.EncodingItem()))));

    /// <summary>Decodes a block (structure and record rules; call <see cref="Verify"/> for signatures and roots).</summary>
    /// <exception cref="RecordFormatException">Malformed; the field and rule are named.</exception>
    public static Block Decode(ReadOnlySpan<byte> encoded)
    {
        var copy = encoded.ToArray();
        return Wire.Decode(() =>
        {
            var l = Rlp.Rlp.Decode(copy).AsList("block").Expect("block", 2);
            var batches = l[1].AsList("block.batches").Items.Select((b, i) => SignedBatch.FromRlp(b, $"block.batches[{i}]")).ToList();
            return new Block(SignedHeader.FromRlp(l[0], "block.signedHeader"), batches);
        });
    }
}
