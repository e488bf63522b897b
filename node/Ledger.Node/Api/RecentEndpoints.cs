using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ledger.Node.Api;

/// <summary>
/// Reads for overviews (docs/spec/api.md §6): the lane's latest signed headers in one answer, newest first. Headers carry
/// roots only, so anyone may read them, as <c>/v1/headers/{h}</c>.
/// </summary>
public static class RecentEndpoints
{
    /// <summary>Default number of headers of <c>/v1/headers/recent</c>.</summary>
    public const int DefaultLimit = 20;

    /// <summary>Most headers one answer of <c>/v1/headers/recent</c> carries.</summary>
    public const int MaxLimit = 100;

    /// <summary>Maps the endpoints.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/headers/recent", (string? before, string? limit, HttpContext c) => LedgerEndpoints.WithCallerAsync(c, (ledger, _) =>
            {
                var max = limit is null ? DefaultLimit : LedgerEndpoints.ParseLong(limit, "limit");
                if (max is < 1 or > MaxLimit)
                    return Task.FromResult(LedgerEndpoints.BadRequest("limit", "range", $"need 1 ≤ limit ≤ {MaxLimit}"));
                var store = ledger.Engine.Store;
                var top = ledger.Engine.Head.Header?.Header.Height ?? 0;
                var below = before is null ? top + 1 : LedgerEndpoints.ParseLong(before, "before");
                if (below < 1)
                    return Task.FromResult(LedgerEndpoints.BadRequest("before", "range", "need before ≥ 1 (the headers below that height)"));
                var headers = new List<object>();
                var h = Math.Min(below - 1, top);
                for (; h >= 1 && headers.Count < max; h--)
                {
                    if (store.GetHeader(h) is { } header)
                        headers.Add(LedgerJson.Header(header, LedgerEndpoints.Certified(ledger.Engine, store.GetCertificate(h))));
                }
                // h is now the height below the last one read: the following page starts there (none below height 1).
                return Task.FromResult(Results.Json(new { headers, next = h >= 1 ? h + 1 : (long?)null }));
            }))
            .WithSummary("The lane's latest signed headers, newest first (?before=<height>&limit=, default 20, at most 100); next is the before of the following page, null at height 1")
            .RequireAuthorization(Security.LedgerPolicies.Anyone);
    }
}
