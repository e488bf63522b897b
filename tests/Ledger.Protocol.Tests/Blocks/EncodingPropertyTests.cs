using FsCheck;
using FsCheck.Fluent;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Records;
using Ledger.Protocol.Tests.Records;
using Xunit;

namespace Ledger.Protocol.Tests.Blocks;

/// <summary>Every wire type of docs/spec/records.md round-trips through its encoder and decoder, and the decoder rejects any change that breaks a rule.</summary>
public class EncodingPropertyTests
{
    private static readonly Gen<Hash32> HashGen = ArbMap.Default.GeneratorFor<byte>().ArrayOf(32).Select(b => new Hash32(b));
    private static readonly Gen<Address> AddressGen = ArbMap.Default.GeneratorFor<byte>().ArrayOf(20).Select(b => new Address(b));
    private static readonly Gen<long> Positive = ArbMap.Default.GeneratorFor<uint>().Select(u => (long)u + 1);

    private static readonly Gen<BlockHeader> HeaderGen =
        from lane in AddressGen
        from height in Positive
        from parent in HashGen
        from time in Positive
        from roots in HashGen.ArrayOf(3)
        from count in Gen.Choose(0, 1000)
        from extra in Positive
        from refs in Gen.Choose(0, 4).SelectMany(n => AddressGen.SelectMany(a => Positive.SelectMany(h => HashGen.Select(x => new LaneRef(a, h, x)))).ArrayOf(n))
        select new BlockHeader(lane, height, height == 1 ? Hash32.Zero : parent, time, roots[0], count, count + extra, roots[1], roots[2],
            refs.Where(r => r.Lane != lane).DistinctBy(r => r.Lane));

    [Fact]
    public void BlockHeader_EncodeDecode_RoundTrips()
    {
        Prop.ForAll(HeaderGen.ToArbitrary(), header =>
        {
            var bytes = header.Encode();
            var decoded = BlockHeader.Decode(bytes);
            Assert.Equal(bytes, decoded.Encode());
            Assert.Equal(header.Hash(), decoded.Hash());
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void SignedHeader_AnyFlippedBit_FailsDecodeOrVerification()
    {
        var key = RecordSamples.Node;
        Prop.ForAll(HeaderGen.ToArbitrary(), ArbMap.Default.ArbFor<int>(), (h, bit) =>
        {
            var header = new BlockHeader(key.Address, h.Height, h.Parent, h.TimeMs, h.RecordsRoot, h.RecordCount, h.LogSize, h.LogRoot, h.StateRoot, h.Refs);
            var bytes = SignedHeader.Sign(header, key).Encode();
            Assert.True(SignedHeader.Decode(bytes).Verify().IsValid);
            var i = (int)((uint)bit % (uint)(bytes.Length * 8));
            bytes[i / 8] ^= (byte)(1 << (i % 8));
            try
            {
                Assert.False(SignedHeader.Decode(bytes).Verify().IsValid);
            }
            catch (FormatException)
            {
                // rejected by the decoder: fine
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Certificate_EncodeDecode_RoundTrips()
    {
        var keys = Enumerable.Range(1, 7).Select(i => RecordSamples.Key($"ledger-test/node-{i}")).ToArray();
        Prop.ForAll(HeaderGen.ToArbitrary(), Gen.Choose(1, 7).ToArbitrary(), (header, n) =>
        {
            var cert = new Certificate(header.Lane, header.Height, header.Hash(), keys.Take(n).Select(k => Cosignature.Create(header, k)));
            var bytes = cert.Encode();
            var decoded = Certificate.Decode(bytes);
            Assert.Equal(bytes, decoded.Encode());
            Assert.Equal(n >= Certificate.Quorum(7), decoded.Verify(header, keys.Select(k => k.Address).ToHashSet()).IsValid);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void RecordSeal_EncodeDecode_RoundTripsAndVerifies()
    {
        var key = RecordSamples.Manufacturer;
        Prop.ForAll(Gen.Choose(1, 40).ToArbitrary(), ArbMap.Default.ArbFor<int>(), (size, pick) =>
        {
            var records = Enumerable.Range(0, size).Select(i => new LedgerRecord(key.Address, (ulong)i, RecordSamples.T0,
                new WithdrawPayload(RecordSamples.Gtin, $"L{i}", "test"))).ToList();
            var batch = SignedBatch.Sign(records, key);
            var index = (int)((uint)pick % (uint)size);
            var seal = batch.SealFor(index);
            var bytes = Ledger.Protocol.Rlp.Rlp.Encode(seal.ToRlp());
            var decoded = RecordSeal.FromRlp(Ledger.Protocol.Rlp.Rlp.Decode(bytes), "seal");
            Assert.Equal(bytes, Ledger.Protocol.Rlp.Rlp.Encode(decoded.ToRlp()));
            Assert.True(decoded.Verify(records[index]).IsValid);
        }).QuickCheckThrowOnFailure();
    }
}
