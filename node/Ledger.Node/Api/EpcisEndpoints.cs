using System.Globalization;
using System.Text;
using System.Text.Json;
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

    /// <summary>The most events one capture document may hold (<c>GS1-EPCIS-Capture-Limit</c>).</summary>
    public const int CaptureLimit = 10_000;

    /// <summary>Maps the endpoints.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/epcis/capture", (Delegate)CaptureAsync)
            .WithSummary("Capture an EPCIS document as the token's hosted party; answered 202 once every accepted event is durable, with the outcome per event")
            .RequireAuthorization(LedgerPolicies.HostedParty)
            .RequireRateLimiting(LedgerRateLimits.WritesPolicy);
        app.MapGet("/epcis/capture/{captureID}", (string captureID, HttpContext c) => LedgerEndpoints.WithCallerAsync(c, (ledger, caller) =>
                Task.FromResult(ledger.CaptureJobs.Get(captureID) is { } job && (caller.IsRegulator || job.Party == caller.Party!.Address)
                    ? Results.Text(job.Json, "application/json")
                    : LedgerEndpoints.NotFound("captureID", $"no capture job {captureID} of {caller.Party!.Name}"))))
            .WithSummary("A capture job")
            .RequireAuthorization(LedgerPolicies.Party);
        app.MapGet("/epcis/events", (Delegate)((HttpContext c) => QueryAsync(c, null)))
            .WithSummary("Query events (EPCIS 2.0 query parameters; docs/spec/epcis-query.md lists them)")
            .RequireAuthorization(LedgerPolicies.Party);
        app.MapGet("/epcis/events/{eventID}", (string eventID, HttpContext c) => EventAsync(c, Uri.UnescapeDataString(eventID)))
            .WithSummary("One event by its eventID (event hash ID or captured eventID), as an EPCISQueryDocument")
            .RequireAuthorization(LedgerPolicies.Party);
        app.MapGet("/epcis/epcs/{epc}/events", (string epc, HttpContext c) => QueryAsync(c, Uri.UnescapeDataString(epc)))
            .WithSummary("Events naming an EPC (URN or Digital Link, percent-encoded), with the query parameters")
            .RequireAuthorization(LedgerPolicies.Party);
        app.MapMethods("/epcis/{**path}", [HttpMethods.Options], (string? path, HttpContext c) => Options(c, path))
            .WithSummary("Discovery: the methods and GS1 headers of a binding resource")
            .AllowAnonymous();
    }

    /// <summary>The methods of each binding resource the node serves.</summary>
    private static string? AllowedMethods(string? path)
    {
        var segments = (path ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments switch
        {
            [] => "OPTIONS",
            ["capture"] => "OPTIONS, POST",
            ["capture", _] => "OPTIONS, GET",
            ["events"] => "OPTIONS, GET",
            ["events", _] => "OPTIONS, GET",
            ["epcs", _, "events"] => "OPTIONS, GET",
            _ => null,
        };
    }

    private static IResult Options(HttpContext context, string? path)
    {
        if (AllowedMethods(path) is not { } allow)
            return LedgerEndpoints.NotFound("path", $"no EPCIS resource /epcis/{path}");
        context.Response.Headers.Allow = allow;
        if ((path ?? "").TrimEnd('/') == "capture")
            WriteCaptureHeaders(context, all: true);
        return Results.NoContent();
    }

    private static void WriteCaptureHeaders(HttpContext context, bool all)
    {
        var options = context.RequestServices.GetService(typeof(NodeOptions)) as NodeOptions;
        context.Response.Headers["GS1-EPCIS-Capture-Limit"] = CaptureLimit.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["GS1-EPCIS-Capture-File-Size-Limit"] = (options?.MaxRequestBodyBytes ?? NodeOptions.DefaultMaxRequestBodyBytes).ToString(CultureInfo.InvariantCulture);
        if (all)
            context.Response.Headers[ErrorBehaviourHeader] = "all";
    }

    private static async Task<IResult> CaptureAsync(HttpContext context) => await LedgerEndpoints.WithCallerAsync(context, async (ledger, caller) =>
    {
        // The policy admitted a hosted party only.
        var hosted = caller.Hosted!;
        var type = context.Request.ContentType ?? "";
        if (!(context.Request.HasJsonContentType() || type.StartsWith("application/ld+json", StringComparison.OrdinalIgnoreCase)
              || type.StartsWith("application/xml", StringComparison.OrdinalIgnoreCase) || type.StartsWith("text/xml", StringComparison.OrdinalIgnoreCase)))
            return Results.Problem(ProblemTypes.Create(415, EpcisHttp.UnsupportedMediaTypeException, "Unsupported media type",
                "send the EPCIS document as application/ld+json, application/json or application/xml", "Content-Type", "media-type"));
        WriteCaptureHeaders(context, all: false);
        string behaviour = context.Request.Headers[ErrorBehaviourHeader].ToString() is { Length: > 0 } b ? b.Trim().ToLowerInvariant() : "rollback";
        if (behaviour is not ("rollback" or "proceed"))
            return LedgerEndpoints.BadRequest(ErrorBehaviourHeader, "enum", "must be rollback or proceed (all is the server's announcement, not a request)");
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        var document = EpcisReader.Read(text);
        if (document.Events.Count == 0)
            return LedgerEndpoints.BadRequest("epcisBody.eventList", "non-empty", "the document carries no events");
        if (document.Events.Count > CaptureLimit)
            return Results.Problem(ProblemTypes.Create(413, EpcisHttp.CaptureLimitExceededException, "Capture limit exceeded",
                string.Create(CultureInfo.InvariantCulture, $"the document carries {document.Events.Count} events; the node captures at most {CaptureLimit} per request (GS1-EPCIS-Capture-Limit)"),
                "epcisBody.eventList", "capture-limit"));
        var drafts = new List<Draft>(document.Events.Count);
        for (var i = 0; i < document.Events.Count; i++)
        {
            var e = document.Events[i];
            var hashId = EpcisEventHash.Compute(e);
            // recordTime is the node's (the block time, docs/spec/epcis-mapping.md): one a client sent is not kept.
            var stored = e with { EventId = e.EventId ?? hashId, RecordTime = null };
            // The document's prefixes travel with the event, so its extensions come back under the prefixes they were captured with.
            var payload = Encoding.UTF8.GetBytes(EpcisWriter.Write(new EpcisDocument
            {
                SchemaVersion = "2.0", CreationDate = document.CreationDate, Namespaces = document.Namespaces, Events = [stored],
            }, EpcisBinding.JsonLd));
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
        if (EpcisHttp.Negotiate(context.Request) is not { } representation)
            return Task.FromResult(EpcisHttp.NotAcceptable("answers are application/json, application/ld+json or application/xml"));
        var renderer = new Renderer(ledger);
        var found = ledger.Engine.Store.GetEvent(eventId);
        EpcisStoredEvent? hit = null;
        if (found is null)
        {
            // Not an event hash ID: look for a captured event with this eventID.
            var query = EpcisQuery.Parse([new("EQ_eventID", eventId)]);
            var page = EpcisQuery.Run(renderer.Visible(caller, 0), query);
            if (page.Items.Count > 0)
                hit = page.Items[0];
        }
        else
        {
            if (!caller.IsRegulator && found.Value.Event.Author != caller.Party!.Address)
                return Task.FromResult(LedgerEndpoints.Forbidden("an event is readable by the party that captured it and by regulators"));
            if (renderer.Render(found.Value.Sequence, found.Value.Event) is { } e)
                hit = new EpcisStoredEvent(found.Value.Sequence, e);
        }
        if (hit is null)
            return Task.FromResult(LedgerEndpoints.NotFound("eventID", $"no event {eventId}"));
        return Task.FromResult(renderer.Answer(context, representation, [hit.Value]));
    });

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
            var problem = ProblemTypes.Create(400, EpcisHttp.ExceptionPrefix + e.ExceptionType, e.ExceptionType, e.Message, e.Parameter, e.Rule);
            return Task.FromResult(Results.Problem(problem));
        }
        if (EpcisHttp.Negotiate(context.Request) is not { } representation)
            return Task.FromResult(EpcisHttp.NotAcceptable("answers are application/json, application/ld+json or application/xml"));
        var renderer = new Renderer(ledger);
        var page = EpcisQuery.Run(renderer.Visible(caller, query.AfterSequence ?? 0), query);
        if (page.NextPageToken is { } token)
        {
            var next = QueryString.Create(parameters.Where(p => p.Key != "nextPageToken").Append(new("nextPageToken", token)));
            context.Response.Headers.Link = $"<{context.Request.PathBase}{context.Request.Path}{next}>; rel=\"next\"";
            context.Response.Headers["GS1-Next-Page-Token"] = token;
        }
        return Task.FromResult(renderer.Answer(context, representation, page.Items));
    });

    /// <summary>
    /// Renders stored events for one answer: the stored single-event document (or the record, for a signed batch) read
    /// back, with the node's recordTime, and the captured documents' namespace prefixes.
    /// </summary>
    private sealed class Renderer(LedgerService ledger)
    {
        private readonly Dictionary<long, DateTimeOffset?> _blockTimes = [];
        private readonly Dictionary<long, EpcisList<KeyValuePair<string, string>>> _namespaces = [];

        public IEnumerable<(long Sequence, EpcisEvent Event)> Visible(Caller caller, long after) =>
            ledger.Engine.Store.GetEvents(after)
                .Where(x => caller.IsRegulator || x.Event.Author == caller.Party!.Address)
                .Select(x => (x.Sequence, Event: Render(x.Sequence, x.Event)))
                .Where(x => x.Event is not null)
                .Select(x => (x.Sequence, x.Event!));

        /// <summary>The event, or null for a signed-batch record EPCIS cannot state (e.g. a recall by a regulator that has no GLN).</summary>
        public EpcisEvent? Render(long sequence, StoredEvent stored)
        {
            EpcisDocument document;
            try
            {
                document = EpcisReader.Read(DocumentOf(ledger, stored));
            }
            catch (EpcisMappingException) when (stored.Payload.Length == 0)
            {
                return null;
            }
            if (!document.Namespaces.IsEmpty)
                _namespaces[sequence] = document.Namespaces;
            return document.Events[0] with { RecordTime = RecordTime(stored.Height) };
        }

        /// <summary>recordTime: the time of the block that committed the event (docs/spec/epcis-mapping.md).</summary>
        private DateTimeOffset? RecordTime(long height)
        {
            if (!_blockTimes.TryGetValue(height, out var time))
            {
                time = ledger.Engine.Store.GetHeader(height) is { } h ? DateTimeOffset.FromUnixTimeMilliseconds(h.Header.TimeMs) : null;
                _blockTimes[height] = time;
            }
            return time;
        }

        /// <summary>The EPCISQueryDocument of <paramref name="items"/> in the negotiated representation (406 when XML cannot state an event).</summary>
        public IResult Answer(HttpContext context, EpcisHttp.Representation representation, IReadOnlyList<EpcisStoredEvent> items)
        {
            var prefixes = new List<KeyValuePair<string, string>>();
            var taken = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in items)
            {
                if (_namespaces.TryGetValue(item.Sequence, out var ns))
                {
                    // First declaration of a prefix wins; a later event's other URI under it gets a generated prefix.
                    foreach (var kv in ns.Where(kv => taken.Add(kv.Key)))
                        prefixes.Add(kv);
                }
            }
            var document = new EpcisDocument
            {
                Kind = EpcisDocumentKind.Query,
                SchemaVersion = "2.0",
                CreationDate = DateTimeOffset.UtcNow,
                QueryName = "SimpleEventQuery",
                Namespaces = [.. prefixes],
                Events = [.. items.Select(i => i.Event)],
            };
            string text;
            try
            {
                text = EpcisWriter.Write(document, representation == EpcisHttp.Representation.Xml ? EpcisBinding.Xml20 : EpcisBinding.JsonLd);
            }
            catch (EpcisUnsupportedFeatureException e)
            {
                return EpcisHttp.NotAcceptable($"the answer cannot be written as EPCIS 2.0 XML: {e.Message}; ask for application/json", "xml-feature");
            }
            return Results.Text(text, EpcisHttp.MediaType(representation), Encoding.UTF8);
        }
    }

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
