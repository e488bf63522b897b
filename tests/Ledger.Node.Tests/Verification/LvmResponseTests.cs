using System.Text.Json;
using Ledger.Node.Verification;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Gs1;
using Xunit;

namespace Ledger.Node.Tests.Verification;

/// <summary>The GS1 Lightweight Verification Messaging response body (docs/spec/verification.md §2).</summary>
public class LvmResponseTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 4, 40, 0, 123, TimeSpan.Zero);
    private static readonly Gln Responder = Gln.Parse("0614141073467");
    private static readonly Guid Corr = Guid.Parse("0f5c3a7e-4b1d-4c8e-9a2f-6d3b1e8c7a90");

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static string[] Names(JsonElement obj) => [.. obj.EnumerateObject().Select(p => p.Name)];

    [Fact]
    public void ToJson_Verified_IsExactlyTheStandardShape()
    {
        var json = new LvmResponse(At, Responder, Corr, verified: true).ToJson();

        Assert.Equal(
            """{"verificationTimestamp":"2026-11-22T04:40:00.123Z","responderGLN":"0614141073467","data":{"verified":true},"corrUUID":"0f5c3a7e-4b1d-4c8e-9a2f-6d3b1e8c7a90"}""",
            json);
    }

    [Fact]
    public void ToJson_NotVerifiedWithRecall_IsExactlyTheStandardShape()
    {
        var json = new LvmResponse(At, Responder, Corr, false, LvmFailureReasons.NoMatchGtinSerialLot, [LvmAdditionalInfo.Recalled]).ToJson();

        Assert.Equal(
            """{"verificationTimestamp":"2026-11-22T04:40:00.123Z","responderGLN":"0614141073467","data":{"verified":false,"verificationFailureReason":"No_match_GTIN_Serial_Lot","additionalInfo":"Recalled"},"corrUUID":"0f5c3a7e-4b1d-4c8e-9a2f-6d3b1e8c7a90"}""",
            json);
    }

    [Fact]
    public void ToJson_Always_HasTheTopLevelMembersInOrderWithTheirTypes()
    {
        var root = Parse(new LvmResponse(At, Responder, Corr, false, LvmFailureReasons.NoMatchGtinSerial).ToJson());

        Assert.Equal(["verificationTimestamp", "responderGLN", "data", "corrUUID"], Names(root));
        Assert.Equal(JsonValueKind.String, root.GetProperty("verificationTimestamp").ValueKind);
        Assert.Equal(JsonValueKind.String, root.GetProperty("responderGLN").ValueKind);
        Assert.Equal(JsonValueKind.Object, root.GetProperty("data").ValueKind);
        Assert.Equal(JsonValueKind.False, root.GetProperty("data").GetProperty("verified").ValueKind);
        Assert.Equal(Corr, Guid.Parse(root.GetProperty("corrUUID").GetString()!));
    }

    [Fact]
    public void ToJson_TimestampWithOffset_IsWrittenInUtcWithMilliseconds()
    {
        var local = new DateTimeOffset(2026, 11, 22, 0, 40, 0, 5, TimeSpan.FromHours(-4));

        var root = Parse(new LvmResponse(local, Responder, Corr, true).ToJson());

        Assert.Equal("2026-11-22T04:40:00.005Z", root.GetProperty("verificationTimestamp").GetString());
    }

    public static TheoryData<string> FailureCodes() => [.. LvmFailureReasons.All];

    [Theory]
    [MemberData(nameof(FailureCodes))]
    public void ToJson_EachFailureReason_IsWrittenAsThatCode(string code)
    {
        var data = Parse(new LvmResponse(At, Responder, Corr, false, code).ToJson()).GetProperty("data");

        Assert.Equal(["verified", "verificationFailureReason"], Names(data));
        Assert.False(data.GetProperty("verified").GetBoolean());
        Assert.Equal(code, data.GetProperty("verificationFailureReason").GetString());
    }

    [Fact]
    public void FailureCodes_AreTheSevenCodesOfTheImplementationGuideline()
    {
        Assert.Equal(
            ["No_match_GTIN_Serial", "No_match_GTIN_Serial_Lot_Expiry", "No_match_GTIN_Serial_Lot", "No_match_GTIN_Serial_Expiry",
             "No_reason_provided", "Manufacturer_policy", "Not_for_re-distribution"],
            LvmFailureReasons.All);
        Assert.Equal(["Illegitimate", "Suspect", "Recalled", "Expired", "ExpirationExtended"], LvmAdditionalInfo.BySeverity);
    }

    [Fact]
    public void Constructor_NotVerifiedWithoutReason_WritesNoReasonProvided()
    {
        var data = Parse(new LvmResponse(At, Responder, Corr, false).ToJson()).GetProperty("data");

        Assert.Equal("No_reason_provided", data.GetProperty("verificationFailureReason").GetString());
    }

    public static TheoryData<VerificationFailureReason, string> LedgerReasons() => new()
    {
        { VerificationFailureReason.NoMatchGtinSerial, "No_match_GTIN_Serial" },
        { VerificationFailureReason.NoMatchGtinSerialLot, "No_match_GTIN_Serial_Lot" },
        { VerificationFailureReason.NoMatchGtinSerialExpiry, "No_match_GTIN_Serial_Expiry" },
        { VerificationFailureReason.NoMatchGtinSerialLotExpiry, "No_match_GTIN_Serial_Lot_Expiry" },
        { VerificationFailureReason.None, "No_reason_provided" },
    };

    [Theory]
    [MemberData(nameof(LedgerReasons))]
    public void FromVerification_NotVerified_WritesTheLedgerReason(VerificationFailureReason reason, string code)
    {
        var response = LvmResponse.FromVerification(new ItemVerification(false, reason, VerificationInfo.None), At, Responder, Corr);
        var data = Parse(response.ToJson()).GetProperty("data");

        Assert.False(data.GetProperty("verified").GetBoolean());
        Assert.Equal(code, data.GetProperty("verificationFailureReason").GetString());
        Assert.False(data.TryGetProperty("additionalInfo", out _));
    }

    [Fact]
    public void FromVerification_Verified_OmitsReasonAndAdditionalInfo()
    {
        var response = LvmResponse.FromVerification(new ItemVerification(true, VerificationFailureReason.None, VerificationInfo.None), At, Responder, Corr);
        var data = Parse(response.ToJson(LvmAdditionalInfoForm.Array)).GetProperty("data");

        Assert.Equal(["verified"], Names(data));
        Assert.True(data.GetProperty("verified").GetBoolean());
    }

    // Every combination of the ledger's flags, verified or not, in both forms: the array lists exactly the set flags,
    // most serious first; the string form is the first of them; no flags means no member.
    [Fact]
    public void FromVerification_EveryFlagCombination_WritesTheFlagsInBothForms()
    {
        (VerificationInfo Flag, string Code)[] ordered =
            [(VerificationInfo.Suspect, "Suspect"), (VerificationInfo.Recalled, "Recalled"), (VerificationInfo.Expired, "Expired")];
        for (var bits = 0; bits < 8; bits++)
        {
            var flags = (VerificationInfo)bits;
            var expected = ordered.Where(o => flags.HasFlag(o.Flag)).Select(o => o.Code).ToArray();
            foreach (var verified in new[] { true, false })
            {
                var v = new ItemVerification(verified, verified ? VerificationFailureReason.None : VerificationFailureReason.NoMatchGtinSerialExpiry, flags);
                var response = LvmResponse.FromVerification(v, At, Responder, Corr);
                var asArray = Parse(response.ToJson(LvmAdditionalInfoForm.Array)).GetProperty("data");
                var asString = Parse(response.ToJson(LvmAdditionalInfoForm.String)).GetProperty("data");
                var label = $"flags={flags} verified={verified}";

                Assert.True(verified == asArray.GetProperty("verified").GetBoolean(), label);
                Assert.True(asArray.TryGetProperty("verificationFailureReason", out _) == !verified, label);
                if (expected.Length == 0)
                {
                    Assert.False(asArray.TryGetProperty("additionalInfo", out _), label);
                    Assert.False(asString.TryGetProperty("additionalInfo", out _), label);
                    continue;
                }
                var array = asArray.GetProperty("additionalInfo");
                Assert.True(array.ValueKind == JsonValueKind.Array, label);
                Assert.Equal(expected, array.EnumerateArray().Select(e => e.GetString()!).ToArray());
                var single = asString.GetProperty("additionalInfo");
                Assert.True(single.ValueKind == JsonValueKind.String, label);
                Assert.Equal(expected[0], single.GetString());
            }
        }
    }

    public static TheoryData<string> InfoCodes() => [.. LvmAdditionalInfo.BySeverity];

    [Theory]
    [MemberData(nameof(InfoCodes))]
    public void ToJson_EachAdditionalInfoCode_IsWrittenInBothForms(string code)
    {
        var response = new LvmResponse(At, Responder, Corr, true, null, [code]);

        Assert.Equal(code, Parse(response.ToJson()).GetProperty("data").GetProperty("additionalInfo").GetString());
        var array = Parse(response.ToJson(LvmAdditionalInfoForm.Array)).GetProperty("data").GetProperty("additionalInfo");
        Assert.Equal([code], array.EnumerateArray().Select(e => e.GetString()!));
    }

    [Fact]
    public void Constructor_AdditionalInfoGivenOutOfOrderAndTwice_KeepsEachOnceMostSeriousFirst()
    {
        var response = new LvmResponse(At, Responder, Corr, false, LvmFailureReasons.NotForRedistribution,
            ["ExpirationExtended", "Illegitimate", "Expired", "Illegitimate"]);

        Assert.Equal(["Illegitimate", "Expired", "ExpirationExtended"], response.AdditionalInfo);
        Assert.Equal("Illegitimate", Parse(response.ToJson()).GetProperty("data").GetProperty("additionalInfo").GetString());
    }

    [Fact]
    public void Constructor_VerifiedWithReason_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new LvmResponse(At, Responder, Corr, true, LvmFailureReasons.NoMatchGtinSerial));

        Assert.Equal("failureReason", e.ParamName);
    }

    [Theory]
    [InlineData("no_match_gtin_serial")]
    [InlineData("Not_for_redistribution")]
    [InlineData("")]
    public void Constructor_UnknownReason_Throws(string code)
    {
        var e = Assert.Throws<ArgumentException>(() => new LvmResponse(At, Responder, Corr, false, code));

        Assert.Equal("failureReason", e.ParamName);
    }

    [Theory]
    [InlineData("recalled")]
    [InlineData("Withdrawn")]
    public void Constructor_UnknownAdditionalInfo_Throws(string code)
    {
        var e = Assert.Throws<ArgumentException>(() => new LvmResponse(At, Responder, Corr, true, null, [code]));

        Assert.Equal("additionalInfo", e.ParamName);
    }

    [Fact]
    public void Constructor_DefaultGln_Throws()
    {
        Assert.Throws<ArgumentException>(() => new LvmResponse(At, default, Corr, true));
    }

    [Fact]
    public void ToUtf8Json_IsTheUtf8OfToJson()
    {
        var response = new LvmResponse(At, Responder, Corr, false, LvmFailureReasons.ManufacturerPolicy, [LvmAdditionalInfo.Suspect]);

        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(response.ToJson()), response.ToUtf8Json());
    }
}
