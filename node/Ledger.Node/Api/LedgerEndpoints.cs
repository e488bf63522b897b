using System.Globalization;
using Ledger.Node.Security;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ledger.Node.Api;

/// <summary>The ledger's own API under /v1 (docs/spec/api.md).</summary>
public static class LedgerEndpoints
{
    /// <summary>Media type of a canonical (RLP) signed batch body.</summary>
    public const string BatchMediaType = "application/vnd.ledger.batch";

    /// <summary>Maps the endpoints.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/batches", (Delegate)SubmitBatchAsync)
            .WithSummary("Submit a signed record batch (body: its canonical RLP as application/vnd.ledger.batch, or JSON {\"batch\":\"0x…\"}); answered once durable")
            .RequireAuthorization(LedgerPolicies.Party)
            .RequireRateLimiting(LedgerRateLimits.WritesPolicy);
        app.MapGet("/v1/provenance", (string? id, HttpContext c) => ProvenanceAsync(id, c))
            .WithSummary("Provenance of an identifier (?id= scan data, Digital Link, EPC URN, element string, GTIN+serial, SSCC) with every proof")
            .RequireAuthorization(LedgerPolicies.Party);
        app.MapGet("/v1/provenance/{**id}", (string id, HttpContext c) => ProvenanceAsync(id, c))
            .WithSummary("The same with the identifier in the path")
            .RequireAuthorization(LedgerPolicies.Party);
        // Headers, the head and consistency proofs carry only roots: anyone may read them (e.g. to check a lane against its anchors).
        app.MapGet("/v1/head", (Delegate)((HttpContext c) => WithCaller(c, (ledger, _) => ledger.Engine.Head is { Header: { } h } head
                ? Results.Json(LedgerJson.Header(h, Certified(ledger.Engine, head.Certificate)))
                : Results.Json(new { height = 0 }))))
            .WithSummary("The lane's latest signed header and certificate")
            .RequireAuthorization(LedgerPolicies.Anyone);
        app.MapGet("/v1/headers/{height:long}", (long height, HttpContext c) => WithCaller(c, (ledger, _) =>
                ledger.Engine.Store.GetHeader(height) is { } h ? Results.Json(LedgerJson.Header(h, Certified(ledger.Engine, ledger.Engine.Store.GetCertificate(height)))) : NotFound("height", $"no block at height {height}")))
            .WithSummary("A signed header and its certificate by height")
            .RequireAuthorization(LedgerPolicies.Anyone);
        app.MapGet("/v1/blocks/{height:long}", (long height, HttpContext c) => WithCaller(c, (ledger, caller) =>
            {
                return ledger.Engine.Store.GetBlock(height) is { } b
                    ? Results.Json(new
                    {
                        header = LedgerJson.Header(b.SignedHeader, Certified(ledger.Engine, ledger.Engine.Store.GetCertificate(height))),
                        batches = b.Batches.Select(x => new { author = x.Header.Author.ToString(), records = x.Records.Select(LedgerJson.Record).ToList() }).ToList(),
                        encoded = Hex.Encode0x(b.Encode()),
                    })
                    : NotFound("height", $"no block at height {height}");
            }))
            .WithSummary("A whole block (regulators)")
            .RequireAuthorization(LedgerPolicies.Regulator);
        app.MapGet("/v1/records/{id}", (string id, HttpContext c) => WithCaller(c, (ledger, caller) =>
            {
                var hash = ParseHash(id, "id");
                if (ledger.Engine.Store.GetRecord(hash) is not { } r)
                    return NotFound("id", $"record {id} is not on the ledger");
                // The addressee of a Ship reads it: it receives against it, maybe on another node than the sender's.
                if (!caller.IsRegulator && r.Author != caller.Party!.Address && !(r.Payload is ShipPayload ship && ship.ToParty == caller.Party.Address))
                    return Forbidden("a record is readable by its author, the addressee of a Ship, and regulators; use /v1/provenance for an item you handled");
                return Results.Json(LedgerJson.Record(r));
            }))
            .WithSummary("A record by id (its author, a Ship's addressee, or a regulator)")
            .RequireAuthorization(LedgerPolicies.Party);
        app.MapGet("/v1/proofs/inclusion/{id}", (string id, HttpContext c) => WithCaller(c, (ledger, _) =>
            {
                var hash = ParseHash(id, "id");
                if (ledger.Engine.GetInclusionProof(hash) is not { } p)
                    return NotFound("id", $"record {id} is not on the ledger");
                return Results.Json(new
                {
                    record = hash.ToString(),
                    height = p.Location.Height,
                    logIndex = p.Location.LogIndex,
                    treeSize = p.Proof.TreeSize,
                    proof = Hex.Encode0x(p.Proof.Encode()),
                    header = LedgerJson.Header(p.Head.Header!, p.Head.Certificate),
                });
            }))
            .WithSummary("Inclusion proof of a record in the lane log at the head")
            .RequireAuthorization(LedgerPolicies.Party);
        app.MapGet("/v1/proofs/consistency", (string? from, string? to, HttpContext c) => WithCaller(c, (ledger, _) =>
            {
                var head = ledger.Engine.Head.LogSize;
                var oldSize = from is null ? 0 : ParseLong(from, "from");
                var newSize = to is null ? head : ParseLong(to, "to");
                if (oldSize > newSize || newSize > head)
                    return BadRequest("from", "range", $"need 0 ≤ from ≤ to ≤ {head} (the head's log size)");
                var proof = ledger.Engine.GetConsistencyProof(oldSize, newSize);
                return Results.Json(new { from = oldSize, to = newSize, proof = Hex.Encode0x(proof.Encode()) });
            }))
            .WithSummary("Consistency proof between two lane log sizes (?from=&to=, to defaults to the head)")
            .RequireAuthorization(LedgerPolicies.Anyone);
        app.MapGet("/v1/alerts", (string? after, string? limit, HttpContext c) => WithCaller(c, (ledger, caller) =>
            {
                var afterSeq = after is null ? 0 : ParseLong(after, "after");
                var max = limit is null ? 100 : (int)Math.Clamp(ParseLong(limit, "limit"), 1, 1000);
                var alerts = ledger.Engine.Store.GetAlerts(afterSeq, caller.IsRegulator ? max : 10_000)
                    .Where(a => caller.IsRegulator || a.Author == caller.Party!.Address || (a.Item is { } i && ledger.Engine.Store.GetItem(i)?.Custodian == caller.Party!.Address))
                    .Take(max).ToList();
                return Results.Json(new { alerts = alerts.Select(LedgerJson.Alert).ToList(), next = alerts.Count > 0 ? alerts[^1].Sequence : afterSeq });
            }))
            .WithSummary("Alerts after a sequence (?after=&limit=); regulators see all, a party those it raised or about items it holds")
            .RequireAuthorization(LedgerPolicies.Party);
        app.MapGet("/v1/consortium", (Delegate)((HttpContext c) => WithCaller(c, (ledger, _) =>
            {
                var d = ledger.Consortium.Definition;
                return Results.Json(new
                {
                    name = d.Name,
                    version = d.Version,
                    quorum = d.Quorum,
                    nodes = d.Nodes.Select(n => new { name = n.Name, address = n.Address.ToString(), endpoint = n.Endpoint }).ToList(),
                    parties = d.Parties.Select(p => new
                    {
                        name = p.Name,
                        address = p.Address.ToString(),
                        roles = p.Roles.ToString(),
                        glns = p.Glns,
                        companyPrefixes = p.CompanyPrefixes,
                        node = p.Node.ToString(),
                    }).ToList(),
                });
            })))
            .WithSummary("The consortium: nodes, parties, quorum")
            .RequireAuthorization(LedgerPolicies.Party);
    }

    /// <summary>
    /// Runs <paramref name="action"/> with the open ledger and the caller the endpoint's authorization policy admitted
    /// (<see cref="Security.LedgerAuthentication.GetCaller(HttpContext)"/>); 503 while the ledger is not open.
    /// </summary>
    internal static async Task<IResult> WithCallerAsync(HttpContext context, Func<LedgerService, Caller, Task<IResult>> action)
    {
        var state = context.RequestServices.GetService(typeof(NodeState)) as NodeState;
        if (state?.Ledger is not { } ledger)
            return Results.Problem(ProblemTypes.Create(503, ProblemTypes.NotReady, "Not ready", "the ledger is not open yet", "ledger", "ready"));
        return await action(ledger, context.GetCaller());
    }

    private static Task<IResult> WithCaller(HttpContext context, Func<LedgerService, Caller, IResult> action) =>
        WithCallerAsync(context, (l, c) => Task.FromResult(action(l, c)));

    /// <summary>Every query parameter, decoded, repeated keys kept in order.</summary>
    internal static List<KeyValuePair<string, string?>> QueryParameters(HttpContext context) =>
        [.. context.Request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))];

    internal static IResult NotFound(string field, string detail) =>
        Results.Problem(ProblemTypes.Create(404, ProblemTypes.NotFound, "Not found", detail, field, "exists"));

    internal static IResult Forbidden(string detail) =>
        Results.Problem(ProblemTypes.Create(403, ProblemTypes.Forbidden, "Forbidden", detail, "Authorization", "permission"));

    internal static IResult BadRequest(string field, string rule, string detail) =>
        Results.Problem(ProblemTypes.Create(400, ProblemTypes.InvalidRequest, "Invalid request", detail, field, rule));

    internal static Hash32 ParseHash(string text, string field) =>
        Hash32.TryParse(text, out var h) ? h : throw new RecordFormatException(field, "hash", $"'{text}' is not a 32-byte hex hash");

    internal static long ParseLong(string text, string field) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw new RecordFormatException(field, "integer", $"'{text}' is not a non-negative integer");

    /// <summary>Any identifier form → the item it names (SGTIN or SSCC).</summary>
    /// <exception cref="Gs1FormatException">Not a GS1 identifier, or not a serialised item.</exception>
    public static ItemId ParseItem(string text, string field = "id")
    {
        var id = Gs1Identifier.Parse(text);
        if (id.Value("00") is { } sscc)
            return ItemId.Sscc(sscc, field);
        if (id.Value("01") is { } gtin && id.Serial is { } serial)
            return ItemId.Sgtin(gtin, serial, field);
        throw new Gs1FormatException(field, "serialised", "names no serialised item: give a GTIN with a serial (AI 01 + 21) or an SSCC (AI 00)");
    }

    private static Task<IResult> ProvenanceAsync(string? id, HttpContext context) => WithCaller(context, (ledger, caller) =>
        Results.Json(LedgerOperations.Provenance(ledger, caller, id is null ? null : Uri.UnescapeDataString(id))));

    private static async Task<IResult> SubmitBatchAsync(HttpContext context) => await WithCallerAsync(context, async (ledger, caller) =>
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        byte[] encoded;
        if (request.HasJsonContentType())
        {
            System.Text.Json.JsonDocument json;
            try
            {
                json = System.Text.Json.JsonDocument.Parse(buffer.ToArray());
            }
            catch (System.Text.Json.JsonException e)
            {
                return BadRequest("body", "json", "the body is not JSON: " + e.Message);
            }
            using (json)
            {
                if (json.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object || !json.RootElement.TryGetProperty("batch", out var b)
                    || b.ValueKind != System.Text.Json.JsonValueKind.String || !Hex.TryDecode(b.GetString()!, out encoded))
                    return BadRequest("batch", "hex", "the JSON body must be {\"batch\":\"0x<hex of the canonical signed batch>\"}");
            }
        }
        else
            encoded = buffer.ToArray();
        var result = await LedgerOperations.SubmitBatchAsync(ledger, caller, encoded, context.RequestAborted);
        return Results.Json(LedgerOperations.SubmissionJson(result));
    });

    /// <summary>The certificate when it holds the quorum's cosignatures; null while the block is accepted but not yet certified.</summary>
    internal static Certificate? Certified(Ledger.Engine.Lane.LedgerEngine engine, Certificate? certificate) =>
        certificate is not null && certificate.Cosignatures.Count >= engine.Quorum ? certificate : null;
}
