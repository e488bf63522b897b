using System.Globalization;
using Ledger.Engine.Lane;
using Ledger.Node.Verification;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Ledger.Node.Security;

namespace Ledger.Node.Api;

/// <summary>
/// GS1 Digital Link paths of a pack: with <c>linkType=verificationService</c> a GS1 Lightweight Verification Messaging
/// request (anyone may ask; every verification is recorded); without it, the product passport (authenticated).
/// </summary>
public static class ProductEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/01/{**rest}", (Delegate)HandleAsync)
            .WithSummary("Digital Link of a pack: ?linkType=verificationService&context=&reqGLN=&corrUUID=[&exp=] verifies (GS1 LVM); otherwise the product passport")
            .RequireAuthorization(LedgerPolicies.DigitalLink)
            .WithMetadata(LedgerRateLimits.VerificationEndpoint);
        app.MapGet("/gtin/{**rest}", (Delegate)HandleAsync)
            .WithSummary("The same in the word form /gtin/{gtin}/lot/{lot}/ser/{serial}")
            .RequireAuthorization(LedgerPolicies.DigitalLink)
            .WithMetadata(LedgerRateLimits.VerificationEndpoint);
        app.MapGet("/00/{sscc}", (string sscc, HttpContext c) => LedgerEndpoints.WithCallerAsync(c, (ledger, caller) =>
                Task.FromResult(Passport(ledger, caller, ItemId.Sscc(sscc, "00")))))
            .WithSummary("The passport of a logistic unit (SSCC)")
            .RequireAuthorization(LedgerPolicies.Party);
    }

    private static async Task<IResult> HandleAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var path = raw.Split('?', 2)[0];
        var query = LedgerEndpoints.QueryParameters(context);
        LvmRequest request;
        try
        {
            request = LvmRequest.Parse(path, query);
        }
        catch (LvmRequestException e)
        {
            return Results.Problem(ProblemTypes.Create(400, ProblemTypes.InvalidRequest, "Invalid verification request", e.Message, e.Field, e.Rule));
        }
        var item = ItemId.Sgtin(request.Gtin.Value, request.Serial, "21");
        if (!request.IsVerificationRequest)
            return await LedgerEndpoints.WithCallerAsync(context, (ledger, caller) => Task.FromResult(Passport(ledger, caller, item)));
        return await LedgerEndpoints.WithCallerAsync(context, (ledger, caller) => VerifyAsync(context, ledger, caller, request));
    }

    private static async Task<IResult> VerifyAsync(HttpContext context, LedgerService ledger, Caller caller, LvmRequest request) =>
        Results.Bytes(await LedgerOperations.VerifyProductAsync(ledger, caller, request, context.RequestAborted), "application/json");

    private static IResult Passport(LedgerService ledger, Caller caller, ItemId item)
    {
        // Several nodes: the item's history is on several lanes (docs/spec/verifier.md §7).
        var answer = ledger.Engine.Consortium.NodeAddresses.Count > 1 ? ledger.Engine.GetProvenanceAcrossLanes(item).ToHistory() : ledger.Engine.GetProvenance(item);
        if (answer.State is null && answer.Records.Count == 0)
            return LedgerEndpoints.NotFound("item", $"{item} is not on this ledger");
        if (!caller.IsRegulator && !Involved(ledger, caller, answer))
            return LedgerEndpoints.Forbidden($"{caller.Party!.Name} never held, shipped, received or owns the brand of {item}; anyone may verify it with linkType=verificationService");
        var parents = new List<object>();
        for (var p = answer.State?.Parent; p is not null;)
        {
            var s = ledger.Engine.Store.GetItem(p);
            parents.Add(new { item = p.ToString(), status = s?.Status.ToString() });
            p = s?.Parent;
        }
        var party = (Ledger.Protocol.Crypto.Address a) => ledger.Consortium.Find(a)?.Name;
        return Results.Json(new
        {
            format = "ledger-passport/v1",
            item = item.ToString(),
            digitalLink = item.Scheme == ItemScheme.Sgtin ? new Sgtin(Gtin.Parse(item.Key), item.Serial).ToDigitalLink() : null,
            status = answer.Status?.ToString(),
            gtin = answer.State?.Gtin,
            lot = answer.State?.Lot,
            expiry = answer.State?.Expiry,
            custodian = answer.State is { } st ? new { address = st.Custodian.ToString(), name = party(st.Custodian), location = st.Location } : null,
            brandOwner = answer.State?.Gtin is { } gtin ? ledger.Consortium.BrandOwnerOf(gtin)?.Name : null,
            hierarchy = new
            {
                parents,
                children = answer.Children.Select(c => new { item = c.Item.ToString(), status = c.Status.ToString() }).ToList(),
            },
            alerts = answer.Alerts.Select(LedgerJson.Alert).ToList(),
            history = answer.Records.Select(e => new
            {
                record = e.Record.Id.ToString(),
                kind = e.Record.Kind.ToString(),
                author = e.Record.Author.ToString(),
                authorName = party(e.Record.Author),
                time = DateTimeOffset.FromUnixTimeMilliseconds(e.Record.TimeMs).ToString("O", CultureInfo.InvariantCulture),
                block = e.Height,
                summary = Summary(e.Record.Payload, party),
            }).ToList(),
            proof = $"/v1/provenance?id={Uri.EscapeDataString(item.Scheme == ItemScheme.Sscc ? "urn:epc:id:sscc:" + item.Key : "(01)" + item.Key + "(21)" + item.Serial)}",
        });
    }

    internal static bool Involved(LedgerService ledger, Caller caller, ProvenanceAnswer answer)
    {
        var me = caller.Party!.Address;
        if (answer.State is { } s && (s.Custodian == me || s.PendingShip?.ToParty == me))
            return true;
        if (answer.State?.Gtin is { } gtin && ledger.Consortium.BrandOwnerOf(gtin)?.Address == me)
            return true;
        return answer.Records.Any(e => e.Record.Author == me || (e.Record.Payload is ShipPayload p && p.ToParty == me));
    }

    private static string Summary(RecordPayload payload, Func<Ledger.Protocol.Crypto.Address, string?> party) => payload switch
    {
        CommissionPayload p => $"commissioned lot {p.Lot}, expiry {p.Expiry}, at {p.Site}",
        PackPayload p => $"packed into {p.Parent} at {p.Location}",
        UnpackPayload p => $"unpacked from {p.Parent} at {p.Location}",
        ShipPayload p => $"shipped from {p.From} to {party(p.ToParty) ?? p.ToParty.ToString()} at {p.ToLocation}",
        ReceivePayload p => $"received at {p.Location}" + (p.Discrepancies.Count > 0 ? $" with {p.Discrepancies.Count} discrepancies" : ""),
        VerifyPayload p => $"verified ({p.Context})" + (p.Location.Length > 0 ? $" for {p.Location}" : ""),
        DecommissionPayload p => $"decommissioned: {p.State} at {p.Location}" + (p.Reason.Length > 0 ? $" ({p.Reason})" : ""),
        ReactivatePayload p => $"reactivated at {p.Location}",
        RecallPayload p => $"recalled: {p.Reason}",
        WithdrawPayload p => $"withdrawn: {p.Reason}",
        ObservationPayload p => $"observed at {p.Location}: {string.Join(", ", p.Readings.Select(r => $"{r.Type} {r.Value} {r.Uom}"))}",
        _ => payload.Kind.ToString(),
    };
}
