using Ledger.Node.Verification;
using Xunit;

namespace Ledger.Node.Tests.Verification;

/// <summary>Parsing GS1 Lightweight Verification Messaging GET requests (docs/spec/verification.md §1).</summary>
public class LvmRequestTests
{
    // GTIN 09520123456788 (the Digital Link example) and GLN 0614141073467 (the SGLN example) have valid check digits.
    private const string Gtin = "09520123456788";
    private const string Gln = "0614141073467";
    private const string Uuid = "0f5c3a7e-4b1d-4c8e-9a2f-6d3b1e8c7a90";

    private static List<KeyValuePair<string, string?>> Query(params (string Key, string? Value)[] pairs) =>
        [.. pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))];

    private static List<KeyValuePair<string, string?>> Verify(params (string Key, string? Value)[] extra)
    {
        var q = Query(("linkType", "verificationService"), ("context", "dscsaSaleableReturn"), ("reqGLN", Gln), ("corrUUID", Uuid));
        foreach (var (key, value) in extra)
        {
            q.RemoveAll(p => p.Key == key);
            if (value is not null)
                q.Add(new(key, value));
        }
        return q;
    }

    private static List<KeyValuePair<string, string?>> Without(string key) => [.. Verify().Where(p => p.Key != key)];

    private static LvmRequestException Fails(string path, IEnumerable<KeyValuePair<string, string?>> query) =>
        Assert.Throws<LvmRequestException>(() => LvmRequest.Parse(path, query));

    // ---- path forms ----

    [Fact]
    public void Parse_GtinSerialPath_ReadsTheVerificationRequest()
    {
        var r = LvmRequest.Parse($"/01/{Gtin}/21/ABC123", Verify());

        Assert.True(r.IsVerificationRequest);
        Assert.Equal(Gtin, r.Gtin.Value);
        Assert.Equal("ABC123", r.Serial);
        Assert.Null(r.Lot);
        Assert.Null(r.Expiry);
        Assert.Equal("dscsaSaleableReturn", r.Context);
        Assert.Equal(Gln, r.RequesterGln!.Value.Value);
        Assert.Equal(Guid.Parse(Uuid), r.CorrelationId);
        Assert.Equal("verificationService", r.LinkType);
    }

    [Fact]
    public void Parse_GtinLotSerialPath_ReadsTheLot()
    {
        var r = LvmRequest.Parse($"/01/{Gtin}/10/LOT-7/21/ABC123", Verify());

        Assert.Equal("LOT-7", r.Lot);
        Assert.Equal("ABC123", r.Serial);
    }

    [Fact]
    public void Parse_ConsumerProductVariantBeforeLotAndSerial_IsAllowedAndKeptInElements()
    {
        var r = LvmRequest.Parse($"/01/{Gtin}/22/V1/10/L1/21/S1", Verify());

        Assert.Equal("L1", r.Lot);
        Assert.Equal("S1", r.Serial);
        Assert.Equal(["01", "22", "10", "21"], r.Elements.Select(e => e.Ai));
        Assert.Equal("V1", r.Elements.Single(e => e.Ai == "22").Value);
    }

    [Fact]
    public void Parse_QualifiersOutOfOrder_FailsOnThePath()
    {
        var e = Fails($"/01/{Gtin}/21/S1/10/L1", Verify());

        Assert.Equal("path", e.Field);
        Assert.Equal("digital-link", e.Rule);
    }

    [Fact]
    public void Parse_WordForm_ReadsGtinLotSerial()
    {
        var r = LvmRequest.Parse($"/gtin/{Gtin}/lot/L1/ser/S1", Verify());

        Assert.Equal(Gtin, r.Gtin.Value);
        Assert.Equal("L1", r.Lot);
        Assert.Equal("S1", r.Serial);
    }

    [Fact]
    public void Parse_PrefixBeforeTheDigitalLink_IsIgnored()
    {
        var r = LvmRequest.Parse($"/api/vrs/v1/01/{Gtin}/21/S1", Verify());

        Assert.Equal("S1", r.Serial);
    }

    [Fact]
    public void Parse_AbsoluteUri_ReadsThePath()
    {
        var r = LvmRequest.Parse($"https://id.gs1.org/01/{Gtin}/21/S1", Verify());

        Assert.Equal(Gtin, r.Gtin.Value);
        Assert.Equal("S1", r.Serial);
    }

    [Theory]
    [InlineData("AB%2FC%2B1", "AB/C+1")]
    [InlineData("100%25", "100%")]
    [InlineData("A%26B%3DC", "A&B=C")]
    [InlineData("%22Q%22", "\"Q\"")]
    [InlineData("a%2fb", "a/b")]
    public void Parse_PercentEncodedSerial_IsDecoded(string encoded, string serial)
    {
        var r = LvmRequest.Parse($"/01/{Gtin}/21/{encoded}", Verify());

        Assert.Equal(serial, r.Serial);
    }

    [Fact]
    public void Parse_PercentEncodedLot_IsDecoded()
    {
        var r = LvmRequest.Parse($"/01/{Gtin}/10/L%2F1/21/S", Verify());

        Assert.Equal("L/1", r.Lot);
    }

    [Fact]
    public void Parse_BrokenPercentEscape_FailsOnThePath()
    {
        var e = Fails($"/01/{Gtin}/21/AB%2", Verify());

        Assert.Equal("path", e.Field);
        Assert.Equal("digital-link", e.Rule);
    }

    [Fact]
    public void Parse_SerialOutsideCset82AfterDecoding_FailsOnAi21()
    {
        var e = Fails($"/01/{Gtin}/21/A%C3%A9", Verify());

        Assert.Equal("21", e.Field);
        Assert.Equal("cset82", e.Rule);
    }

    [Fact]
    public void Parse_SerialTooLong_FailsOnAi21Length()
    {
        var e = Fails($"/01/{Gtin}/21/{new string('9', 21)}", Verify());

        Assert.Equal("21", e.Field);
        Assert.Equal("length", e.Rule);
    }

    [Fact]
    public void Parse_GtinCheckDigitWrong_FailsOnAi01CheckDigit()
    {
        var e = Fails("/01/09520123456789/21/S1", Verify());

        Assert.Equal("01", e.Field);
        Assert.Equal("check-digit", e.Rule);
        Assert.Contains("expected 8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoSerialInThePath_FailsWithSerialRequired()
    {
        var e = Fails($"/01/{Gtin}/10/L1", Verify());

        Assert.Equal("21", e.Field);
        Assert.Equal("required", e.Rule);
    }

    [Fact]
    public void Parse_PrimaryKeyIsNotAGtin_FailsWithGtinRequired()
    {
        var e = Fails("/414/0614141073467", Verify());

        Assert.Equal("01", e.Field);
        Assert.Equal("required", e.Rule);
    }

    [Fact]
    public void Parse_NoPrimaryKey_FailsOnThePath()
    {
        var e = Fails("/verify/ABC", Verify());

        Assert.Equal("path", e.Field);
        Assert.Equal("digital-link", e.Rule);
    }

    [Theory]
    [InlineData("01/09520123456788/21/S1")]
    [InlineData("/01/09520123456788/21/S1?linkType=verificationService")]
    public void Parse_PathNotAbsoluteOrWithQuery_FailsWithPathSyntax(string path)
    {
        var e = Fails(path, Verify());

        Assert.Equal("path", e.Field);
        Assert.Equal("syntax", e.Rule);
    }

    // ---- linkType ----

    [Theory]
    [InlineData("verificationService")]
    [InlineData("gs1:verificationService")]
    [InlineData("https://gs1.org/voc/verificationService")]
    [InlineData("http://gs1.org/voc/verificationService")]
    public void Parse_EveryVerificationLinkTypeForm_IsAVerificationRequest(string linkType)
    {
        var r = LvmRequest.Parse($"/01/{Gtin}/21/S1", Verify(("linkType", linkType)));

        Assert.True(r.IsVerificationRequest);
        Assert.Equal(linkType, r.LinkType);
    }

    [Theory]
    [InlineData("gs1:pip")]
    [InlineData("VerificationService")]
    [InlineData("")]
    public void Parse_OtherLinkType_FailsWithLinkTypeVerificationService(string linkType)
    {
        var e = Fails($"/01/{Gtin}/21/S1", Verify(("linkType", linkType)));

        Assert.Equal("linkType", e.Field);
        Assert.Equal("verificationService", e.Rule);
    }

    [Fact]
    public void Parse_NoLinkType_IsADigitalLinkResolutionNotAnError()
    {
        var r = LvmRequest.Parse($"/01/{Gtin}/10/L1/21/S1", Query());

        Assert.False(r.IsVerificationRequest);
        Assert.Equal("S1", r.Serial);
        Assert.Equal("L1", r.Lot);
        Assert.Null(r.Context);
        Assert.Null(r.RequesterGln);
        Assert.Null(r.CorrelationId);
    }

    [Fact]
    public void Parse_NoLinkTypeWithBadVerificationParameters_IgnoresThem()
    {
        var r = LvmRequest.Parse($"/01/{Gtin}/21/S1", Query(("reqGLN", "123"), ("corrUUID", "nope")));

        Assert.False(r.IsVerificationRequest);
        Assert.Null(r.RequesterGln);
    }

    // ---- context ----

    [Fact]
    public void Parse_ContextMissing_FailsWithContextRequired()
    {
        var e = Fails($"/01/{Gtin}/21/S1", Without("context"));

        Assert.Equal("context", e.Field);
        Assert.Equal("required", e.Rule);
    }

    [Fact]
    public void Parse_ContextEmpty_FailsWithContextRequired()
    {
        var e = Fails($"/01/{Gtin}/21/S1", Verify(("context", "")));

        Assert.Equal("context", e.Field);
        Assert.Equal("required", e.Rule);
    }

    [Fact]
    public void Parse_ContextWithSpace_FailsWithContextSyntax()
    {
        var e = Fails($"/01/{Gtin}/21/S1", Verify(("context", "dscsa saleable")));

        Assert.Equal("context", e.Field);
        Assert.Equal("syntax", e.Rule);
    }

    [Theory]
    [InlineData("dscsaSaleableReturn")]
    [InlineData("dscsaExceptionVerification")]
    public void Parse_KnownContexts_AreKept(string context)
    {
        var r = LvmRequest.Parse($"/01/{Gtin}/21/S1", Verify(("context", context)));

        Assert.Equal(context, r.Context);
    }

    // ---- reqGLN ----

    [Fact]
    public void Parse_ReqGlnMissing_FailsWithReqGlnRequired()
    {
        var e = Fails($"/01/{Gtin}/21/S1", Without("reqGLN"));

        Assert.Equal("reqGLN", e.Field);
        Assert.Equal("required", e.Rule);
    }

    [Fact]
    public void Parse_ReqGlnCheckDigitWrong_FailsWithReqGlnCheckDigit()
    {
        var e = Fails($"/01/{Gtin}/21/S1", Verify(("reqGLN", "0614141073460")));

        Assert.Equal("reqGLN", e.Field);
        Assert.Equal("check-digit", e.Rule);
        Assert.Contains("expected 7", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ReqGlnTwelveDigits_FailsWithReqGlnLength()
    {
        var e = Fails($"/01/{Gtin}/21/S1", Verify(("reqGLN", "095201234567")));

        Assert.Equal("reqGLN", e.Field);
        Assert.Equal("length", e.Rule);
    }

    [Fact]
    public void Parse_ReqGlnWithLetter_FailsWithReqGlnDigits()
    {
        var e = Fails($"/01/{Gtin}/21/S1", Verify(("reqGLN", "06141410X3467")));

        Assert.Equal("reqGLN", e.Field);
        Assert.Equal("digits", e.Rule);
    }

    // ---- corrUUID ----

    [Fact]
    public void Parse_CorrUuidMissing_FailsWithCorrUuidRequired()
    {
        var e = Fails($"/01/{Gtin}/21/S1", Without("corrUUID"));

        Assert.Equal("corrUUID", e.Field);
        Assert.Equal("required", e.Rule);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("0f5c3a7e4b1d4c8e9a2f6d3b1e8c7a90")]
    [InlineData("{0f5c3a7e-4b1d-4c8e-9a2f-6d3b1e8c7a90}")]
    [InlineData("0f5c3a7e-4b1d-4c8e-9a2f-6d3b1e8c7a9")]
    public void Parse_CorrUuidMalformed_FailsWithCorrUuidUuid(string value)
    {
        var e = Fails($"/01/{Gtin}/21/S1", Verify(("corrUUID", value)));

        Assert.Equal("corrUUID", e.Field);
        Assert.Equal("uuid", e.Rule);
    }

    [Fact]
    public void Parse_CorrUuidUpperCase_IsAccepted()
    {
        var r = LvmRequest.Parse($"/01/{Gtin}/21/S1", Verify(("corrUUID", Uuid.ToUpperInvariant())));

        Assert.Equal(Guid.Parse(Uuid), r.CorrelationId);
    }

    // ---- exp / 17 ----

    [Fact]
    public void Parse_Exp_ReadsTheExpiry()
    {
        var r = LvmRequest.Parse($"/01/{Gtin}/21/S1", Verify(("exp", "280229")));

        Assert.Equal("280229", r.Expiry!.Value.Text);
    }

    [Fact]
    public void Parse_Ai17Attribute_ReadsTheExpiry()
    {
        var r = LvmRequest.Parse($"/01/{Gtin}/21/S1", Verify(("17", "270100")));

        Assert.Equal("270100", r.Expiry!.Value.Text);
        Assert.True(r.Expiry.Value.DayUnspecified);
    }

    [Fact]
    public void Parse_ExpAndAi17Equal_IsAccepted()
    {
        var r = LvmRequest.Parse($"/01/{Gtin}/21/S1", Verify(("exp", "270131"), ("17", "270131")));

        Assert.Equal("270131", r.Expiry!.Value.Text);
    }

    [Fact]
    public void Parse_ExpAndAi17Differ_FailsWithExpConflict()
    {
        var e = Fails($"/01/{Gtin}/21/S1", Verify(("exp", "270131"), ("17", "270130")));

        Assert.Equal("exp", e.Field);
        Assert.Equal("conflict", e.Rule);
    }

    [Theory]
    [InlineData("271301")] // month 13
    [InlineData("270230")] // 30 February
    [InlineData("27013")]  // five digits
    public void Parse_ExpNotADate_FailsWithExpDate(string exp)
    {
        var e = Fails($"/01/{Gtin}/21/S1", Verify(("exp", exp)));

        Assert.Equal("exp", e.Field);
        Assert.Equal("date", e.Rule);
    }

    [Fact]
    public void Parse_ExpWithLetter_FailsWithExpDigits()
    {
        var e = Fails($"/01/{Gtin}/21/S1", Verify(("exp", "27O131")));

        Assert.Equal("exp", e.Field);
        Assert.Equal("digits", e.Rule);
    }

    [Fact]
    public void Parse_ExpEmpty_FailsWithExpRequired()
    {
        var e = Fails($"/01/{Gtin}/21/S1", Verify(("exp", "")));

        Assert.Equal("exp", e.Field);
        Assert.Equal("required", e.Rule);
    }

    [Fact]
    public void Parse_Ai17NotADate_FailsOnAi17()
    {
        var e = Fails($"/01/{Gtin}/21/S1", Verify(("17", "271301")));

        Assert.Equal("17", e.Field);
        Assert.Equal("date", e.Rule);
    }

    [Fact]
    public void Parse_LotInTheQuery_FailsBecauseAQualifierBelongsInThePath()
    {
        var e = Fails($"/01/{Gtin}/21/S1", Verify(("10", "L1")));

        Assert.Equal("10", e.Field);
        Assert.Equal("digital-link", e.Rule);
    }

    [Fact]
    public void Parse_ParameterTwice_FailsWithDuplicate()
    {
        var q = Verify();
        q.Add(new("reqGLN", Gln));

        var e = Fails($"/01/{Gtin}/21/S1", q);

        Assert.Equal("reqGLN", e.Field);
        Assert.Equal("duplicate", e.Rule);
    }

    [Fact]
    public void Parse_UnknownNonAiParameter_IsIgnored()
    {
        var r = LvmRequest.Parse($"/01/{Gtin}/21/S1", Verify(("foo", "bar")));

        Assert.True(r.IsVerificationRequest);
    }

    // ---- the public SAP ICH sample (docs/spec/verification.md, source [S13] of the standards notes) ----

    [Fact]
    public void Parse_SapIchSampleRequest_ReadsEveryPart()
    {
        // The sample's corrUUID is a Postman variable ({{$guid}}); a concrete UUID stands in for it.
        const string path = "/http/ich-vrs/b2b-direct/gtin/00363391180998/lot/AutoDbTest/ser/1234567890";
        var query = Query(("exp", "230715"), ("linkType", "verificationService"), ("context", "dscsaSaleableReturn"),
            ("reqGLN", "0363391100002"), ("corrUUID", Uuid));

        var r = LvmRequest.Parse(path, query);

        Assert.True(r.IsVerificationRequest);
        Assert.Equal("00363391180998", r.Gtin.Value);
        Assert.Equal("AutoDbTest", r.Lot);
        Assert.Equal("1234567890", r.Serial);
        Assert.Equal("230715", r.Expiry!.Value.Text);
        Assert.Equal(new DateOnly(2023, 7, 15), r.Expiry.Value.Resolve(2026).Date);
        Assert.Equal("dscsaSaleableReturn", r.Context);
        Assert.Equal("0363391100002", r.RequesterGln!.Value.Value);
    }
}
