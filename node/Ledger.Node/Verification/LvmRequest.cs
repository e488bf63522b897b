using System.Text;
using Ledger.Protocol.Gs1;

namespace Ledger.Node.Verification;

/// <summary>
/// A GS1 Lightweight Verification Messaging request (DSCSA product identifier verification): an HTTP GET on a
/// GS1 Digital Link path for one serialised pack plus the query parameters <c>linkType=verificationService</c>,
/// <c>context</c>, <c>reqGLN</c>, <c>corrUUID</c> and optionally <c>exp</c> (or the Digital Link attribute
/// <c>17</c>). The same GET without <c>linkType</c> is a plain Digital Link resolution: it parses, with
/// <see cref="IsVerificationRequest"/> false and the verification members null. docs/spec/verification.md is the spec.
/// </summary>
public sealed class LvmRequest
{
    /// <summary>The <c>linkType</c> values that ask for verification: the short form, the CURIE and the full GS1 Web vocabulary URI.</summary>
    public static IReadOnlyList<string> VerificationLinkTypes { get; } =
        ["verificationService", "gs1:verificationService", "https://gs1.org/voc/verificationService", "http://gs1.org/voc/verificationService"];

    // Stem for relative paths; the Digital Link parser accepts any domain and ignores everything before the primary key.
    private const string Stem = "https://verification.invalid";

    private static readonly Gs1ParseOptions DigitalLinkOptions = new() { PermitConvenienceAlphas = true };

    private LvmRequest(IReadOnlyList<Gs1Element> elements, Gtin gtin, string serial, string? lot, Gs1Date? expiry,
        bool isVerification, string? linkType, string? context, Gln? requesterGln, Guid? correlationId)
    {
        Elements = elements;
        Gtin = gtin;
        Serial = serial;
        Lot = lot;
        Expiry = expiry;
        IsVerificationRequest = isVerification;
        LinkType = linkType;
        Context = context;
        RequesterGln = requesterGln;
        CorrelationId = correlationId;
    }

    /// <summary>Every GS1 AI the Digital Link carried (path, then AI query attributes), validated.</summary>
    public IReadOnlyList<Gs1Element> Elements { get; }

    /// <summary>AI (01).</summary>
    public Gtin Gtin { get; }

    /// <summary>AI (21), percent-decoded.</summary>
    public string Serial { get; }

    /// <summary>AI (10), percent-decoded, when the path has one.</summary>
    public string? Lot { get; }

    /// <summary>The expiry from <c>exp</c> or the attribute <c>17</c> (YYMMDD), when given.</summary>
    public Gs1Date? Expiry { get; }

    /// <summary>True when <c>linkType</c> asked for the verification service; false for a plain Digital Link resolution.</summary>
    public bool IsVerificationRequest { get; }

    /// <summary>The <c>linkType</c> value as given, or null.</summary>
    public string? LinkType { get; }

    /// <summary>The verification context (e.g. <c>dscsaSaleableReturn</c>); never null when <see cref="IsVerificationRequest"/>.</summary>
    public string? Context { get; }

    /// <summary>The requester's GLN (<c>reqGLN</c>); never null when <see cref="IsVerificationRequest"/>.</summary>
    public Gln? RequesterGln { get; }

    /// <summary>The correlation id (<c>corrUUID</c>) the response echoes; never null when <see cref="IsVerificationRequest"/>.</summary>
    public Guid? CorrelationId { get; }

    /// <summary>
    /// Parses a GET. <paramref name="path"/> is the request path as sent, still percent-encoded (in ASP.NET Core the
    /// raw target, not the decoded <c>Request.Path</c>: a decoded path cannot tell <c>%2F</c> from <c>/</c>); it may
    /// carry any prefix before the Digital Link part (<c>/vrs/01/...</c>), or be an absolute <c>http(s)://</c> URI
    /// without a query. <paramref name="query"/> holds the decoded query parameters (keys are case-sensitive).
    /// Paths: <c>/01/{gtin}/21/{serial}</c>, <c>/01/{gtin}/10/{lot}/21/{serial}</c>, any qualifier subset in the
    /// order 22, 10, 21, and the word form <c>/gtin/{gtin}/lot/{lot}/ser/{serial}</c>.
    /// </summary>
    /// <exception cref="LvmRequestException">The request breaks a rule; <see cref="LvmRequestException.Field"/> names the parameter or path part.</exception>
    public static LvmRequest Parse(string path, IEnumerable<KeyValuePair<string, string?>> query)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(query);
        var parameters = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in query)
            if (!parameters.TryAdd(key, value))
                throw new LvmRequestException(key, "duplicate", "appears more than once in the query");

        var elements = ParseDigitalLink(path, parameters);
        if (elements[0].Ai != "01")
            throw new LvmRequestException("01", "required", $"the path must identify a trade item by GTIN (/01/{{gtin}}), not by AI ({elements[0].Ai})");
        var gtin = Gtin.Parse(elements[0].Value);
        var serial = Value(elements, "21")
            ?? throw new LvmRequestException("21", "required", "the path must name the serial number (/21/{serial})");
        var lot = Value(elements, "10");
        var expiry = ParseExpiry(elements, parameters);

        parameters.TryGetValue("linkType", out var linkType);
        if (linkType is null)
            return new(elements, gtin, serial, lot, expiry, false, null, null, null, null);
        if (!VerificationLinkTypes.Contains(linkType, StringComparer.Ordinal))
            throw new LvmRequestException("linkType", "verificationService",
                $"'{linkType}' is not a verification link type; use one of {string.Join(", ", VerificationLinkTypes)}");

        var context = Required(parameters, "context");
        foreach (var c in context)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.'))
                throw new LvmRequestException("context", "syntax", $"character '{c}' is not allowed in a context code (letters, digits, _ - .)");
        var reqGln = Required(parameters, "reqGLN");
        Gln gln;
        try
        {
            gln = Gln.Parse(reqGln);
        }
        catch (Gs1FormatException e)
        {
            throw new LvmRequestException("reqGLN", e.Rule, $"'{reqGln}' is not a GLN: {e.Detail}", e);
        }
        var corr = Required(parameters, "corrUUID");
        if (!Guid.TryParseExact(corr, "D", out var correlationId))
            throw new LvmRequestException("corrUUID", "uuid", $"'{corr}' is not a UUID (8-4-4-4-12 hexadecimal digits)");
        return new(elements, gtin, serial, lot, expiry, true, linkType, context, gln, correlationId);
    }

    private static List<Gs1Element> ParseDigitalLink(string path, Dictionary<string, string?> parameters)
    {
        string uri;
        if (path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            uri = path;
        else if (path.StartsWith('/'))
            uri = Stem + path;
        else
            throw new LvmRequestException("path", "syntax", "must start with '/' (or be an absolute http(s) URI)");
        if (path.Contains('?', StringComparison.Ordinal) || path.Contains('#', StringComparison.Ordinal))
            throw new LvmRequestException("path", "syntax", "must not carry a query or fragment; pass the query parameters separately");

        // AI-named query parameters (e.g. 17) are Digital Link data attributes: the Digital Link parser checks them.
        var sb = new StringBuilder(uri);
        var separator = '?';
        foreach (var (key, value) in parameters)
        {
            if (key.Length == 0 || !key.All(char.IsAsciiDigit))
                continue;
            sb.Append(separator).Append(key).Append('=').Append(Gs1DigitalLink.Encode(value ?? ""));
            separator = '&';
        }
        try
        {
            return [.. Gs1DigitalLink.Parse(sb.ToString(), DigitalLinkOptions)];
        }
        catch (Gs1FormatException e)
        {
            throw new LvmRequestException(FieldOf(e.Field), e.Rule, e.Detail, e);
        }
    }

    private static Gs1Date? ParseExpiry(List<Gs1Element> elements, Dictionary<string, string?> parameters)
    {
        var fromAi = Value(elements, "17") is { } ai ? Gs1Date.Parse(ai) : (Gs1Date?)null;
        if (!parameters.TryGetValue("exp", out var exp))
            return fromAi;
        if (string.IsNullOrEmpty(exp))
            throw new LvmRequestException("exp", "required", "is empty; give the expiry as YYMMDD or leave the parameter out");
        Gs1Date date;
        try
        {
            date = Gs1Date.Parse(exp, "exp");
        }
        catch (Gs1FormatException e)
        {
            throw new LvmRequestException("exp", e.Rule, $"'{exp}' is not a YYMMDD date: {e.Detail}", e);
        }
        if (fromAi is { } other && other != date)
            throw new LvmRequestException("exp", "conflict", $"exp={date} and 17={other} name different expiry dates");
        return date;
    }

    private static string Required(Dictionary<string, string?> parameters, string name)
    {
        if (!parameters.TryGetValue(name, out var value) || value is null)
            throw new LvmRequestException(name, "required", "is required in a verification request");
        if (value.Length == 0)
            throw new LvmRequestException(name, "required", "is empty; a verification request needs a value");
        return value;
    }

    private static string? Value(List<Gs1Element> elements, string ai) => elements.FirstOrDefault(e => e.Ai == ai)?.Value;

    // "AI (21)" -> "21"; the Digital Link structure errors ("digital-link") -> "path".
    private static string FieldOf(string gs1Field) =>
        gs1Field.StartsWith("AI (", StringComparison.Ordinal) && gs1Field.EndsWith(')') ? gs1Field[4..^1]
        : gs1Field == "digital-link" ? "path"
        : gs1Field;
}
