using Ledger.Protocol.Gs1;
using Xunit;

namespace Ledger.Protocol.Tests.Gs1;

/// <summary>Facts from the project's STANDARDS (sections 3 and 4) and own EU FMD / DSCSA style cases.</summary>
public class Gs1PharmaTests
{
    private const char Gs = '\u001D';

    [Theory]
    [InlineData("02345673", true)]
    [InlineData("12345673", false)]
    [InlineData("416000336108", true)]
    [InlineData("09520123456788", true)]
    [InlineData("12312312312333", true)]
    [InlineData("10614141073464", true)]
    [InlineData("0614141073467", true)]
    [InlineData("006141411234567890", true)]
    [InlineData("006141411234567891", false)]
    public void CheckDigit_StandardsVectors_MatchExpected(string digits, bool valid)
    {
        Assert.Equal(valid, CheckDigit.IsValid(digits));
        Assert.Equal(valid, Gs1Linters.Csum(digits) is null);
    }

    [Theory]
    [InlineData("02345673", "00000002345673")]
    [InlineData("416000336108", "00416000336108")]
    [InlineData("0614141073467", "00614141073467")]
    [InlineData("09520123456788", "09520123456788")]
    public void GtinParse_ShortForms_NormaliseToFourteenDigits(string input, string expected) =>
        Assert.Equal(expected, Gtin.Parse(input).Value);

    [Fact]
    public void GtinParse_WrongCheckDigit_NamesFieldAndRule()
    {
        var ex = Assert.Throws<Gs1FormatException>(() => Gtin.Parse("09520123456789"));
        Assert.Equal("gtin", ex.Field);
        Assert.Equal("check-digit", ex.Rule);
        Assert.StartsWith("gtin: check digit is 9, expected 8", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("09520123456")]
    [InlineData("095201234567888")]
    public void GtinParse_WrongLength_IsLengthRule(string input) =>
        Assert.Equal("length", Assert.Throws<Gs1FormatException>(() => Gtin.Parse(input)).Rule);

    [Fact]
    public void GlnAndSscc_StandardsVectors_Parse()
    {
        Assert.Equal("0614141073467", Gln.Parse("0614141073467").Value);
        Assert.Equal("006141411234567890", Sscc.Parse("006141411234567890").Value);
        Assert.Equal("check-digit", Assert.Throws<Gs1FormatException>(() => Gln.Parse("0614141073468")).Rule);
        Assert.Equal("length", Assert.Throws<Gs1FormatException>(() => Sscc.Parse("0061414112345678")).Rule);
    }

    [Fact]
    public void Parse_DscsaBracketed_GivesTypedValuesAndAllForms()
    {
        var id = Gs1Identifier.Parse("(01)00361414567894(17)220228(10)E1908672(21)721234567872");
        Assert.Equal("00361414567894", id.Gtin!.Value.Value);
        Assert.Equal("E1908672", id.Lot);
        Assert.Equal("721234567872", id.Serial);
        Assert.Equal(new DateOnly(2022, 2, 28), id.Expiry!.Value.Resolve(2026).Date);
        Assert.Equal("^01003614145678941722022810E1908672^21721234567872", id.ToElementString());
        Assert.Equal("0100361414567894172202281" + "0E1908672" + Gs + "21721234567872", id.ToRawElementString());
        Assert.Equal("https://id.gs1.org/01/00361414567894/10/E1908672/21/721234567872?17=220228", id.ToDigitalLink());
        Assert.Equal("]d201003614145678941722022810E1908672" + Gs + "21721234567872", id.ToScanData(Gs1Symbology.DataMatrix));
        Assert.Equal("urn:epc:id:sgtin:0361414.056789.721234567872", id.ToEpcUri(7));
    }

    [Fact]
    public void Parse_StandardsScanData_GivesElements()
    {
        var id = Gs1Identifier.Parse("]d2011231231231233310ABC123" + Gs + "99TESTING");
        Assert.Equal(Gs1Symbology.DataMatrix, id.Symbology);
        Assert.Equal(Gs1InputForm.ScanData, id.Form);
        Assert.Equal(["01", "10", "99"], id.Elements.Select(e => e.Ai));
        Assert.Equal("^011231231231233310ABC123^99TESTING", id.ToElementString());
        Assert.Equal("]Q3011231231231233310ABC123" + Gs + "99TESTING", id.ToScanData(Gs1Symbology.Qr));
    }

    [Fact]
    public void Parse_QrCodeCarryingDigitalLink_GivesElementsAndSymbology()
    {
        var id = Gs1Identifier.Parse("]Q1https://id.gs1.org/01/09520123456788/10/L1/21/S1?17=270331");
        Assert.Equal(Gs1Symbology.Qr, id.Symbology);
        Assert.Equal(("09520123456788", "L1", "S1", "270331"), (id.Gtin!.Value.Value, id.Lot, id.Serial, id.Expiry!.Value.Text));
    }

    [Fact]
    public void Parse_Ean13Scan_GivesGtin14()
    {
        var id = Gs1Identifier.Parse("]E02112345678900");
        Assert.Equal(Gs1Symbology.Ean13, id.Symbology);
        Assert.Equal("02112345678900", id.Gtin!.Value.Value);
        Assert.Equal("]E02112345678900", id.ToScanData(Gs1Symbology.Ean13));
    }

    [Fact]
    public void DigitalLink_StandardsExample_ConvertsBothWays()
    {
        const string Uri = "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426";
        const string Es = "^010952012345678810ABC1^2112345^17180426";
        Assert.Equal(Es, Gs1Identifier.Parse(Uri).ToElementString());
        Assert.Equal(Uri, Gs1Identifier.Parse(Es).ToDigitalLink());
    }

    [Theory]
    [InlineData("urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017")]
    [InlineData("urn:epc:id:sgln:0614141.07346.1234", "https://id.gs1.org/414/0614141073467/254/1234")]
    [InlineData("urn:epc:id:sscc:4012345.0000000111", "https://id.gs1.org/00/040123450000001112")]
    public void EpcUri_StandardsExamples_ConvertToDigitalLinkAndBack(string urn, string dl)
    {
        var fromUrn = Gs1Identifier.Parse(urn);
        Assert.Equal(dl, fromUrn.ToDigitalLink());
        Assert.Equal(urn, fromUrn.ToEpcUri());
        Assert.Equal(urn, Gs1Identifier.Parse(dl).ToEpcUri(7));
    }

    [Fact]
    public void EpcUri_SerialWithReservedCharacters_IsPercentEscaped()
    {
        var id = Gs1Identifier.Parse("(01)10614141073464(21)A/B\"C%");
        var urn = id.ToEpcUri(7);
        Assert.Equal("urn:epc:id:sgtin:0614141.107346.A%2FB%22C%25", urn);
        Assert.Equal("A/B\"C%", Gs1Identifier.Parse(urn).Serial);
    }

    [Fact]
    public void EpcUri_WithoutCompanyPrefixLength_IsGcpLengthRule() =>
        Assert.Equal("gcp-length", Assert.Throws<Gs1FormatException>(() => Gs1Identifier.Parse("(01)10614141073464(21)1").ToEpcUri()).Rule);

    [Fact]
    public void Parse_EuFmdPack_AllFormsAgree()
    {
        var id = Gs1Identifier.Parse("(01)09520123456788(17)270300(10)LOT-42A(21)SN0001(714)PT1234567");
        Assert.Equal("PT1234567", id.Value("714"));
        Assert.Equal("NHRN AIM", id.Elements[^1].Title);
        var expiry = id.Expiry!.Value;
        Assert.True(expiry.DayUnspecified);
        Assert.Equal(new Gs1CalendarDate(new DateOnly(2027, 3, 31), true), expiry.Resolve(2026));
        foreach (var form in new[] { id.ToElementString(), id.ToDigitalLink(), id.ToScanData(Gs1Symbology.DataMatrix), id.ToScanData(Gs1Symbology.Qr) })
            Assert.Equal(id.Elements.OrderBy(e => e.Ai, StringComparer.Ordinal), Gs1Identifier.Parse(form).Elements.OrderBy(e => e.Ai, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("(01)09520123456789(17)270331(10)L1(21)S1", "AI (01)", "check-digit")]
    [InlineData("(01)09520123456788(17)271331(10)L1(21)S1", "AI (17)", "date")]
    [InlineData("(01)09520123456788(17)270001(10)L1(21)S1", "AI (17)", "date")]
    [InlineData("(01)09520123456788(17)270230(10)L1(21)S1", "AI (17)", "date")]
    [InlineData("(01)09520123456788(17)270229(10)L1(21)S1", "AI (17)", "date")]
    [InlineData("(01)09520123456788(17)27033(10)L1(21)S1", "AI (17)", "length")]
    [InlineData("(01)09520123456788(10)L1(21)123456789012345678901", "AI (21)", "length")]
    [InlineData("(01)09520123456788(10)LOT 1(21)S1", "AI (10)", "cset82")]
    [InlineData("(01)09520123456788(10)LOT#1(21)S1", "AI (10)", "cset82")]
    [InlineData("(01)09520123456788(10)LOTé(21)S1", "AI (10)", "cset82")]
    [InlineData("(01)09520123456788(21)S1(21)S2", "AI (21)", "duplicate")]
    [InlineData("(21)S1(10)L1", "AI (21)", "requires")]
    [InlineData("(01)09520123456788(02)09520123456788(37)1", "AI (01)", "excludes")]
    [InlineData("(01)09520123456788(714)", "AI (714)", "length")]
    [InlineData("(01)09520123456788(89)X", "AI (89)", "unknown-ai")]
    [InlineData("(01 09520123456788", "bracketed", "syntax")]
    [InlineData("hello", "input", "syntax")]
    [InlineData("]d2", "scan-data", "scan-data")]
    [InlineData("https://id.gs1.org/99/X", "digital-link", "digital-link")]
    public void Parse_BadPharmaData_NamesFieldAndRule(string input, string field, string rule)
    {
        var ex = Assert.Throws<Gs1FormatException>(() => Gs1Identifier.Parse(input));
        Assert.Equal(field, ex.Field);
        Assert.Equal(rule, ex.Rule);
        Assert.StartsWith(field + ": ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(rule, ex.Message, StringComparison.Ordinal);
        Assert.False(Gs1Identifier.TryParse(input, out _));
    }

    [Fact]
    public void Parse_WrongCheckDigitMessage_SaysWhatAndExpected()
    {
        var ex = Assert.Throws<Gs1FormatException>(() => Gs1Identifier.Parse("(01)09520123456789"));
        Assert.StartsWith("AI (01): check digit is 9, expected 8", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ScanMissingFnc1AfterLot_LotOverrunsAndIsRejected()
    {
        // Without GS after the lot, the serial's AI and data run into the lot, which then exceeds X..20.
        var ex = Assert.Throws<Gs1FormatException>(() => Gs1Identifier.Parse("]d20109520123456788" + "10LOT12345678" + "21SERIAL0001"));
        Assert.Equal("AI (10)", ex.Field);
        Assert.Equal("length", ex.Rule);
        Assert.Equal("SERIAL0001", Gs1Identifier.Parse("]d20109520123456788" + "10LOT12345678" + Gs + "21SERIAL0001").Serial);
    }

    [Fact]
    public void Parse_SameAiRepeatedWithSameValue_IsAccepted() =>
        Assert.Equal(3, Gs1Identifier.Parse("(01)09520123456788(21)S1(21)S1").Elements.Count);

    [Theory]
    [InlineData("991231", 2026, "1999-12-31")]
    [InlineData("760101", 2026, "2076-01-01")]
    [InlineData("770101", 2026, "1977-01-01")]
    [InlineData("000101", 2060, "2100-01-01")]
    [InlineData("260200", 2026, "2026-02-28")]
    [InlineData("240200", 2026, "2024-02-29")]
    [InlineData("240229", 2026, "2024-02-29")]
    public void Gs1DateResolve_SlidingWindow_GivesCalendarDate(string yymmdd, int referenceYear, string iso) =>
        Assert.Equal(iso, Gs1Date.Parse(yymmdd).Resolve(referenceYear).ToString());

    [Fact]
    public void Gs1DateResolve_Feb29InNonLeapCentury_IsDateRule() =>
        Assert.Equal("date", Assert.Throws<Gs1FormatException>(() => Gs1Date.Parse("000229").Resolve(2060)).Rule);

    [Theory]
    [InlineData("250229")]
    [InlineData("251301")]
    [InlineData("250001")]
    [InlineData("250431")]
    [InlineData("2504")]
    public void Gs1DateParse_Invalid_IsRejected(string yymmdd) =>
        Assert.Equal("date", Assert.Throws<Gs1FormatException>(() => Gs1Date.Parse(yymmdd)).Rule);

    [Fact]
    public void Sgtin_ToDigitalLinkAndEpc_MatchStandardsExample()
    {
        var sgtin = new Sgtin(Gtin.Parse("10614141073464"), "2017");
        Assert.Equal("https://id.gs1.org/01/10614141073464/21/2017", sgtin.ToDigitalLink());
        Assert.Equal("urn:epc:id:sgtin:0614141.107346.2017", sgtin.ToEpcUri(7));
        Assert.Equal("cset82", Assert.Throws<Gs1FormatException>(() => new Sgtin(Gtin.Parse("10614141073464"), "A B")).Rule);
    }

    [Fact]
    public void DigitalLink_CustomStemAndPercentEncoding_RoundTrip()
    {
        var id = Gs1Identifier.Parse("(01)09520123456788(10)A+B/C(21)X%Y");
        var uri = id.ToDigitalLink("https://brand.example.com/p/");
        Assert.Equal("https://brand.example.com/p/01/09520123456788/10/A%2BB%2FC/21/X%25Y", uri);
        Assert.Equal(id.Elements, Gs1Identifier.Parse(uri).Elements);
    }

    [Fact]
    public void DigitalLink_QualifierInQuery_IsRejected() =>
        Assert.Equal("digital-link", Assert.Throws<Gs1FormatException>(() => Gs1Identifier.Parse("https://id.gs1.org/01/09520123456788?21=S1")).Rule);

    [Fact]
    public void SyntaxDictionary_PharmaEssentials_AreExact()
    {
        static Gs1AiEntry E(string ai) => Gs1AiTable.TryGet(ai, out var e) ? e : throw new KeyNotFoundException(ai);
        Assert.Equal("2026-01-27", Gs1AiTable.Release);
        Assert.True(E("00").PredefinedLength && E("00").MaxLength == 18 && E("00").Components[0].Linters.Contains("csum"));
        Assert.True(E("01").PredefinedLength && E("01").MaxLength == 14 && E("01").IsDigitalLinkPrimaryKey);
        Assert.Equal([["22", "10", "21"], ["235"]], E("01").DigitalLinkQualifiers);
        Assert.True(!E("10").PredefinedLength && E("10").Components[0] is { Type: Gs1ComponentType.Cset82, MinLength: 1, MaxLength: 20 });
        Assert.True(E("17").PredefinedLength && E("17").Components[0].Linters.SequenceEqual(["yymmd0"]));
        Assert.True(!E("21").PredefinedLength && E("21").MaxLength == 20 && E("21").Excludes.Contains("235"));
        Assert.True(E("414").PredefinedLength && E("414").MaxLength == 13 && E("414").DigitalLinkQualifiers[0].SequenceEqual(["254"]));
        Assert.True(E("417").MaxLength == 13 && E("254").Requires[0][0].SequenceEqual(["414"]));
        foreach (var nhrn in new[] { "710", "711", "712", "713", "714" })
            Assert.True(E(nhrn).MaxLength == 20 && E(nhrn).Requires[0][0].SequenceEqual(["01"]));
    }
}
