using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ledger.Protocol.Gs1;

namespace Ledger.Node;

/// <summary>
/// The JSON object that describes a parsed GS1 identifier in every form: the one shape that both
/// <c>ledger gs1 parse</c> and <c>GET /v1/gs1/parse</c> print. Members, in order: <c>gtin</c>, <c>serial</c>,
/// <c>lot</c>, <c>expiry</c> (yyyy-MM-dd, century resolved against a reference year), <c>sscc</c>, <c>gln</c>,
/// <c>digitalLink</c>, <c>epcUri</c>, <c>elementString</c>, <c>bracketed</c>, <c>symbology</c>, <c>ais</c>
/// (<c>[{ai, title, value}]</c>); members that do not apply are <c>null</c>.
/// </summary>
public sealed class Gs1IdentifierJson
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Gs1Identifier _id;
    private readonly string? _expiry;
    private readonly string? _digitalLink;
    private readonly string? _epcUri;

    private Gs1IdentifierJson(Gs1Identifier id, string? expiry, string? digitalLink, string? epcUri)
    {
        _id = id;
        _expiry = expiry;
        _digitalLink = digitalLink;
        _epcUri = epcUri;
    }

    /// <summary>
    /// Computes every member up front (so writing never fails half way). <paramref name="companyPrefixLength"/> (6-12)
    /// is needed for the EPC URI unless the input was one; <paramref name="referenceYear"/> resolves the expiry
    /// century (the library reads no clock: pass the current UTC year); <paramref name="companyPrefixLengthField"/>
    /// names the option in errors (<c>--gcp-length</c> on the command line, <c>gcpLength</c> over HTTP).
    /// </summary>
    /// <exception cref="Gs1FormatException">Rule <c>gcp-length</c>, or <c>date</c> when the expiry does not exist in the resolved year.</exception>
    public static Gs1IdentifierJson Create(Gs1Identifier id, int? companyPrefixLength, int referenceYear, string companyPrefixLengthField = "gcpLength")
    {
        if (companyPrefixLength is < 6 or > 12)
            throw new Gs1FormatException(companyPrefixLengthField, "gcp-length",
                string.Create(CultureInfo.InvariantCulture, $"must be 6 to 12, got {companyPrefixLength}"));
        var expiry = id.Expiry?.Resolve(referenceYear).ToString();
        var digitalLink = Try(() => id.ToDigitalLink());
        var epcUri = companyPrefixLength is null && id.CompanyPrefixLength is null ? null : Try(() => id.ToEpcUri(companyPrefixLength));
        return new Gs1IdentifierJson(id, expiry, digitalLink, epcUri);
    }

    /// <summary>Writes the object to <paramref name="json"/>.</summary>
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("gtin", _id.Gtin?.Value);
        json.WriteString("serial", _id.Serial);
        json.WriteString("lot", _id.Lot);
        json.WriteString("expiry", _expiry);
        json.WriteString("sscc", _id.Sscc?.Value);
        json.WriteString("gln", _id.Gln?.Value);
        json.WriteString("digitalLink", _digitalLink);
        json.WriteString("epcUri", _epcUri);
        json.WriteString("elementString", _id.ToRawElementString());
        json.WriteString("bracketed", _id.ToBracketed());
        json.WriteString("symbology", _id.Form == Gs1InputForm.ScanData ? _id.Symbology.ToString() : null);
        json.WriteStartArray("ais");
        foreach (var e in _id.Elements)
        {
            json.WriteStartObject();
            json.WriteString("ai", e.Ai);
            json.WriteString("title", e.Title);
            json.WriteString("value", e.Value);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Writes the object as UTF-8 to <paramref name="stream"/>, indented for people or compact for the wire.</summary>
    public void WriteTo(Stream stream, bool indented)
    {
        using var json = new Utf8JsonWriter(stream, indented ? Indented : Compact);
        WriteTo(json);
    }

    /// <summary>The object as UTF-8 JSON bytes.</summary>
    public byte[] ToUtf8Bytes(bool indented = false)
    {
        using var buffer = new MemoryStream();
        WriteTo(buffer, indented);
        return buffer.ToArray();
    }

    private static string? Try(Func<string> f)
    {
        try
        {
            return f();
        }
        catch (Gs1FormatException)
        {
            return null;
        }
    }
}
