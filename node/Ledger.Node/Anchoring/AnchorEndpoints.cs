using Ledger.Engine.Anchoring;
using Ledger.Node.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ledger.Node.Anchoring;

/// <summary>Anchor reads: <c>GET /v1/anchors</c> and <c>GET /v1/headers?logSize=</c> (anyone: anchors are public on the chain, headers carry only roots).</summary>
public static class AnchorEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/anchors", (string? after, string? limit, HttpContext c) => LedgerEndpoints.WithCallerAsync(c, (ledger, _) =>
            {
                var afterSeq = after is null ? 0 : LedgerEndpoints.ParseLong(after, "after");
                var max = limit is null ? 100 : (int)Math.Clamp(LedgerEndpoints.ParseLong(limit, "limit"), 1, 1000);
                var anchors = ledger.Anchors.List(afterSeq, max);
                return Task.FromResult(Results.Json(new
                {
                    anchors = anchors.Select(LedgerJson.Anchor).ToList(),
                    next = anchors.Count > 0 ? anchors[^1].Sequence : afterSeq,
                }));
            }))
            .WithSummary("Anchors this node submitted or saw (?after=&limit=): lane, size, root, header, chain, contract, transaction, status")
            .RequireAuthorization(Security.LedgerPolicies.Anyone);
        app.MapGet("/v1/headers", (string? logSize, HttpContext c) => LedgerEndpoints.WithCallerAsync(c, (ledger, _) =>
            {
                if (logSize is null)
                    return Task.FromResult(LedgerEndpoints.BadRequest("logSize", "required", "give ?logSize=<n>, or ask /v1/headers/{height}"));
                var size = LedgerEndpoints.ParseLong(logSize, "logSize");
                return Task.FromResult(LaneAnchors.FindHeaderByLogSize(ledger.Engine.Store, size) is { } h
                    ? Results.Json(LedgerJson.Header(h, ledger.Engine.Store.GetCertificate(h.Header.Height)))
                    : LedgerEndpoints.NotFound("logSize", $"no header has log size {size}"));
            }))
            .WithSummary("The signed header whose log size is exactly ?logSize= (to check an anchored size)")
            .RequireAuthorization(Security.LedgerPolicies.Anyone);
    }
}
