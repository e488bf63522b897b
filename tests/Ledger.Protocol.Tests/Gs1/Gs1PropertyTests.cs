using FsCheck;
using FsCheck.Fluent;
using Ledger.Protocol.Gs1;
using Xunit;

namespace Ledger.Protocol.Tests.Gs1;

/// <summary>FsCheck properties: every form converts to every other and back; single-digit errors in keys are caught.</summary>
public class Gs1PropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300);

    private static Gen<string> Digits(int n) => Gen.ArrayOf(Gen.Choose(0, 9), n).Select(d => string.Concat(d.Select(x => (char)('0' + x))));

    private static Gen<string> Key(int length) => Digits(length - 1).Select(d => d + CheckDigit.Compute(d));

    private static Gen<string> Cset82Text =>
        Gen.Choose(1, 20).SelectMany(n => Gen.ArrayOf(Gen.Elements(Gs1Linters.Cset82.ToCharArray()), n)).Select(c => new string(c));

    private static Gen<string> Expiry =>
        from yy in Gen.Choose(0, 99)
        from mm in Gen.Choose(1, 12)
        from dd in Gen.Choose(0, mm == 2 ? (yy % 4 == 0 ? 29 : 28) : DateTime.DaysInMonth(2001, mm))
        select $"{yy:D2}{mm:D2}{dd:D2}";

    /// <summary>A pharma pack: GTIN, lot, serial, expiry, in Digital Link order so every form yields the same AI order.</summary>
    private static Gen<Gs1Element[]> Pack =>
        from gtin in Key(14)
        from lot in Cset82Text
        from serial in Cset82Text
        from expiry in Expiry
        select new Gs1Element[] { new("01", gtin), new("10", lot), new("21", serial), new("17", expiry) };

    private static string[] Forms(Gs1Identifier id) =>
    [
        id.ToElementString(), id.ToBracketed(), id.ToDigitalLink(), id.ToDigitalLink("https://example.com/some/stem"),
        id.ToScanData(Gs1Symbology.DataMatrix), id.ToScanData(Gs1Symbology.Qr), id.ToRawElementString(),
    ];

    [Fact]
    public void AllForms_RandomPharmaPack_EveryPairRoundTrips()
    {
        Prop.ForAll(Pack.ToArbitrary(), elements =>
        {
            var forms = Forms(Gs1Identifier.FromElements(elements));
            foreach (var input in forms)
            {
                var parsed = Gs1Identifier.Parse(input);
                Assert.Equal(elements, parsed.Elements);
                Assert.Equal(forms, Forms(parsed));
            }
        }).Check(Config);
    }

    [Fact]
    public void EpcUri_RandomSgtin_EveryPairRoundTrips()
    {
        var gen = from gtin in Key(14) from serial in Cset82Text from gcp in Gen.Choose(6, 12) select (gtin, serial, gcp);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var elements = new Gs1Element[] { new("01", t.gtin), new("21", t.serial) };
            var id = Gs1Identifier.FromElements(elements);
            var urn = id.ToEpcUri(t.gcp);
            var fromUrn = Gs1Identifier.Parse(urn);
            Assert.Equal(t.gcp, fromUrn.CompanyPrefixLength);
            Assert.Equal(elements, fromUrn.Elements);
            string[] forms = [id.ToElementString(), id.ToBracketed(), id.ToDigitalLink(), id.ToScanData(Gs1Symbology.DataMatrix), id.ToScanData(Gs1Symbology.Qr)];
            Assert.Equal(forms, new[] { fromUrn.ToElementString(), fromUrn.ToBracketed(), fromUrn.ToDigitalLink(), fromUrn.ToScanData(Gs1Symbology.DataMatrix), fromUrn.ToScanData(Gs1Symbology.Qr) });
            foreach (var f in forms)
                Assert.Equal(urn, Gs1Identifier.Parse(f).ToEpcUri(t.gcp));
        }).Check(Config);
    }

    [Fact]
    public void Keys_AnySingleDigitChange_IsRejectedForItsCheckDigit()
    {
        var gen = from kind in Gen.Elements("gtin", "sscc", "gln")
                  from key in Key(kind switch { "gtin" => 14, "sscc" => 18, _ => 13 })
                  from pos in Gen.Choose(0, key.Length - 1)
                  from delta in Gen.Choose(1, 9)
                  select (kind, key, pos, delta);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var chars = t.key.ToCharArray();
            chars[t.pos] = (char)('0' + (chars[t.pos] - '0' + t.delta) % 10);
            var changed = new string(chars);
            Action parse = t.kind switch
            {
                "gtin" => () => Gtin.Parse(changed),
                "sscc" => () => Sscc.Parse(changed),
                _ => () => Gln.Parse(changed),
            };
            Assert.Equal("check-digit", Assert.Throws<Gs1FormatException>(parse).Rule);
            var ai = t.kind switch { "gtin" => "01", "sscc" => "00", _ => "414" };
            Assert.Equal("check-digit", Assert.Throws<Gs1FormatException>(() => Gs1Identifier.Parse($"({ai}){changed}")).Rule);
        }).Check(Config);
    }
}
