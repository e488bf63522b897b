using Ledger.Protocol.Crypto;
using Ledger.Protocol.Gs1;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;
using Xunit;

namespace Ledger.Protocol.Tests.Records;

public class RecordTests
{
    [Fact]
    public void Samples_CoverEveryKind()
    {
        var kinds = RecordSamples.OneOfEachKind().Select(r => r.Kind).ToHashSet();
        Assert.Equal(Enum.GetValues<RecordKind>().ToHashSet(), kinds);
    }

    [Fact]
    public void EncodeDecode_EveryKind_RoundTripsToSameBytesAndId()
    {
        foreach (var record in RecordSamples.OneOfEachKind())
        {
            var bytes = record.Encode();
            var decoded = LedgerRecord.Decode(bytes);
            Assert.Equal(record.Id, decoded.Id);
            Assert.Equal(bytes, decoded.Encode());
            Assert.Equal(record.Kind, decoded.Kind);
            Assert.Equal(Sha256.Hash(bytes), decoded.Id);
        }
    }

    [Fact]
    public void Constructor_SetsGivenInAnyOrder_ProduceOneCanonicalRecord()
    {
        var a = new CommissionPayload(RecordSamples.Gtin, "L1", "270300", RecordSamples.Site, ["B", "A", "C"]);
        var b = new CommissionPayload(RecordSamples.Gtin, "L1", "270300", RecordSamples.Site, ["C", "B", "A"]);
        var author = RecordSamples.Manufacturer.Address;
        Assert.Equal(new LedgerRecord(author, 0, 0, a).Id, new LedgerRecord(author, 0, 0, b).Id);
    }

    [Theory]
    [InlineData("10614141073465", "payload.gtin", "check-digit")]
    [InlineData("1061414107346", "payload.gtin", "length")]
    [InlineData("1061414107346X", "payload.gtin", "digits")]
    public void Commission_BadGtin_NamesFieldAndRule(string gtin, string field, string rule)
    {
        var ex = Assert.Throws<RecordFormatException>(() => new CommissionPayload(gtin, "L1", "270331", RecordSamples.Site, ["1"]));
        Assert.Equal(field, ex.Field);
        Assert.Equal(rule, ex.Rule);
    }

    [Theory]
    [InlineData("271301", "date")] // month 13
    [InlineData("270230", "date")] // 30 February
    [InlineData("2702", "date")]
    public void Commission_BadExpiry_IsRejected(string expiry, string rule)
    {
        var ex = Assert.Throws<RecordFormatException>(() => new CommissionPayload(RecordSamples.Gtin, "L1", expiry, RecordSamples.Site, ["1"]));
        Assert.Equal("payload.expiry", ex.Field);
        Assert.Equal(rule, ex.Rule);
    }

    [Fact]
    public void Commission_ExpiryDayZeroAndLeapDay_AreAccepted()
    {
        Assert.Equal("270200", new CommissionPayload(RecordSamples.Gtin, "L1", "270200", RecordSamples.Site, ["1"]).Expiry);
        Assert.Equal("280229", new CommissionPayload(RecordSamples.Gtin, "L1", "280229", RecordSamples.Site, ["1"]).Expiry);
    }

    [Theory]
    [InlineData("123456789012345678901", "length")] // 21 characters
    [InlineData("AB CD", "cset82")]
    [InlineData("AB~CD", "cset82")]
    [InlineData("", "length")]
    public void Commission_BadSerial_IsRejected(string serial, string rule)
    {
        var ex = Assert.Throws<RecordFormatException>(() => new CommissionPayload(RecordSamples.Gtin, "L1", "270331", RecordSamples.Site, [serial]));
        Assert.Equal("payload.serials[0]", ex.Field);
        Assert.Equal(rule, ex.Rule);
    }

    [Fact]
    public void Commission_DuplicateSerial_IsRejected()
    {
        var ex = Assert.Throws<RecordFormatException>(() => new CommissionPayload(RecordSamples.Gtin, "L1", "270331", RecordSamples.Site, ["7", "7"]));
        Assert.Equal("duplicate", ex.Rule);
    }

    [Fact]
    public void Recall_BothLotAndSerials_IsRejected()
    {
        Assert.Throws<RecordFormatException>(() => new RecallPayload(RecordSamples.Gtin, "L1", [RecordSamples.Pack("1")], "x"));
        Assert.Throws<RecordFormatException>(() => new RecallPayload(RecordSamples.Gtin, "", [], "x"));
    }

    [Fact]
    public void Decode_UnsortedSet_IsRejectedAsNonCanonical()
    {
        var record = RecordSamples.OneOfEachKind()[0]; // Commission with serials 1001, 1002, 1003
        var rlp = record.ToRlp();
        var payload = (RlpList)rlp[5];
        var serials = ((RlpList)payload[4]).Items.Reverse().ToArray();
        var tampered = RlpItem.List(rlp[0], rlp[1], rlp[2], rlp[3], rlp[4],
            RlpItem.List(payload[0], payload[1], payload[2], payload[3], RlpItem.List(serials)), rlp[6]);
        var ex = Assert.Throws<RecordFormatException>(() => LedgerRecord.Decode(Ledger.Protocol.Rlp.Rlp.Encode(tampered)));
        Assert.Equal("sorted-set", ex.Rule);
        Assert.StartsWith("record.payload.serials", ex.Field, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 2UL, "version")]
    [InlineData(1, 99UL, "kind")]
    public void Decode_UnknownVersionOrKind_IsRejected(int position, ulong value, string rule)
    {
        var rlp = RecordSamples.OneOfEachKind()[0].ToRlp();
        var items = rlp.Items.ToArray();
        items[position] = RlpItem.UInt(value);
        var ex = Assert.Throws<RecordFormatException>(() => LedgerRecord.Decode(Ledger.Protocol.Rlp.Rlp.Encode(RlpItem.List(items))));
        Assert.Equal(rule, ex.Rule);
    }

    [Fact]
    public void Decode_TrailingByteOrTruncation_IsRejected()
    {
        var bytes = RecordSamples.OneOfEachKind()[2].Encode();
        Assert.Throws<RecordFormatException>(() => LedgerRecord.Decode([.. bytes, 0]));
        Assert.Throws<RecordFormatException>(() => LedgerRecord.Decode(bytes.AsSpan(0, bytes.Length - 1)));
    }

    [Fact]
    public void Decode_AnySingleByteFlip_IsRejectedOrChangesTheId()
    {
        foreach (var record in RecordSamples.OneOfEachKind())
        {
            var bytes = record.Encode();
            for (var i = 0; i < bytes.Length; i++)
            {
                var copy = (byte[])bytes.Clone();
                copy[i] ^= 0x01;
                try
                {
                    Assert.NotEqual(record.Id, LedgerRecord.Decode(copy).Id);
                }
                catch (RecordFormatException)
                {
                    // rejected: fine
                }
            }
        }
    }

    [Fact]
    public void ItemId_ParseAndToString_RoundTrip()
    {
        var sgtin = ItemId.Parse("sgtin:10614141073464.A/B-1");
        Assert.Equal("sgtin:10614141073464.A/B-1", sgtin.ToString());
        Assert.Equal("sscc:006141411234567890", ItemId.Parse("sscc:006141411234567890").ToString());
        Assert.Equal("check-digit", Assert.Throws<RecordFormatException>(() => ItemId.Parse("sscc:006141411234567891")).Rule);
        Assert.NotEqual(sgtin.StateKey(), ItemId.Parse("sgtin:10614141073464.A/B-2").StateKey());
    }

    // ---- property tests: random records of every kind round-trip ----

    private static readonly Gen<string> Cset82Gen =
        Gen.Choose(1, 20).SelectMany(n => Gen.Elements("ABCXYZabcxyz0123456789!\"%&'()*+,-./:;<=>?_".ToCharArray()).ArrayOf(n)).Select(c => new string(c));

    private static readonly Gen<string> GtinGen = Gen.Choose(0, 999_999).SelectMany(a => Gen.Choose(0, 9_999_999).Select(b =>
    {
        var body = $"{a:000000}{b:0000000}";
        return body + CheckDigit.Compute(body);
    }));

    private static readonly Gen<ItemId> ItemGen = Gen.OneOf(
        GtinGen.SelectMany(g => Cset82Gen.Select(s => ItemId.Sgtin(g, s))),
        Gen.Choose(0, 99_999_999).Select(n => { var body = $"00614141{n:000000000}"; return ItemId.Sscc(body + CheckDigit.Compute(body)); }));

    private static readonly Gen<Hash32> HashGen = ArbMap.Default.GeneratorFor<byte>().ArrayOf(32).Select(b => new Hash32(b));

    private static Gen<RecordPayload> PayloadGen()
    {
        var items = Gen.Choose(1, 8).SelectMany(n => ItemGen.ArrayOf(n)).Select(a => a.Distinct().ToArray());
        var commission = GtinGen.SelectMany(g => Cset82Gen.SelectMany(lot => Gen.Choose(1, 8).SelectMany(n => Cset82Gen.ArrayOf(n))
            .Select(s => (RecordPayload)new CommissionPayload(g, lot, "291200", RecordSamples.Site, s.Distinct()))));
        var pack = Gen.Choose(2, 8).SelectMany(n => ItemGen.ArrayOf(n)).Select(a => a.Distinct().ToArray()).Where(a => a.Length >= 2)
            .Select(a => (RecordPayload)new PackPayload(a[0], a[1..], RecordSamples.Site));
        var ship = items.SelectMany(i => HashGen.Select(h => (RecordPayload)new ShipPayload(i, RecordSamples.Site,
            new Address(h.ToArray().AsSpan(0, 20)), RecordSamples.WarehouseGln, [new BusinessTransaction("po", h.ToString())])));
        var receive = items.SelectMany(i => HashGen.Select(h => (RecordPayload)new ReceivePayload(h, i, RecordSamples.WarehouseGln,
            [new Discrepancy(i[0], DiscrepancyCode.Missing)])));
        var decommission = items.SelectMany(i => Gen.Choose(1, 8).Select(s => (RecordPayload)new DecommissionPayload(i, (DecommissionState)s, RecordSamples.Site)));
        var observation = items.SelectMany(i => Gen.Choose(-300, 300).Select(v => (RecordPayload)new ObservationPayload(i, RecordSamples.Site,
            [new SensorReading("Temperature", (v / 4m).ToString(System.Globalization.CultureInfo.InvariantCulture), "CEL", RecordSamples.T0)])));
        return Gen.OneOf(commission, pack, ship, receive, decommission, observation);
    }

    [Fact]
    public void EncodeDecode_RandomRecords_RoundTrip()
    {
        var gen = PayloadGen().SelectMany(p => HashGen.ArrayOf(3).Select(deps =>
            new LedgerRecord(RecordSamples.Manufacturer.Address, 42, RecordSamples.T0, p, deps.Distinct())));
        Prop.ForAll(gen.ToArbitrary(), record =>
        {
            var decoded = LedgerRecord.Decode(record.Encode());
            Assert.Equal(record.Id, decoded.Id);
            Assert.Equal(record.Encode(), decoded.Encode());
        }).QuickCheckThrowOnFailure();
    }
}
