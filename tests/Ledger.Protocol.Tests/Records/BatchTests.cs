using Ledger.Protocol.Crypto;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Xunit;

namespace Ledger.Protocol.Tests.Records;

public class BatchTests
{
    private static IReadOnlyList<LedgerRecord> Commissions(int count, PrivateKey key) =>
        [.. Enumerable.Range(0, count).Select(i => new LedgerRecord(key.Address, (ulong)i, RecordSamples.T0,
            new CommissionPayload(RecordSamples.Gtin, "LOT-B", "271231", RecordSamples.Site, [$"S{i}"])))];

    [Fact]
    public void Sign_ManyRecords_OneSignatureVerifiesAndEverySealVerifies()
    {
        var records = Commissions(37, RecordSamples.Manufacturer);
        var batch = SignedBatch.Sign(records, RecordSamples.Manufacturer);
        Assert.True(batch.Verify().IsValid, batch.Verify().ToString());
        for (var i = 0; i < records.Count; i++)
        {
            var seal = batch.SealFor(i);
            Assert.True(seal.Verify(records[i]).IsValid);
            // a seal proves only its own record
            var other = records[(i + 1) % records.Count];
            Assert.Equal("seal-inclusion", seal.Verify(other).Code);
        }
    }

    [Fact]
    public void Sign_SingleRecord_IsABatchOfOneWithEmptyProof()
    {
        var record = Commissions(1, RecordSamples.Manufacturer)[0];
        var batch = SignedBatch.Sign([record], RecordSamples.Manufacturer);
        var seal = batch.SealFor(0);
        Assert.Empty(seal.Proof.Path);
        Assert.Equal(MerkleHash.Leaf(record.Id), batch.Header.Root);
        Assert.True(seal.Verify(record).IsValid);
    }

    [Fact]
    public void Sign_RecordOfAnotherAuthor_IsRejected()
    {
        var records = Commissions(2, RecordSamples.Manufacturer);
        var ex = Assert.Throws<RecordFormatException>(() => SignedBatch.Sign(records, RecordSamples.Wholesaler));
        Assert.Equal("records[0].author", ex.Field);
    }

    [Fact]
    public void Verify_SwappedRecords_FailsOnTheRoot()
    {
        var batch = SignedBatch.Sign(Commissions(4, RecordSamples.Manufacturer), RecordSamples.Manufacturer);
        var swapped = SignedBatch.FromParts(batch.Header, batch.Signature, [batch.Records[1], batch.Records[0], batch.Records[2], batch.Records[3]]);
        Assert.Equal("batch-root", swapped.Verify().Code);
        var dropped = SignedBatch.FromParts(batch.Header, batch.Signature, batch.Records.Take(3).ToList());
        Assert.Equal("batch-size", dropped.Verify().Code);
    }

    [Fact]
    public void Verify_SignatureByAnotherKey_FailsNamingTheSigner()
    {
        var records = Commissions(3, RecordSamples.Manufacturer);
        var honest = SignedBatch.Sign(records, RecordSamples.Manufacturer);
        var forged = SignedBatch.FromParts(honest.Header, RecordSamples.Wholesaler.Sign(honest.Header.Hash()), records);
        var result = forged.Verify();
        Assert.Equal("batch-signature", result.Code);
        Assert.Contains(RecordSamples.Wholesaler.Address.ToString(), result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EncodeDecode_SignedBatch_RoundTripsAndStillVerifies()
    {
        var batch = SignedBatch.Sign(Commissions(5, RecordSamples.Manufacturer), RecordSamples.Manufacturer);
        var bytes = batch.Encode();
        var decoded = SignedBatch.Decode(bytes);
        Assert.Equal(bytes, decoded.Encode());
        Assert.True(decoded.Verify().IsValid);
    }

    [Fact]
    public void Seal_EveryFlippedBitInPathOrIndex_FailsVerification()
    {
        var records = Commissions(9, RecordSamples.Manufacturer);
        var batch = SignedBatch.Sign(records, RecordSamples.Manufacturer);
        var seal = batch.SealFor(5);
        for (var p = 0; p < seal.Proof.Path.Length; p++)
        {
            for (var bit = 0; bit < 256; bit += 37)
            {
                var bytes = seal.Proof.Path[p].ToArray();
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                var path = (Hash32[])seal.Proof.Path.Clone();
                path[p] = new Hash32(bytes);
                var tampered = seal with { Proof = seal.Proof with { Path = path } };
                Assert.False(tampered.Verify(records[5]).IsValid);
            }
        }
        var moved = seal with { Proof = seal.Proof with { LeafIndex = 4 } };
        Assert.False(moved.Verify(records[5]).IsValid);
    }
}
