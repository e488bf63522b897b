using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Protocol.Tests.Records;
using Xunit;

namespace Ledger.Protocol.Tests.Blocks;

public class BlockTests
{
    internal static Block SampleBlock(PrivateKey nodeKey, out IReadOnlyList<LedgerRecord> records)
    {
        var all = RecordSamples.OneOfEachKind();
        var byManufacturer = all.Where(r => r.Author == RecordSamples.Manufacturer.Address).ToList();
        var byWholesaler = all.Where(r => r.Author == RecordSamples.Wholesaler.Address).ToList();
        var batches = new[] { SignedBatch.Sign(byManufacturer, RecordSamples.Manufacturer), SignedBatch.Sign(byWholesaler, RecordSamples.Wholesaler) };
        records = [.. batches.SelectMany(b => b.Records)];
        var leaves = records.Select(r => MerkleHash.Leaf(r.Id)).ToArray();
        var root = MerkleTree.ComputeRoot(leaves);
        var header = new BlockHeader(nodeKey.Address, 1, Hash32.Zero, RecordSamples.T0 + 60_000, root, leaves.Length, leaves.Length, root,
            Sha256.Hash("state"u8), [new LaneRef(RecordSamples.Key("ledger-test/node-2").Address, 7, Sha256.Hash("head"u8))]);
        return new Block(SignedHeader.Sign(header, nodeKey), batches);
    }

    [Fact]
    public void Verify_HonestBlock_IsValid_AndRoundTrips()
    {
        var block = SampleBlock(RecordSamples.Node, out _);
        Assert.True(block.Verify().IsValid, block.Verify().ToString());
        var bytes = block.Encode();
        var decoded = Block.Decode(bytes);
        Assert.Equal(bytes, decoded.Encode());
        Assert.True(decoded.Verify().IsValid);
        Assert.Equal(block.SignedHeader.Hash(), decoded.SignedHeader.Hash());
    }

    [Fact]
    public void Encode_KeptRecordEncodings_SameBytesAsTheRlpTree()
    {
        // Block and batch encoders copy each record's kept encoding instead of rebuilding its RLP tree: the bytes must be
        // those of the tree, for every record kind, in any grouping of records into batches.
        var all = RecordSamples.OneOfEachKind();
        var random = new Random(7);
        for (var round = 0; round < 50; round++)
        {
            var chosen = all.Where(_ => random.Next(3) > 0).OrderBy(_ => random.Next()).ToList();
            var batches = chosen.GroupBy(r => r.Author)
                .Select(g => SignedBatch.Sign([.. g], g.Key == RecordSamples.Manufacturer.Address ? RecordSamples.Manufacturer : RecordSamples.Wholesaler))
                .ToList();
            foreach (var batch in batches)
                Assert.Equal(Ledger.Protocol.Rlp.Rlp.Encode(batch.ToRlp()), batch.Encode());
            var leaves = batches.SelectMany(b => b.Records).Select(r => MerkleHash.Leaf(r.Id)).ToArray();
            var root = MerkleTree.ComputeRoot(leaves);
            var header = new BlockHeader(RecordSamples.Node.Address, 1, Hash32.Zero, RecordSamples.T0, root, leaves.Length, leaves.Length, root, Sha256.Hash("s"u8));
            var block = new Block(SignedHeader.Sign(header, RecordSamples.Node), batches);
            Assert.Equal(Ledger.Protocol.Rlp.Rlp.Encode(block.ToRlp()), block.Encode());
        }
    }

    [Fact]
    public void Verify_HeaderSignedByAnotherKey_Fails()
    {
        var block = SampleBlock(RecordSamples.Node, out _);
        var forged = block with { SignedHeader = block.SignedHeader with { Signature = RecordSamples.Wholesaler.Sign(block.SignedHeader.Hash()) } };
        Assert.Equal("header-signature", forged.Verify().Code);
    }

    [Fact]
    public void Verify_DroppedBatch_FailsOnTheRecordsCount()
    {
        var block = SampleBlock(RecordSamples.Node, out _);
        var dropped = block with { Batches = [block.Batches[0]] };
        Assert.Equal("records-count", dropped.Verify().Code);
    }

    [Fact]
    public void Header_RulesOnHeightAndParent_AreEnforced()
    {
        var lane = RecordSamples.Node.Address;
        Assert.Throws<RecordFormatException>(() => new BlockHeader(lane, 0, Hash32.Zero, 0, Hash32.Zero, 0, 0, Hash32.Zero, Hash32.Zero));
        Assert.Throws<RecordFormatException>(() => new BlockHeader(lane, 1, Sha256.Hash("x"u8), 0, Hash32.Zero, 0, 0, Hash32.Zero, Hash32.Zero));
        Assert.Throws<RecordFormatException>(() => new BlockHeader(lane, 2, Hash32.Zero, 0, Hash32.Zero, 0, 0, Hash32.Zero, Hash32.Zero));
        Assert.Throws<RecordFormatException>(() => new BlockHeader(lane, 2, Sha256.Hash("p"u8), 0, Hash32.Zero, 0, 0, Hash32.Zero, Hash32.Zero,
            [new LaneRef(lane, 1, Hash32.Zero)]));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 3)]
    [InlineData(4, 3)]
    [InlineData(7, 5)]
    [InlineData(10, 7)]
    public void Quorum_IsTwoThirdsPlusOne(int n, int q) => Assert.Equal(q, Certificate.Quorum(n));

    [Fact]
    public void Certificate_QuorumOfFour_NeedsThreeValidConsortiumCosignatures()
    {
        var keys = Enumerable.Range(1, 4).Select(i => RecordSamples.Key($"ledger-test/node-{i}")).ToArray();
        var nodes = keys.Select(k => k.Address).ToHashSet();
        var header = SampleBlock(keys[0], out _).SignedHeader.Header;
        Certificate Cert(IEnumerable<PrivateKey> signers) => new(header.Lane, header.Height, header.Hash(), signers.Select(k => Cosignature.Create(header, k)));

        Assert.True(Cert(keys.Take(3)).Verify(header, nodes).IsValid);
        Assert.Equal("quorum", Cert(keys.Take(2)).Verify(header, nodes).Code);
        // A consortium file may set a higher quorum (4 of 4): three cosignatures are then not enough.
        Assert.Equal("quorum", Cert(keys.Take(3)).Verify(header, nodes, quorum: 4).Code);
        Assert.True(Cert(keys).Verify(header, nodes, quorum: 4).IsValid);
        var outsider = RecordSamples.Key("ledger-test/outsider");
        Assert.Equal("cosigner-unknown", Cert([keys[0], keys[1], outsider]).Verify(header, nodes).Code);

        var good = Cert(keys.Take(3));
        var bytes = good.Encode();
        Assert.Equal(bytes, Certificate.Decode(bytes).Encode());
        // a cosignature on another header does not count
        var wrong = new Certificate(header.Lane, header.Height, header.Hash(),
            [.. good.Cosignatures.Where(c => c.Node != keys[2].Address), new Cosignature(keys[2].Address, keys[2].Sign(Sha256.Hash("other"u8)))]);
        Assert.Equal("cosignature", wrong.Verify(header, nodes).Code);
        Assert.Throws<RecordFormatException>(() => new Certificate(header.Lane, 1, header.Hash(), [good.Cosignatures[0], good.Cosignatures[0]]));
    }
}
