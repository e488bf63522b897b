using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Ledger.Node.Api;

/// <summary>
/// The GS1 EPCIS 2.0 REST binding's HTTP conventions under <c>/epcis</c> (docs/spec/epcis-rest.md): the GS1 response
/// headers on every answer, the version and format request headers, content negotiation and the
/// <c>epcisException:*</c> problem types.
/// </summary>
public static partial class EpcisHttp
{
    /// <summary>The path prefix of the binding.</summary>
    public const string Prefix = "/epcis";

    /// <summary>The EPCIS and CBV version the node speaks (<c>GS1-EPCIS-Version</c>, <c>GS1-CBV-Version</c>).</summary>
    public const string Version = "2.0.0";

    /// <summary>The extension namespaces of the node's own fields, as <c>GS1-Extensions</c> states them.</summary>
    public const string Extensions = "ledger=urn:ledger:epcis:";

    /// <summary>The prefix of the standard's exception types.</summary>
    public const string ExceptionPrefix = "epcisException:";

    /// <summary>400: an invalid document, header or request (<c>field</c>, <c>rule</c> name what).</summary>
    public const string ValidationException = ExceptionPrefix + "ValidationException";

    /// <summary>400: an invalid query parameter.</summary>
    public const string QueryParameterException = ExceptionPrefix + "QueryParameterException";

    /// <summary>401/403.</summary>
    public const string SecurityException = ExceptionPrefix + "SecurityException";

    /// <summary>404.</summary>
    public const string NoSuchNameException = ExceptionPrefix + "NoSuchNameException";

    /// <summary>406.</summary>
    public const string NotAcceptableException = ExceptionPrefix + "NotAcceptableException";

    /// <summary>413 on capture.</summary>
    public const string CaptureLimitExceededException = ExceptionPrefix + "CaptureLimitExceededException";

    /// <summary>413 on a query.</summary>
    public const string QueryTooLargeException = ExceptionPrefix + "QueryTooLargeException";

    /// <summary>414.</summary>
    public const string UriTooLongException = ExceptionPrefix + "URITooLongException";

    /// <summary>415.</summary>
    public const string UnsupportedMediaTypeException = ExceptionPrefix + "UnsupportedMediaTypeException";

    /// <summary>5xx, 405, 429 and anything else the binding has no exception for.</summary>
    public const string ImplementationException = ExceptionPrefix + "ImplementationException";

    /// <summary>True for a request to the binding.</summary>
    public static bool IsEpcis(HttpContext context) => context.Request.Path.StartsWithSegments(Prefix, StringComparison.Ordinal);

    /// <summary>
    /// Gives a problem of a <c>/epcis</c> request the standard's exception type. The node's own type stays in the
    /// extension member <c>ledgerType</c>; <c>field</c> and <c>rule</c> are kept.
    /// </summary>
    internal static void Translate(ProblemDetails problem, HttpContext context)
    {
        if (problem.Type is { } t && t.StartsWith(ExceptionPrefix, StringComparison.Ordinal))
            return;
        if (problem.Type is { } own)
            problem.Extensions["ledgerType"] = own;
        var capture = context.Request.Path.StartsWithSegments(Prefix + "/capture", StringComparison.Ordinal);
        problem.Type = problem.Status switch
        {
            400 or 422 => ValidationException,
            401 or 403 => SecurityException,
            404 => NoSuchNameException,
            406 => NotAcceptableException,
            413 => capture ? CaptureLimitExceededException : QueryTooLargeException,
            414 => UriTooLongException,
            415 => UnsupportedMediaTypeException,
            _ => ImplementationException,
        };
    }

    /// <summary>Adds the GS1 headers to every <c>/epcis</c> answer and refuses requests whose GS1 headers the node cannot honour.</summary>
    public static void UseEpcisHeaders(IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            if (!IsEpcis(context))
            {
                await next(context);
                return;
            }
            context.Response.OnStarting(() =>
            {
                WriteVersionHeaders(context.Response.Headers);
                return Task.CompletedTask;
            });
            if (CheckRequestHeaders(context.Request) is { } problem)
            {
                context.Response.StatusCode = problem.Status!.Value;
                var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
                return;
            }
            await next(context);
        });
    }

    /// <summary>The headers every answer carries.</summary>
    internal static void WriteVersionHeaders(IHeaderDictionary headers)
    {
        headers["GS1-EPCIS-Version"] = Version;
        headers["GS1-EPCIS-Min"] = Version;
        headers["GS1-EPCIS-Max"] = Version;
        headers["GS1-CBV-Version"] = Version;
        headers["GS1-CBV-Min"] = Version;
        headers["GS1-CBV-Max"] = Version;
        headers["GS1-EPC-Format"] = "Never_Translates";
        headers["GS1-CBV-XML-Format"] = "Always_URN";
        headers["GS1-Extensions"] = Extensions;
        headers["GS1-Vendor-Version"] = "ledger-" + NodeEndpoints.Version;
    }

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    /// <summary>
    /// The request headers of the binding: <c>GS1-EPCIS-Version/Min/Max</c> and <c>GS1-CBV-Version/Min/Max</c> must be
    /// versions and admit 2.0.0; <c>GS1-EPC-Format</c> and <c>GS1-CBV-XML-Format</c> must be values of their enums the node
    /// can honour. Null when the request may proceed.
    /// </summary>
    internal static ProblemDetails? CheckRequestHeaders(HttpRequest request)
    {
        // GS1-EPCIS-Version / GS1-CBV-Version state the version of a capture body (the reader detects it): only their
        // form is checked. Min/Max bound the version of the answer, which is 2.0.0 alone.
        foreach (var name in new[] { "GS1-EPCIS-Version", "GS1-EPCIS-Min", "GS1-EPCIS-Max", "GS1-CBV-Version", "GS1-CBV-Min", "GS1-CBV-Max" })
        {
            var value = request.Headers[name].ToString().Trim();
            if (value.Length == 0)
                continue;
            if (value.Length > 32 || !VersionPattern().IsMatch(value))
                return ProblemTypes.Create(400, ValidationException, "Invalid GS1 header", $"{name}: '{value}' is not a version (e.g. 2.0.0)", name, "version");
            var c = CompareVersions(value, Version);
            if ((name.EndsWith("-Min", StringComparison.Ordinal) && c > 0) || (name.EndsWith("-Max", StringComparison.Ordinal) && c < 0))
                return ProblemTypes.Create(406, NotAcceptableException, "Conflicting request and response headers",
                    $"{name}: {value} excludes {Version}, the only version the node answers in", name, "version");
        }
        var epcFormat = request.Headers["GS1-EPC-Format"].ToString().Trim();
        switch (epcFormat)
        {
            case "" or "No_Preference" or "Never_Translates":
                break;
            case "Always_GS1_Digital_Link" or "Always_EPC_URN":
                return ProblemTypes.Create(406, NotAcceptableException, "Conflicting request and response headers",
                    $"GS1-EPC-Format: the node returns identifiers as they were captured (Never_Translates); {epcFormat} is not supported", "GS1-EPC-Format", "supported");
            default:
                return ProblemTypes.Create(400, ValidationException, "Invalid GS1 header",
                    $"GS1-EPC-Format: '{epcFormat}' is not one of No_Preference, Always_GS1_Digital_Link, Always_EPC_URN, Never_Translates", "GS1-EPC-Format", "enum");
        }
        var cbvFormat = request.Headers["GS1-CBV-XML-Format"].ToString().Trim();
        switch (cbvFormat)
        {
            case "" or "No_Preference" or "Always_URN" or "Never_Translates":
                break;
            case "Always_Web_URI":
                return ProblemTypes.Create(406, NotAcceptableException, "Conflicting request and response headers",
                    "GS1-CBV-XML-Format: the node writes CBV values in XML as URNs (Always_URN); Always_Web_URI is not supported", "GS1-CBV-XML-Format", "supported");
            default:
                return ProblemTypes.Create(400, ValidationException, "Invalid GS1 header",
                    $"GS1-CBV-XML-Format: '{cbvFormat}' is not one of No_Preference, Always_Web_URI, Always_URN, Never_Translates", "GS1-CBV-XML-Format", "enum");
        }
        return null;
    }

    /// <summary>Compares dotted versions numerically, missing parts as 0 (2.0 = 2.0.0).</summary>
    internal static int CompareVersions(string a, string b)
    {
        var x = a.Split('.');
        var y = b.Split('.');
        for (var i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            var p = i < x.Length ? x[i].TrimStart('0') : "";
            var q = i < y.Length ? y[i].TrimStart('0') : "";
            if (p.Length != q.Length)
                return p.Length.CompareTo(q.Length);
            var c = string.CompareOrdinal(p, q);
            if (c != 0)
                return Math.Sign(c);
        }
        return 0;
    }

    /// <summary>The representation a query answer is written in.</summary>
    internal enum Representation
    {
        /// <summary>JSON-LD, labelled application/json.</summary>
        Json,
        /// <summary>JSON-LD, labelled application/ld+json (asked for by name).</summary>
        JsonLd,
        /// <summary>EPCIS 2.0 XML.</summary>
        Xml,
    }

    /// <summary>The representation the <c>Accept</c> header asks for (by quality, then order), or null when none can be produced.</summary>
    internal static Representation? Negotiate(HttpRequest request)
    {
        var accept = request.Headers.Accept;
        if (accept.Count == 0 || string.IsNullOrWhiteSpace(accept.ToString()))
            return Representation.Json;
        if (!MediaTypeHeaderValue.TryParseList(accept, out var types) || types.Count == 0)
            return null;
        foreach (var t in types.Select((t, i) => (t, i)).OrderByDescending(x => x.t.Quality ?? 1).ThenBy(x => x.i).Select(x => x.t))
        {
            if (t.Quality == 0)
                continue;
            var media = t.MediaType.Value?.ToLowerInvariant();
            switch (media)
            {
                case "application/ld+json":
                    return Representation.JsonLd;
                case "application/json" or "application/*" or "*/*":
                    return Representation.Json;
                case "application/xml" or "text/xml" or "text/*":
                    return Representation.Xml;
            }
        }
        return null;
    }

    /// <summary>406 for an <c>Accept</c> the node cannot answer.</summary>
    internal static IResult NotAcceptable(string detail, string rule = "media-type") =>
        Results.Problem(ProblemTypes.Create(406, NotAcceptableException, "Conflicting request and response headers", detail, "Accept", rule));

    /// <summary>The media type name of a representation.</summary>
    internal static string MediaType(Representation r) => r switch
    {
        Representation.Xml => "application/xml",
        Representation.JsonLd => "application/ld+json",
        _ => "application/json",
    };

    /// <summary>Formats a UTC instant as the binding's date-time headers do.</summary>
    internal static string HeaderTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
