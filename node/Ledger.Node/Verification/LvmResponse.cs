using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Gs1;

namespace Ledger.Node.Verification;

/// <summary>The <c>verificationFailureReason</c> codes of the GS1 Lightweight Verification Messaging response.</summary>
public static class LvmFailureReasons
{
    /// <summary>No match between GTIN and serial number.</summary>
    public const string NoMatchGtinSerial = "No_match_GTIN_Serial";
    /// <summary>GTIN and serial match, lot and expiry do not.</summary>
    public const string NoMatchGtinSerialLotExpiry = "No_match_GTIN_Serial_Lot_Expiry";
    /// <summary>GTIN and serial match, the lot does not.</summary>
    public const string NoMatchGtinSerialLot = "No_match_GTIN_Serial_Lot";
    /// <summary>GTIN and serial match, the expiry does not.</summary>
    public const string NoMatchGtinSerialExpiry = "No_match_GTIN_Serial_Expiry";
    /// <summary>Not verified, no reason given.</summary>
    public const string NoReasonProvided = "No_reason_provided";
    /// <summary>The manufacturer's policy decided the answer.</summary>
    public const string ManufacturerPolicy = "Manufacturer_policy";
    /// <summary>The product is suspect and not for re-distribution.</summary>
    public const string NotForRedistribution = "Not_for_re-distribution";

    /// <summary>Every code, in the order the implementation guideline lists them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [NoMatchGtinSerial, NoMatchGtinSerialLotExpiry, NoMatchGtinSerialLot, NoMatchGtinSerialExpiry, NoReasonProvided, ManufacturerPolicy, NotForRedistribution];
}

/// <summary>The <c>additionalInfo</c> codes of the GS1 Lightweight Verification Messaging response.</summary>
public static class LvmAdditionalInfo
{
    /// <summary>The expiration date is in the past.</summary>
    public const string Expired = "Expired";
    /// <summary>The FDA extended the expiration date.</summary>
    public const string ExpirationExtended = "ExpirationExtended";
    /// <summary>Recalled or withdrawn.</summary>
    public const string Recalled = "Recalled";
    /// <summary>The responder considers the product suspect.</summary>
    public const string Suspect = "Suspect";
    /// <summary>The responder considers the product illegitimate.</summary>
    public const string Illegitimate = "Illegitimate";

    /// <summary>Every code, most serious first: the order codes are written in, and the choice when only one can be written.</summary>
    public static IReadOnlyList<string> BySeverity { get; } = [Illegitimate, Suspect, Recalled, Expired, ExpirationExtended];
}

/// <summary>How <c>additionalInfo</c> is written (docs/spec/verification.md explains why there is a choice).</summary>
public enum LvmAdditionalInfoForm
{
    /// <summary>One JSON string, the most serious code (<see cref="LvmAdditionalInfo.BySeverity"/>); the others are dropped.</summary>
    String,

    /// <summary>A JSON array of every code, most serious first.</summary>
    Array,
}

/// <summary>
/// A GS1 Lightweight Verification Messaging response body (HTTP 200, <c>application/json</c>):
/// <c>{"verificationTimestamp", "responderGLN", "data": {"verified", "verificationFailureReason"?, "additionalInfo"?}, "corrUUID"}</c>.
/// Absent optional members are omitted, never <c>null</c>.
/// </summary>
public sealed class LvmResponse
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Builds a response. A failed verification always carries a reason (<see cref="LvmFailureReasons.NoReasonProvided"/>
    /// when <paramref name="failureReason"/> is null); a successful one never does. <paramref name="additionalInfo"/> codes
    /// are kept once each, most serious first.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown code, or a failure reason on a verified response.</exception>
    public LvmResponse(DateTimeOffset timestamp, Gln responderGln, Guid correlationId, bool verified,
        string? failureReason = null, IEnumerable<string>? additionalInfo = null)
    {
        if (responderGln.Value is null)
            throw new ArgumentException("the responder GLN is the default (empty) value", nameof(responderGln));
        if (verified && failureReason is not null)
            throw new ArgumentException($"a verified response has no failure reason, got '{failureReason}'", nameof(failureReason));
        if (failureReason is not null && !LvmFailureReasons.All.Contains(failureReason, StringComparer.Ordinal))
            throw new ArgumentException($"'{failureReason}' is not a verificationFailureReason code ({string.Join(", ", LvmFailureReasons.All)})", nameof(failureReason));
        var info = (additionalInfo ?? []).ToList();
        foreach (var code in info)
            if (!LvmAdditionalInfo.BySeverity.Contains(code, StringComparer.Ordinal))
                throw new ArgumentException($"'{code}' is not an additionalInfo code ({string.Join(", ", LvmAdditionalInfo.BySeverity)})", nameof(additionalInfo));
        Timestamp = timestamp;
        ResponderGln = responderGln;
        CorrelationId = correlationId;
        Verified = verified;
        FailureReason = verified ? null : failureReason ?? LvmFailureReasons.NoReasonProvided;
        AdditionalInfo = [.. LvmAdditionalInfo.BySeverity.Where(info.Contains)];
    }

    /// <summary>When the responder answered (written in UTC with milliseconds).</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The responder's GLN.</summary>
    public Gln ResponderGln { get; }

    /// <summary>The requester's <c>corrUUID</c>, echoed.</summary>
    public Guid CorrelationId { get; }

    /// <summary>The answer.</summary>
    public bool Verified { get; }

    /// <summary>The <c>verificationFailureReason</c> code; null exactly when <see cref="Verified"/>.</summary>
    public string? FailureReason { get; }

    /// <summary>The <c>additionalInfo</c> codes, most serious first; empty when there are none.</summary>
    public IReadOnlyList<string> AdditionalInfo { get; }

    /// <summary>The response for the ledger's answer to a Verify record.</summary>
    public static LvmResponse FromVerification(ItemVerification verification, DateTimeOffset timestamp, Gln responderGln, Guid correlationId)
    {
        ArgumentNullException.ThrowIfNull(verification);
        var info = new List<string>();
        if (verification.AdditionalInfo.HasFlag(VerificationInfo.Suspect))
            info.Add(LvmAdditionalInfo.Suspect);
        if (verification.AdditionalInfo.HasFlag(VerificationInfo.Recalled))
            info.Add(LvmAdditionalInfo.Recalled);
        if (verification.AdditionalInfo.HasFlag(VerificationInfo.Expired))
            info.Add(LvmAdditionalInfo.Expired);
        return new LvmResponse(timestamp, responderGln, correlationId, verification.Verified,
            verification.Verified ? null : verification.FailureCode, info);
    }

    /// <summary>The <c>verificationTimestamp</c> text: ISO 8601 UTC with milliseconds, e.g. <c>2026-11-22T04:40:00.123Z</c>.</summary>
    public string TimestampText => Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Writes the JSON object.</summary>
    public void WriteTo(Utf8JsonWriter writer, LvmAdditionalInfoForm form = LvmAdditionalInfoForm.String)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("verificationTimestamp", TimestampText);
        writer.WriteString("responderGLN", ResponderGln.Value);
        writer.WriteStartObject("data");
        writer.WriteBoolean("verified", Verified);
        if (FailureReason is not null)
            writer.WriteString("verificationFailureReason", FailureReason);
        if (AdditionalInfo.Count > 0)
        {
            if (form == LvmAdditionalInfoForm.Array)
            {
                writer.WriteStartArray("additionalInfo");
                foreach (var code in AdditionalInfo)
                    writer.WriteStringValue(code);
                writer.WriteEndArray();
            }
            else
            {
                writer.WriteString("additionalInfo", AdditionalInfo[0]);
            }
        }
        writer.WriteEndObject();
        writer.WriteString("corrUUID", CorrelationId.ToString("D"));
        writer.WriteEndObject();
    }

    /// <summary>The JSON body as UTF-8 bytes.</summary>
    public byte[] ToUtf8Json(LvmAdditionalInfoForm form = LvmAdditionalInfoForm.String)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            WriteTo(writer, form);
        return buffer.ToArray();
    }

    /// <summary>The JSON body as a string.</summary>
    public string ToJson(LvmAdditionalInfoForm form = LvmAdditionalInfoForm.String) => Encoding.UTF8.GetString(ToUtf8Json(form));
}
