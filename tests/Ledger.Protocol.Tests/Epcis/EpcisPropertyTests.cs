using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Protocol.Epcis;
using Ledger.Protocol.Epcis.Hashing;
using Xunit;

namespace Ledger.Protocol.Tests.Epcis;

/// <summary>FsCheck: write → read is the identity on the model and keeps hash IDs, for all three bindings.</summary>
public class EpcisPropertyTests
{
    private const string Ext = "https://ns.example.com/epcis/";

    private static Gen<string> Digits(int n) => Gen.Choose(0, 9).ArrayOf(n).Select(a => string.Concat(a));

    private static readonly Gen<string> Word = Gen.Elements("a", "B", "x1", "lot-7", "Z&Z", "ü", "42", "0.50", "A B").ArrayOf()
        .Select(a => "v" + string.Concat(a));

    private static readonly Gen<string> Epc = Gen.OneOf(
        from gcp in Digits(7) from item in Digits(6) from serial in Word select $"urn:epc:id:sgtin:{gcp}.{item}.{serial.Replace(" ", "", StringComparison.Ordinal).Replace("&", "", StringComparison.Ordinal).Replace("ü", "u", StringComparison.Ordinal)}",
        from gcp in Digits(7) from serial in Digits(10) select $"urn:epc:id:sscc:{gcp}.{serial}",
        from gtin in Digits(14) from serial in Digits(5) select $"https://id.gs1.org/01/{gtin}/21/{serial}");

    private static readonly Gen<DateTimeOffset> Time =
        from seconds in Gen.Choose(0, 1_500_000_000)
        from ticks in Gen.Choose(0, 9_999_999)
        from offsetQuarter in Gen.Choose(-14 * 4, 14 * 4)
        select new DateTimeOffset(new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(seconds).AddTicks(ticks))
            .ToOffset(TimeSpan.FromMinutes(offsetQuarter * 15));

    private static readonly Gen<QuantityElement> Quantity =
        from gcp in Digits(7) from item in Digits(6) from lot in Digits(4)
        from units in Gen.Choose(0, 100_000) from scale in Gen.Choose(0, 3) from hasUom in Gen.Elements(true, false)
        select new QuantityElement($"urn:epc:class:lgtin:{gcp}.{item}.L{lot}", new decimal(units, 0, 0, false, (byte)scale), hasUom ? "KGM" : null);

    private static readonly Gen<string?> BizStep = Gen.OneOf(
        Gen.Elements("commissioning", "packing", "shipping", "receiving", "dispensing", "decommissioning", "destroying")
            .Select(s => (string?)(Cbv.WebBase + "BizStep-" + s)),
        Gen.Constant((string?)"https://example.com/vocab/bizstep/weighing"),
        Gen.Constant((string?)null));

    private static readonly Gen<string?> Disposition = Gen.OneOf(
        Gen.Elements("active", "in_progress", "in_transit", "dispensed", "inactive", "destroyed", "recalled")
            .Select(s => (string?)(Cbv.WebBase + "Disp-" + s)),
        Gen.Constant((string?)null));

    private static readonly Gen<BizTransaction> BizTx =
        from type in Gen.Elements<string?>(null, "po", "inv", "desadv", "https://example.com/btt/contract")
        from id in Digits(6)
        select new BizTransaction("urn:epcglobal:cbv:bt:0614141000005:" + id,
            type is null ? null : type.Contains(':', StringComparison.Ordinal) ? type : Cbv.WebBase + "BTT-" + type);

    private static readonly Gen<SourceDestination> Party =
        from type in Gen.Elements("owning_party", "possessing_party", "location")
        from gln in Digits(12)
        select new SourceDestination(Cbv.WebBase + "SDT-" + type, "urn:epc:id:pgln:" + gln[..7] + "." + gln[7..]);

    private static readonly Gen<EpcisExtension> Leaf =
        from name in Gen.Elements("a", "b", "c", "d")
        from kind in Gen.Elements(EpcisValueKind.String, EpcisValueKind.Number, EpcisValueKind.Boolean, EpcisValueKind.Null)
        from text in Word
        from number in Gen.Choose(-5000, 5000)
        from flag in Gen.Elements("true", "false")
        select new EpcisExtension
        {
            Namespace = Ext, LocalName = name, Kind = kind,
            Value = kind switch
            {
                EpcisValueKind.String => text,
                EpcisValueKind.Number => (number / 100m).ToString(CultureInfo.InvariantCulture),
                EpcisValueKind.Boolean => flag,
                _ => null,
            },
        };

    private static Gen<EpcisList<EpcisExtension>> UniqueNames(Gen<EpcisExtension> gen, int max) =>
        gen.ListOf().Select(l => EpcisList.From(l.GroupBy(x => x.LocalName).Select(g => g.First()).Take(max)));

    private static readonly Gen<EpcisList<EpcisExtension>> Extensions = Gen.OneOf(
        UniqueNames(Leaf, 3),
        from leaves in UniqueNames(Leaf, 3)
        select EpcisList.From(new[] { EpcisExtension.Object(Ext, "nested", [.. leaves]) }.Where(_ => !leaves.IsEmpty)));

    private static readonly Gen<EpcisList<EpcisExtension>> Ilmd =
        from lot in Word from exp in Time from withLot in Gen.Elements(true, false)
        select withLot
            ? EpcisList.From(new[] { EpcisExtension.Text(EpcisIlmd.CbvMdaNamespace, "lotNumber", lot), EpcisExtension.Text(EpcisIlmd.CbvMdaNamespace, "itemExpirationDate", exp.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) })
            : [];

    private static readonly Gen<SensorElement> Sensor =
        from t in Time
        from values in Gen.Choose(-4000, 4000).Select(v => v / 100.0).ListOf()
        from device in Digits(10)
        select new SensorElement
        {
            Metadata = new SensorMetadata { Time = t, DeviceId = "urn:epc:id:giai:4000001." + device },
            Reports = EpcisList.From(values.DefaultIfEmpty(21.5).Select(v => new SensorReport { Type = Cbv.Gs1VocBase + "Temperature", Value = v, Uom = "CEL" })),
        };

    private static Gen<EpcisEvent> Event(bool only12) =>
        from kind in Gen.Choose(0, only12 ? 3 : 4)
        from time in Time
        from recordTime in Gen.OneOf(Gen.Constant((DateTimeOffset?)null), Time.Select(t => (DateTimeOffset?)t))
        from epcs in Epc.ListOf()
        from more in Epc.NonEmptyListOf()
        from quantities in Quantity.ListOf()
        from action in Gen.Elements(EpcisAction.Add, EpcisAction.Observe, EpcisAction.Delete)
        from bizStep in BizStep
        from disposition in Disposition
        from txs in BizTx.ListOf()
        from tx in BizTx
        from sources in Party.ListOf()
        from destinations in Party.ListOf()
        from ilmd in Ilmd
        from ext in Extensions
        from sensors in only12 ? Gen.Constant(new List<SensorElement>()) : Sensor.ListOf().Select(l => l.ToList())
        from withId in Gen.Elements(true, false)
        from gln in Digits(12)
        select Build(kind, time, recordTime, [.. epcs], [.. more], [.. quantities], action, bizStep, disposition, [.. txs], tx,
            [.. sources], [.. destinations], ilmd, ext, [.. sensors], withId, gln);

    private static EpcisEvent Build(int kind, DateTimeOffset time, DateTimeOffset? recordTime, List<string> epcs, List<string> more,
        List<QuantityElement> quantities, EpcisAction action, string? bizStep, string? disposition, List<BizTransaction> txs,
        BizTransaction tx, List<SourceDestination> sources, List<SourceDestination> destinations, EpcisList<EpcisExtension> ilmd,
        EpcisList<EpcisExtension> ext, List<SensorElement> sensors, bool withId, string gln)
    {
        var offset = EpcisTime.FormatOffset(time);
        var rp = new EpcisLocation($"urn:epc:id:sgln:{gln[..7]}.{gln[7..]}.0");
        EpcisEvent e = kind switch
        {
            0 => new ObjectEvent { EventTime = time, EventTimeZoneOffset = offset, Action = action, EpcList = EpcisList.From(more), QuantityList = EpcisList.From(quantities), Ilmd = ilmd },
            1 => new AggregationEvent { EventTime = time, EventTimeZoneOffset = offset, Action = action, ParentId = more[0], ChildEpcs = EpcisList.From(epcs), ChildQuantityList = EpcisList.From(quantities) },
            2 => new TransactionEvent { EventTime = time, EventTimeZoneOffset = offset, Action = action, EpcList = EpcisList.From(more), QuantityList = EpcisList.From(quantities) },
            3 => new TransformationEvent { EventTime = time, EventTimeZoneOffset = offset, InputEpcList = EpcisList.From(epcs), OutputEpcList = EpcisList.From(more), InputQuantityList = EpcisList.From(quantities), Ilmd = ilmd, TransformationId = withId ? "urn:uuid:6d1b6f05-0000-4000-8000-" + gln : null },
            _ => new AssociationEvent { EventTime = time, EventTimeZoneOffset = offset, Action = action, ParentId = "urn:epc:id:grai:4012345.55555.987", ChildEpcs = EpcisList.From(more) },
        };
        return e with
        {
            RecordTime = recordTime,
            EventId = withId ? "urn:uuid:00000000-0000-4000-8000-" + gln : null,
            BizStep = bizStep,
            Disposition = disposition,
            ReadPoint = rp,
            BizLocation = withId ? rp with { Extensions = ext } : null,
            BizTransactionList = e is TransactionEvent ? EpcisList.From(txs.Prepend(tx)) : EpcisList.From(txs),
            SourceList = EpcisList.From(sources),
            DestinationList = EpcisList.From(destinations),
            SensorElementList = EpcisList.From(sensors),
            Extensions = ext,
        };
    }

    private static Gen<EpcisDocument> Document(bool only12) =>
        from events in Event(only12).NonEmptyListOf()
        from created in Time
        from query in Gen.Elements(EpcisDocumentKind.Capture, EpcisDocumentKind.Query)
        select new EpcisDocument { Kind = query, SchemaVersion = "2.0", CreationDate = created, Events = EpcisList.From(events) };

    private static void RoundTrip(EpcisDocument doc, EpcisBinding binding)
    {
        var text = EpcisWriter.Write(doc, binding);
        var back = EpcisReader.Read(text);
        Assert.Equal(doc.Kind, back.Kind);
        Assert.Equal(doc.Events.Count, back.Events.Count);
        for (var i = 0; i < doc.Events.Count; i++)
            Assert.True(doc.Events[i] == back.Events[i], $"event {i} changed in {binding}:\n{doc.Events[i]}\n{back.Events[i]}\n{text}");
        Assert.Equal(doc.Events.Select(EpcisEventHash.Compute), back.Events.Select(EpcisEventHash.Compute));
    }

    [Theory]
    [InlineData(EpcisBinding.JsonLd)]
    [InlineData(EpcisBinding.Xml20)]
    public void WriteRead_GeneratedDocuments_IdentityAndSameHashes(EpcisBinding binding)
    {
        Prop.ForAll(Document(only12: false).ToArbitrary(), doc => RoundTrip(doc, binding))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(150).WithEndSize(12));
    }

    [Fact]
    public void WriteRead12_GeneratedDocumentsWithout20Features_IdentityAndSameHashes()
    {
        Prop.ForAll(Document(only12: true).ToArbitrary(), doc => RoundTrip(doc, EpcisBinding.Xml1))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(150).WithEndSize(12));
    }

    [Fact]
    public void WriteRead_GeneratedDocuments_HashesAgreeAcrossBindings()
    {
        Prop.ForAll(Document(only12: true).ToArbitrary(), doc =>
        {
            var viaJson = EpcisReader.Read(EpcisJsonWriter.Write(doc)).Events.Select(EpcisEventHash.Compute).ToList();
            var viaXml = EpcisReader.Read(EpcisXmlWriter.Write20(doc)).Events.Select(EpcisEventHash.Compute).ToList();
            var via12 = EpcisReader.Read(EpcisXmlWriter.Write12(doc)).Events.Select(EpcisEventHash.Compute).ToList();
            Assert.Equal(viaJson, viaXml);
            Assert.Equal(viaJson, via12);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(100).WithEndSize(12));
    }

    [Fact]
    public void Compute_ChangedField_ChangesHash()
    {
        // a relevant change must change the hash (README "Requirements")
        Prop.ForAll(Event(only12: false).ToArbitrary(), e =>
        {
            var h = EpcisEventHash.Compute(e);
            Assert.NotEqual(h, EpcisEventHash.Compute(e with { EventTime = e.EventTime.AddMilliseconds(1) }));
            Assert.NotEqual(h, EpcisEventHash.Compute(e with { ReadPoint = new EpcisLocation("urn:epc:id:sgln:0614141.00002.0") }));
            Assert.Equal(h, EpcisEventHash.Compute(e with { EventId = "urn:uuid:other", RecordTime = e.EventTime }));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(100).WithEndSize(12));
    }
}
