using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Engine.Epcis;
using Ledger.Engine.Lane;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Epcis;
using Ledger.Protocol.Epcis.Hashing;
using Ledger.Protocol.Mapping;
using Ledger.Protocol.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Ledger.Node.Security;

namespace Ledger.Node.Api;

/// <summary>The GS1 EPCIS 2.0 REST binding: capture (2.0 JSON-LD, 2.0 XML, 1.2 XML) and query.</summary>
public static class EpcisEndpoints
{
    /// <summary>The capture error behaviour header of the EPCIS 2.0 REST binding.</summary>
    public const string ErrorBehaviourHeader = "GS1-Capture-Error-Behaviour";

    /// <summary>Maps the endpoints.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/epcis/capture", (Delegate)CaptureAsync)
            .WithSummary("Capture an EPCIS document as the token's hosted party; answered 202 once every accepted event is durable, with the outcome per event")
            .RequireAuthorization(LedgerPolicies.HostedParty)
            .RequireRateLimiting(LedgerRateLimits.WritesPolicy);
        app.MapGet("/epcis/capture/{captureId}", (string captureId, HttpContext c) => LedgerEndpoints.WithCallerAsync(c, (ledger, caller) =>
                Task.FromResult(ledger.CaptureJobs.Get(captureId) is { } job && (caller.IsRegulator || job.Party == caller.Party!.Address)
                    ? Results.Text(job.Json, "application/json")
                    : LedgerEndpoints.NotFound("captureId", $"no capture job {captureId} of {caller.Party!.Name}"))))
            .WithSummary("A capture job")
            .RequireAuthorization(LedgerPolicies.Party);
        app.MapGet("/epcis/events", (Delegate)((HttpContext c) => QueryAsync(c, null)))
            .WithSummary("Query events (EPCIS 2.0 query parameters: eventType, EQ_bizStep, EQ_disposition, MATCH_epc, MATCH_anyEPC, EQ_bizLocation, GE_eventTime, LT_eventTime, EQ_bizTransaction_<type>, perPage, nextPageToken, …)")
            .RequireAuthorization(LedgerPolicies.Party);
        app.MapGet("/epcis/events/{**eventId}", (string eventId, HttpContext c) => EventAsync(c, Uri.UnescapeDataString(eventId)))
            .WithSummary("One event by its eventID (event hash ID)")
            .RequireAuthorization(LedgerPolicies.Party);
        app.MapGet("/epcis/epcs/{**epc}", (string epc, HttpContext c) => QueryAsync(c, Uri.UnescapeDataString(epc)))
            .WithSummary("Events naming an EPC (URN or Digital Link), with the query parameters")
            .RequireAuthorization(LedgerPolicies.Party);
    }

    private static async Task<IResult> CaptureAsync(HttpContext context) => await LedgerEndpoints.WithCallerAsync(context, async (ledger, caller) =>
    {
        // The policy admitted a hosted party only.
        var hosted = caller.Hosted!;
        var type = context.Request.ContentType ?? "";
        if (!(context.Request.HasJsonContentType() || type.StartsWith("application/ld+json", StringComparison.OrdinalIgnoreCase)
              || type.StartsWith("application/xml", StringComparison.OrdinalIgnoreCase) || type.StartsWith("text/xml", StringComparison.OrdinalIgnoreCase)))
            return Results.Problem(ProblemTypes.Create(415, ProblemTypes.UnsupportedMediaType, "Unsupported media type",
                "send the EPCIS document as application/ld+json, application/json or application/xml", "Content-Type", "media-type"));
        string behaviour = context.Request.Headers[ErrorBehaviourHeader].ToString() is { Length: > 0 } b ? b.Trim().ToLowerInvariant() : "rollback";
        if (behaviour is not ("rollback" or "proceed"))
            return LedgerEndpoints.BadRequest(ErrorBehaviourHeader, "value", "must be rollback or proceed");
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        var document = EpcisReader.Read(text);
        if (document.Events.Count == 0)
            return LedgerEndpoints.BadRequest("epcisBody.eventList", "non-empty", "the document carries no events");
        var drafts = new List<Draft>(document.Events.Count);
        for (var i = 0; i < document.Events.Count; i++)
        {
            var e = document.Events[i];
            var hashId = EpcisEventHash.Compute(e);
            var stored = e with { EventId = e.EventId ?? hashId };
            var payload = Encoding.UTF8.GetBytes(EpcisWriter.Write(new EpcisDocument { SchemaVersion = "2.0", CreationDate = document.CreationDate, Events = [stored] }, EpcisBinding.JsonLd));
            var index = i;
            drafts.Add(new Draft(hashId, view =>
            {
                var mapping = new ViewMappingContext(ledger, view);
                return [.. EpcisRecordMapper.Map(e, index, mapping).Select(m => m.ToRecord(hosted.Address, view.DepsFor(m.Payload.Items)))];
            }, payload));
        }
        var result = await ledger.Engine.SubmitHostedAsync(hosted.Key, drafts, behaviour == "rollback", context.RequestAborted);
        var captureId = CaptureJobStore.NewId();
        var events = result.Outcomes.Select((o, i) => new
        {
            eventID = document.Events[i].EventId ?? drafts[i].Key,
            eventHashID = drafts[i].Key,
            outcome = o.Status.ToString().ToLowerInvariant(),
            recordIds = o.RecordIds.Select(r => r.ToString()).ToList(),
            block = o.Height,
            code = o.Code,
            message = o.Message,
            field = o.Field,
            rule = o.Rule,
            alerts = o.Alerts.Select(a => new { kind = a.Kind.ToString(), item = a.Item?.ToString(), evidence = a.Evidence }).ToList(),
        }).ToList();
        var created = DateTimeOffset.UtcNow;
        var now = created.ToString("O", CultureInfo.InvariantCulture);
        var job = new
        {
            captureID = captureId,
            createdAt = now,
            finishedAt = now,
            running = false,
            success = result.Accepted,
            captureErrorBehaviour = behaviour,
            party = hosted.Address.ToString(),
            errors = events.Where(e => e.outcome == "rejected").Select(e => new { eventID = e.eventID, code = e.code, message = e.message, field = e.field, rule = e.rule }).ToList(),
            events,
        };
        // Durable (sync) before the answer names it; the capture's records are durable already.
        ledger.CaptureJobs.Save(new CaptureJob(captureId, hosted.Address, created.ToUnixTimeMilliseconds(), JsonSerializer.Serialize(job)));
        context.Response.Headers.Location = "/epcis/capture/" + captureId;
        return Results.Json(job, statusCode: StatusCodes.Status202Accepted);
    });

    private static async Task<IResult> EventAsync(HttpContext context, string eventId) => await LedgerEndpoints.WithCallerAsync(context, (ledger, caller) =>
    {
        var found = ledger.Engine.Store.GetEvent(eventId);
        if (found is null)
        {
            // Not an event hash ID: look for a captured event with this eventID.
            var query = EpcisQuery.Parse([new("EQ_eventID", eventId)]);
            var page = EpcisQuery.Run(Visible(ledger, caller, 0), query);
            return Task.FromResult(page.Items.Count == 0 ? LedgerEndpoints.NotFound("eventID", $"no event {eventId}") : Results.Json(EventJson(page.Items[0].Sequence, ledger)));
        }
        if (!caller.IsRegulator && found.Value.Event.Author != caller.Party!.Address)
            return Task.FromResult(LedgerEndpoints.Forbidden("an event is readable by the party that captured it and by regulators"));
        return Task.FromResult(Results.Json(EventJson(found.Value.Sequence, ledger)));
    });

    private static JsonNode EventJson(long sequence, LedgerService ledger) =>
        JsonNode.Parse(DocumentOf(ledger, ledger.Engine.Store.GetEventAt(sequence)!))!["epcisBody"]!["eventList"]![0]!.DeepClone();

    /// <summary>The stored single-event document; for a record submitted as a signed batch, rendered from the record now.</summary>
    private static string DocumentOf(LedgerService ledger, StoredEvent stored)
    {
        if (stored.Payload.Length > 0)
            return Encoding.UTF8.GetString(stored.Payload);
        var record = ledger.Engine.Store.GetRecord(stored.RecordIds[0])!;
        var e = RecordEpcisMapper.ToEvent(record, new DirectoryMappingContext(ledger));
        e = e with { EventId = EpcisEventHash.Compute(e) };
        return EpcisWriter.Write(new EpcisDocument { SchemaVersion = "2.0", CreationDate = e.EventTime, Events = [e] }, EpcisBinding.JsonLd);
    }

    private static IEnumerable<(long Sequence, EpcisEvent Event)> Visible(LedgerService ledger, Caller caller, long after) =>
        ledger.Engine.Store.GetEvents(after)
            .Where(x => caller.IsRegulator || x.Event.Author == caller.Party!.Address)
            .Select(x => (x.Sequence, Event: Render(ledger, x.Event)))
            .Where(x => x.Event is not null)
            .Select(x => (x.Sequence, x.Event!));

    /// <summary>The event, or null for a signed-batch record EPCIS cannot state (e.g. a recall by a regulator that has no GLN).</summary>
    private static EpcisEvent? Render(LedgerService ledger, StoredEvent stored)
    {
        try
        {
            return EpcisReader.Read(DocumentOf(ledger, stored)).Events[0];
        }
        catch (EpcisMappingException) when (stored.Payload.Length == 0)
        {
            return null;
        }
    }

    private static async Task<IResult> QueryAsync(HttpContext context, string? epc) => await LedgerEndpoints.WithCallerAsync(context, (ledger, caller) =>
    {
        var parameters = LedgerEndpoints.QueryParameters(context);
        EpcisQuery query;
        try
        {
            query = epc is null ? EpcisQuery.Parse(parameters) : EpcisQuery.ParseForEpc(epc, parameters);
        }
        catch (EpcisQueryException e)
        {
            var problem = ProblemTypes.Create(400, "epcisException:" + e.ExceptionType, e.ExceptionType, e.Message, e.Parameter, e.Rule);
            return Task.FromResult(Results.Problem(problem));
        }
        var page = EpcisQuery.Run(Visible(ledger, caller, query.AfterSequence ?? 0), query);
        var body = new JsonObject
        {
            ["@context"] = new JsonArray("https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"),
            ["type"] = "EPCISQueryDocument",
            ["schemaVersion"] = "2.0",
            ["creationDate"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["epcisBody"] = new JsonObject
            {
                ["queryResults"] = new JsonObject
                {
                    ["queryName"] = "SimpleEventQuery",
                    ["resultsBody"] = new JsonObject
                    {
                        ["eventList"] = new JsonArray([.. page.Items.Select(i => EventJson(i.Sequence, ledger))]),
                    },
                },
            },
        };
        if (page.NextPageToken is { } token)
        {
            var next = QueryString.Create(parameters.Where(p => p.Key != "nextPageToken").Append(new("nextPageToken", token)));
            context.Response.Headers.Link = $"<{context.Request.Path}{next}>; rel=\"next\"";
            context.Response.Headers["GS1-Next-Page-Token"] = token;
        }
        return Task.FromResult(Results.Text(body.ToJsonString(), "application/ld+json"));
    });

    /// <summary>The mapping context for rendering stored records: GLN owners from the consortium, ships from the record's own fields.</summary>
    private sealed class DirectoryMappingContext(LedgerService ledger) : IEpcisMappingContext
    {
        public Address? PartyForGln(string gln) => ledger.Consortium.OwnerOfGln(gln)?.Address;

        public string? GlnForParty(Address party) => ledger.Consortium.Find(party) is { Glns.Count: > 0 } p ? p.Glns[0] : null;

        public Hash32? ShipFor(IReadOnlyList<ItemId> items) => null;
    }

    /// <summary>The mapping context over the sequencer's view: GLN owners from the consortium, ships from item state.</summary>
    private sealed class ViewMappingContext(LedgerService ledger, ILaneView view) : IEpcisMappingContext
    {
        public Address? PartyForGln(string gln) => ledger.Consortium.OwnerOfGln(gln)?.Address;

        public string? GlnForParty(Address party) => ledger.Consortium.Find(party) is { Glns.Count: > 0 } p ? p.Glns[0] : null;

        public Hash32? ShipFor(IReadOnlyList<ItemId> items) => items.Select(view.Get).FirstOrDefault(s => s?.PendingShip is not null)?.PendingShip!.Ship;
    }
}
