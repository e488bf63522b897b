using FsCheck;
using FsCheck.Fluent;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Protocol.Tests.Records;
using Xunit;

namespace Ledger.Protocol.Tests.Blocks;

public class BlockReaderTests
{
    /// <summary>A block of batches of the given sizes: commissions of distinct serials, alternating two authors.</summary>
    private static Block BlockOf(int[] sizes)
    {
        var serial = 0;
        var batches = sizes.Select((n, b) =>
        {
            var key = b % 2 == 0 ? RecordSamples.Manufacturer : RecordSamples.Wholesaler;
            var records = Enumerable.Range(0, n).Select(_ => new LedgerRecord(key.Address, (ulong)++serial, RecordSamples.T0,
                new CommissionPayload(RecordSamples.Gtin, "L" + b, "301231", "0614141000005", ["R" + serial]))).ToList();
            return SignedBatch.Sign(records, key);
        }).ToList();
        var leaves = batches.SelectMany(b => b.Records).Select(r => MerkleHash.Leaf(r.Id)).ToArray();
        var root = MerkleTree.ComputeRoot(leaves);
        var header = new BlockHeader(RecordSamples.Node.Address, 1, Hash32.Zero, RecordSamples.T0, root, leaves.Length, leaves.Length, root, Sha256.Hash("s"u8));
        return new Block(SignedHeader.Sign(header, RecordSamples.Node), batches);
    }

    [Fact]
    public void ReadRecord_EveryRecordOfRandomBlocks_EqualsFullDecodeAndSealFor()
    {
        var sizes = Gen.ArrayOf(Gen.Choose(1, 40)).Where(a => a.Length is > 0 and <= 6);
        Prop.ForAll(sizes.ToArbitrary(), s =>
        {
            var block = BlockOf(s);
            var encoded = block.Encode();
            var decoded = Block.Decode(encoded);
            for (var b = 0; b < decoded.Batches.Count; b++)
                for (var i = 0; i < decoded.Batches[b].Records.Count; i++)
                {
                    var (record, seal) = BlockReader.ReadRecord(encoded, b, i);
                    var expected = decoded.Batches[b].SealFor(i);
                    if (record.Id != decoded.Batches[b].Records[i].Id || !record.Encoded.SequenceEqual(decoded.Batches[b].Records[i].Encoded)
                        || seal.Header.Hash() != expected.Header.Hash() || seal.Signature != expected.Signature
                        || seal.Proof.LeafIndex != expected.Proof.LeafIndex || seal.Proof.TreeSize != expected.Proof.TreeSize
                        || !seal.Proof.Path.SequenceEqual(expected.Proof.Path) || !seal.Verify(record).IsValid)
                        return false;
                }
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(60));
    }

    [Theory]
    [InlineData(2, 0, "block.batches[2]")]
    [InlineData(-1, 0, "block.batches[-1]")]
    [InlineData(1, 3, "block.batches[1].records[3]")]
    public void ReadRecord_NoSuchBatchOrRecord_NamesIt(int batch, int index, string field)
    {
        var encoded = BlockOf([2, 3]).Encode();
        var e = Assert.Throws<RecordFormatException>(() => BlockReader.ReadRecord(encoded, batch, index));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void ReadRecord_TruncatedBlock_IsAFormatError()
    {
        var encoded = BlockOf([3]).Encode();
        Assert.Throws<RecordFormatException>(() => BlockReader.ReadRecord(encoded.AsSpan(0, encoded.Length - 5), 0, 0));
    }

    [Fact]
    public void RecordSpans_RandomBlocks_EverySpanHoldsItsRecordsEncoding()
    {
        var sizes = Gen.ArrayOf(Gen.Choose(1, 40)).Where(a => a.Length is > 0 and <= 6);
        Prop.ForAll(sizes.ToArbitrary(), s =>
        {
            var block = BlockOf(s);
            var encoded = block.Encode();
            var spans = BlockReader.RecordSpans(encoded);
            if (spans.Length != block.Batches.Count)
                return false;
            for (var b = 0; b < spans.Length; b++)
            {
                if (spans[b].Length != block.Batches[b].Records.Count)
                    return false;
                for (var i = 0; i < spans[b].Length; i++)
                {
                    var bytes = encoded.AsSpan(spans[b][i].Offset, spans[b][i].Length);
                    if (!bytes.SequenceEqual(block.Batches[b].Records[i].Encoded) || Sha256.Hash(bytes) != block.Batches[b].Records[i].Id)
                        return false;
                }
            }
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(60));
    }

    [Fact]
    public void RecordSpans_TruncatedBlock_IsAFormatError()
    {
        var encoded = BlockOf([3, 2]).Encode();
        Assert.Throws<RecordFormatException>(() => BlockReader.RecordSpans(encoded.AsSpan(0, encoded.Length - 5)));
    }
}
