using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Ledger.Protocol.Epcis;
using Ledger.Protocol.Epcis.Hashing;
using Ledger.Protocol.Gs1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace Ledger.Node;

/// <summary>The HTTP endpoints the node serves today: thin adapters over the protocol library.</summary>
public static class NodeEndpoints
{
    /// <summary>The node's version (informational version of this assembly).</summary>
    public static string Version { get; } =
        typeof(NodeEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Maps every endpoint onto <paramref name="endpoints"/>.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", Index)
            .WithSummary("This index of the endpoints");
        endpoints.MapGet("/healthz", () => Results.Json(new { status = "ok" }))
            .WithSummary("Liveness: 200 {\"status\":\"ok\"} while the process serves");
        endpoints.MapGet("/readyz", (NodeState state) => state.IsReady
                ? Results.Json(new { status = "ready" })
                : Results.Json(new { status = "not-ready", pending = state.Pending }, statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithSummary("Readiness: 200 once the node key is loaded, 503 before");
        endpoints.MapGet("/v1/node", NodeInfo)
            .WithSummary("This node: {address, formatVersion, version}");
        endpoints.MapGet("/v1/gs1/parse", (string? input, string? gcpLength, TimeProvider time) =>
                Gs1Parse(input, ParseGcpLength(gcpLength), time))
            .WithSummary("Parse any GS1 identifier form (?input=…&gcpLength=…) into every form, as `ledger gs1 parse` prints it");
        endpoints.MapPost("/v1/gs1/parse", Gs1ParseBodyAsync)
            .WithSummary("The same with a JSON body {\"input\":…, \"gcpLength\":…} (scan data with GS separators needs no URL escaping)");
        endpoints.MapPost("/v1/epcis/hash", EpcisHashAsync)
            .WithSummary("CBV 2.0 event hash IDs of an EPCIS document (2.0 JSON-LD, 2.0 XML or 1.2 XML), one per event in document order");
    }

    private static async Task<IResult> EpcisHashAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var type = request.ContentType ?? "";
        if (!(request.HasJsonContentType() || type.StartsWith("application/ld+json", StringComparison.OrdinalIgnoreCase)
              || type.StartsWith("application/xml", StringComparison.OrdinalIgnoreCase) || type.StartsWith("text/xml", StringComparison.OrdinalIgnoreCase)))
            return Results.Problem(ProblemTypes.Create(StatusCodes.Status415UnsupportedMediaType, ProblemTypes.UnsupportedMediaType,
                "Unsupported media type", "send the EPCIS document as application/ld+json, application/json or application/xml", "Content-Type", "media-type"));
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(cancellationToken);
        var document = EpcisReader.Read(text);
        return Results.Json(new { eventHashIds = EpcisEventHash.ComputeAll(document) });
    }

    private static IResult Index(EndpointDataSource source) =>
        Results.Json(new
        {
            name = "ledger-node",
            version = Version,
            endpoints = source.Endpoints.OfType<RouteEndpoint>()
                .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(method => new
                {
                    method,
                    path = e.RoutePattern.RawText,
                    summary = e.Metadata.GetMetadata<IEndpointSummaryMetadata>()?.Summary,
                }))
                .ToList(),
        });

    private static IResult NodeInfo(NodeState state)
    {
        if (state.Identity is not { } identity)
            return NotReady(state);
        return Results.Json(new { address = identity.Address.ToString(), formatVersion = NodeIdentity.FormatVersion, version = Version });
    }

    private static IResult Gs1Parse(string? input, int? gcpLength, TimeProvider time)
    {
        if (string.IsNullOrEmpty(input))
            return InvalidRequest("input", "required", "input is required: scan data, an element string, bracketed AIs, a GS1 Digital Link URI or an EPC URI");
        var id = Gs1Identifier.Parse(input);
        var json = Gs1IdentifierJson.Create(id, gcpLength, time.GetUtcNow().Year);
        return Results.Bytes(json.ToUtf8Bytes(), "application/json; charset=utf-8");
    }

    private static async Task<IResult> Gs1ParseBodyAsync(HttpRequest request, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
            return Results.Problem(ProblemTypes.Create(StatusCodes.Status415UnsupportedMediaType, ProblemTypes.UnsupportedMediaType,
                "Unsupported media type", "send the body as application/json", "Content-Type", "media-type"));
        Gs1ParseRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<Gs1ParseRequest>(request.Body, JsonSerializerOptions.Web, cancellationToken);
        }
        catch (JsonException ex)
        {
            return InvalidRequest("body", "json", $"the body is not a JSON object {{\"input\": string, \"gcpLength\": integer?}}: {ex.Message}");
        }
        return Gs1Parse(body?.Input, body?.GcpLength, time);
    }

    private static int? ParseGcpLength(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw new Gs1FormatException("gcpLength", "gcp-length", $"must be an integer 6 to 12, got '{text}'");
        return n;
    }

    private static IResult InvalidRequest(string field, string rule, string detail) =>
        Results.Problem(ProblemTypes.Create(StatusCodes.Status400BadRequest, ProblemTypes.InvalidRequest, "Invalid request", detail, field, rule));

    private static IResult NotReady(NodeState state) =>
        Results.Problem(ProblemTypes.Create(StatusCodes.Status503ServiceUnavailable, ProblemTypes.NotReady, "Node not ready",
            "still loading: " + string.Join(", ", state.Pending)));

    private sealed record Gs1ParseRequest(string? Input, int? GcpLength);
}
