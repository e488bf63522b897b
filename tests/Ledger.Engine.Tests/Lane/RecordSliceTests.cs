using FsCheck;
using FsCheck.Fluent;
using Ledger.Engine.Lane;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Storage.Segments;
using Xunit;
using static Ledger.Engine.Tests.Lane.LaneFixture;

namespace Ledger.Engine.Tests.Lane;

/// <summary>Provenance reads one record's slice of its block and its batch's stored tree (batch-trees), or falls back.</summary>
public sealed class RecordSliceTests
{
    private static CommissionPayload Commission(string lot, params string[] serials) => new(Gtin, lot, "281231", MakerGln, serials);

    private static Hash32 LeafOf(int seed, int i) => Sha256.Hash(BitConverter.GetBytes((seed * 1_000) + i));

    /// <summary>A batch's stored tree as the reader sees it: the entry, plus the chunk a record needs (version 2).</summary>
    private static BatchTree Read(List<(byte[] Key, byte[] Value)> entries, int index)
    {
        var tree = BatchTree.Decode(entries[0].Value);
        if (tree.ChunkFor(index) is { } chunk)
            tree.AddChunk(chunk, entries.Single(e => e.Key.AsSpan().SequenceEqual(BatchTree.ChunkKey(7, 3, chunk))).Value);
        return tree;
    }

    [Fact]
    public void BatchTreeSealFor_BothVersions_RandomSizesEveryIndex_EqualsMerkleTreeProof()
    {
        var signature = Maker.Sign(Sha256.Hash("batch"u8));
        var cases = Gen.Choose(1, 300).SelectMany(n => Gen.Choose(0, 1_000_000).Select(seed => (N: n, Seed: seed)));
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var leaves = Enumerable.Range(0, c.N).Select(i => LeafOf(c.Seed, i)).ToArray();
            var header = new BatchHeader(Maker.Address, c.N, MerkleTree.ComputeRoot(leaves));
            var entries = BatchTree.Entries(7, 3, header, signature, leaves);
            if (entries.Count != 1 + c.N / BatchTree.ChunkLeaves || !entries[0].Key.AsSpan().SequenceEqual(BatchTree.Key(7, 3)))
                return false;
            var version1 = BatchTree.Decode(BatchTree.EncodeVersion1(header, signature, c.N, BatchTree.BuildNodes(leaves)));
            for (var i = 0; i < c.N; i++)
            {
                var expected = MerkleTree.CreateInclusionProof(leaves, i);
                foreach (var tree in new[] { version1, Read(entries, i) })
                {
                    var seal = tree.SealFor(i);
                    if (seal.Proof.LeafIndex != i || seal.Proof.TreeSize != c.N || !seal.Proof.Path.SequenceEqual(expected.Path)
                        || !MerkleTree.VerifyInclusion(seal.Proof, leaves[i], header.Root).IsValid)
                        return false;
                }
            }
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(100));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(200)]
    [InlineData(1_000)]
    public void BatchTreeVersion2_ReadsAtMostOneChunkOfFourKilobytes_AndNeedsIt(int n)
    {
        var leaves = Enumerable.Range(0, n).Select(i => LeafOf(2, i)).ToArray();
        var header = new BatchHeader(Maker.Address, n, MerkleTree.ComputeRoot(leaves));
        var entries = BatchTree.Entries(7, 3, header, Maker.Sign(Sha256.Hash("b"u8)), leaves);
        Assert.All(entries.Skip(1), e => Assert.Equal(BatchTree.ChunkNodes * Hash32.Length, e.Value.Length));
        Assert.True(entries[0].Value.Length < 6_000, $"the entry of a batch of {n} holds {entries[0].Value.Length} bytes");
        var tree = BatchTree.Decode(entries[0].Value);
        Assert.Equal(2, tree.Version);
        Assert.Equal(0L, tree.ChunkFor(0));
        Assert.Equal((n / BatchTree.ChunkLeaves) * BatchTree.ChunkLeaves > 70 ? 1L : null, tree.ChunkFor(70));
        // Without its chunk, a record in a full chunk has no seal (the store reports the missing chunk).
        Assert.Throws<InvalidOperationException>(() => tree.SealFor(0));
        Assert.Throws<Ledger.Protocol.Rlp.RlpException>(() => tree.AddChunk(0, new byte[100]));
    }

    [Fact]
    public void BatchTreeSealFor_SignedBatch_EqualsSealForAndVerifies()
    {
        var nonce = 0UL;
        var records = Enumerable.Range(0, 137).Select(i => new LedgerRecord(Maker.Address, ++nonce, T0 + i, Commission("T", "T" + i))).ToList();
        var batch = SignedBatch.Sign(records, Maker);
        var leaves = records.Select(r => MerkleHash.Leaf(r.Id)).ToArray();
        var entries = BatchTree.Entries(7, 3, batch.Header, batch.Signature, leaves);
        var version1 = BatchTree.Decode(BatchTree.EncodeVersion1(batch));
        for (var i = 0; i < records.Count; i++)
        {
            foreach (var tree in new[] { version1, Read(entries, i) })
            {
                var seal = tree.SealFor(i);
                var expected = batch.SealFor(i);
                Assert.Equal(expected.Header.Hash(), seal.Header.Hash());
                Assert.Equal(expected.Signature, seal.Signature);
                Assert.Equal(expected.Proof.Path, seal.Proof.Path);
                Assert.True(seal.Verify(records[i]).IsValid, $"record {i}");
            }
        }
    }

    [Fact]
    public void BatchTreeDecode_NodesOfTheWrongLength_IsRejected()
    {
        var leaves = Enumerable.Range(0, 5).Select(i => LeafOf(1, i)).ToArray();
        var header = new BatchHeader(Maker.Address, 5, MerkleTree.ComputeRoot(leaves));
        var nodes = BatchTree.BuildNodes(leaves);
        Assert.Equal(5 + 2 + 1, nodes.Length / Hash32.Length);
        var bytes = BatchTree.EncodeVersion1(header, Maker.Sign(Sha256.Hash("b"u8)), 5, nodes[..^Hash32.Length]);
        Assert.Throws<Ledger.Protocol.Rlp.RlpException>(() => BatchTree.Decode(bytes));
        var signature = Maker.Sign(Sha256.Hash("b"u8));
        var shortTail = Ledger.Protocol.Rlp.Rlp.Encode(Ledger.Protocol.Rlp.RlpItem.List(Ledger.Protocol.Rlp.RlpItem.UInt(2), header.ToRlp(),
            Ledger.Protocol.Rlp.RlpItem.BytesNoCopy(signature.ToBytes()), Ledger.Protocol.Rlp.RlpItem.UInt(5),
            Ledger.Protocol.Rlp.RlpItem.BytesNoCopy([]), Ledger.Protocol.Rlp.RlpItem.BytesNoCopy(new byte[7 * Hash32.Length])));
        var e = Assert.Throws<Ledger.Protocol.Rlp.RlpException>(() => BatchTree.Decode(shortTail));
        Assert.Contains("tail", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Three batches of 4, 5 and 6 commission records submitted together (they may share a block), then one more block.</summary>
    private static async Task<List<(ItemId Item, int Batch)>> CommitBatchesAsync(LaneFixture f)
    {
        var items = new List<(ItemId Item, int Batch)>();
        var submissions = new List<Task<SubmitResult>>();
        for (var b = 0; b < 3; b++)
        {
            var serials = Enumerable.Range(0, 4 + b).Select(i => $"S{b}-{i}").ToArray();
            items.AddRange(serials.Select(s => (Pack(s), b)));
            submissions.Add(f.Submit(Maker, [.. serials.Select(s => Commission("LOT" + b, s))])); // one record per item
        }
        foreach (var result in await Task.WhenAll(submissions))
            Assert.True(result.Accepted, result.Outcomes[0].Message);
        Assert.Equal(items.Count, items.Select(x => f.Engine.Store.GetHistory(x.Item)[0]).Distinct().Count());
        // A later block, so that the blocks above are not the last committed frame (which Open verifies whole).
        Assert.True((await f.Submit(Maker, Commission("LAST", "Z1"))).Accepted);
        return items;
    }

    private static void AssertProvenanceVerifies(LaneFixture f, IEnumerable<ItemId> items)
    {
        foreach (var item in items)
        {
            var answer = f.Engine.GetProvenance(item);
            var entry = Assert.Single(answer.Records);
            Assert.True(entry.Seal.Verify(entry.Record).IsValid, $"seal of {item}");
            Assert.Equal(answer.StateProof!.Leaf!.Value.Value, entry.Record.Id);
            Assert.True(MerkleTree.VerifyInclusion(entry.Proof, MerkleHash.Leaf(entry.Record.Id), answer.Header!.Header.LogRoot).IsValid, $"proof of {item}");
        }
    }

    [Fact]
    public async Task GetProvenance_ABatchOfFullChunksAndATail_EveryRecordsSealComesFromTheStoredTreeAndVerifies()
    {
        await using var f = new LaneFixture(new LaneOptions { BlockCacheSize = 0 });
        var serials = Enumerable.Range(0, 150).Select(i => "C" + i).ToArray();
        Assert.True((await f.Submit(Maker, [.. serials.Select(x => Commission("CH", x))])).Accepted);
        Assert.True((await f.Submit(Maker, Commission("LAST", "Z1"))).Accepted);
        await f.ReopenAsync();
        var location = f.Engine.Store.FindRecord(f.Engine.Store.GetHistory(Pack("C0"))[0])!.Value;
        Assert.Equal(2, BatchTree.Decode(f.Engine.Store.Get(LaneStore.BatchTrees, f.Engine.Store.LaneKey(BatchTree.Key(location.Height, location.Batch)))!).Version);
        Assert.NotNull(f.Engine.Store.Get(LaneStore.BatchTrees, f.Engine.Store.LaneKey(BatchTree.ChunkKey(location.Height, location.Batch, 1))));
        Assert.Null(f.Engine.Store.Get(LaneStore.BatchTrees, f.Engine.Store.LaneKey(BatchTree.ChunkKey(location.Height, location.Batch, 2)))); // 128..149: the tail
        AssertProvenanceVerifies(f, serials.Select(Pack));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    public async Task GetProvenance_SeveralMultiRecordBatches_ReadsSlicesAndStoredTreesAndVerifies(int blockCacheSize)
    {
        await using var f = new LaneFixture(new LaneOptions { BlockCacheSize = blockCacheSize });
        var items = await CommitBatchesAsync(f);
        await f.ReopenAsync(); // nothing cached: records come from segment slices (or blocks decoded afresh)
        foreach (var (item, _) in items)
        {
            var id = f.Engine.Store.GetHistory(item)[0];
            var location = f.Engine.Store.FindRecord(id)!.Value;
            Assert.True(location.Length > 0, $"the records entry of {item} has no span");
            Assert.NotNull(f.Engine.Store.Get(LaneStore.BatchTrees, f.Engine.Store.LaneKey(BatchTree.Key(location.Height, location.Batch))));
        }
        AssertProvenanceVerifies(f, items.Select(x => x.Item));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    public async Task GetProvenance_RecordsValuesOf24BytesAndNoBatchTrees_AnswersThroughTheFallback(int blockCacheSize)
    {
        await using var f = new LaneFixture(new LaneOptions { BlockCacheSize = blockCacheSize });
        var items = await CommitBatchesAsync(f);
        var store = f.Engine.Store;
        // Rewrite the store as one written before record spans and batch trees existed.
        foreach (var (item, _) in items)
        {
            var id = store.GetHistory(item)[0];
            var key = id.ToArray();
            var old = store.Get(LaneStore.Records, key)!;
            Assert.Equal(36, old.Length);
            store.Db.Put(store[LaneStore.Records], key, old.AsSpan(4, 24), sync: false); // a 24-byte value of format 1: the own lane's
            var location = store.FindRecord(id)!.Value;
            Assert.Equal(0, location.Length);
            store.Db.Delete(store[LaneStore.BatchTrees], store.LaneKey(BatchTree.Key(location.Height, location.Batch)), sync: false);
        }
        AssertProvenanceVerifies(f, items.Select(x => x.Item));
        await f.ReopenAsync();
        AssertProvenanceVerifies(f, items.Select(x => x.Item));
    }

    [Theory]
    [InlineData(false)] // a byte in the middle of the encoding: the record no longer decodes
    [InlineData(true)] // the first letter of the item's serial, S to R: the record decodes, with another id
    public async Task GetProvenance_ByteFlippedInsideTheRecordsSlice_ThrowsNamingTheHeight(bool inSerial)
    {
        var options = new LaneOptions { BlockCacheSize = 0 };
        var f = new LaneFixture(options);
        ItemId victim;
        RecordLocation location;
        BlockLocation block;
        try
        {
            var items = await CommitBatchesAsync(f);
            victim = items[^1].Item;
            var store = f.Engine.Store;
            location = store.FindRecord(store.GetHistory(victim)[0])!.Value;
            block = BlockLocationCodec.Decode(store.Get(LaneStore.Blocks, store.HeightKey(location.Height))!);
        }
        finally
        {
            await f.Engine.DisposeAsync();
        }
        var path = Path.Combine(f.Directory, "blocks", SegmentFormat.FileName(block.Segment));
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            var start = block.Offset + SegmentFormat.FrameHeaderSize + location.Offset;
            var slice = new byte[location.Length];
            file.Position = start;
            file.ReadExactly(slice);
            var at = inSerial
                ? slice.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(victim.Serial))
                : location.Length / 2;
            Assert.True(at >= 0, "the serial is not in the record's slice");
            file.Position = start + at;
            file.WriteByte((byte)(slice[at] ^ 0x01));
        }
        await using var reopened = new LaneFixture(options, f.Directory);
        var e = Assert.Throws<StoreDamagedException>(() => reopened.Engine.GetProvenance(victim));
        Assert.Contains($"height {location.Height}", e.Message, StringComparison.Ordinal);
        Assert.Equal(location.Height, e.Height);
        // The damage raises the alert and stops writes.
        Assert.Equal(LaneWriteStatus.Damaged, reopened.Engine.WriteState.Status);
    }
}
