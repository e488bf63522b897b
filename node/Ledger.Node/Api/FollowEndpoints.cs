using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Engine.Lane;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ledger.Node.Api;

/// <summary>
/// <c>GET /v1/follow?after=&lt;cursor&gt;</c>: the records and alerts a party may read, as server-sent events
/// (docs/spec/api.md §7), written from <see cref="FollowFeed"/>.
/// </summary>
public static class FollowEndpoints
{
    /// <summary>Interval between heartbeat comment lines while nothing is sent.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    /// <summary>Maps the endpoint.</summary>
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/v1/follow", (string? after, HttpContext c) => LedgerEndpoints.WithCallerAsync(c, (ledger, caller) => FollowAsync(after, c, ledger, caller)))
            .WithSummary("Server-sent events (text/event-stream) of the records and alerts the caller may read, after a cursor (?after= or Last-Event-ID)")
            .RequireAuthorization(Security.LedgerPolicies.Party);

    private static async Task<IResult> FollowAsync(string? after, HttpContext context, LedgerService ledger, Caller caller)
    {
        var text = after ?? (string?)context.Request.Headers["Last-Event-ID"];
        FollowCursor cursor;
        try
        {
            cursor = FollowFeed.ParseCursor(text, after is null ? "Last-Event-ID" : "after");
        }
        catch (ApiProblemException e)
        {
            // Written here: the exception handler would not write JSON to a client that accepts only text/event-stream.
            return Results.Problem(e.Problem);
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var cancel = context.RequestAborted;
        try
        {
            await response.StartAsync(cancel);
            await response.WriteAsync(": follow\n\n", cancel);
            await response.Body.FlushAsync(cancel);
            await FollowFeed.RunAsync(ledger, caller, cursor,
                (e, c) => WriteEventAsync(response, e, c),
                c => response.Body.FlushAsync(c),
                async c =>
                {
                    await response.WriteAsync(": heartbeat\n\n", c);
                    await response.Body.FlushAsync(c);
                },
                cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (IOException) when (cancel.IsCancellationRequested)
        {
            // The client went away mid-write.
        }
        return Results.Empty;
    }

    private static async Task WriteEventAsync(HttpResponse response, FeedEvent e, CancellationToken cancel)
    {
        var text = new StringBuilder()
            .Append("id: ").Append(e.Cursor.ToString()).Append('\n')
            .Append("event: ").Append(e.Kind).Append('\n')
            .Append("data: ").Append(e.Data.ToJsonString()).Append("\n\n")
            .ToString();
        await response.WriteAsync(text, cancel);
    }
}

/// <summary>One item of the follow feed: the cursor after it, <c>record</c> or <c>alert</c>, and its JSON data.</summary>
public sealed record FeedEvent(FollowCursor Cursor, string Kind, JsonObject Data);

/// <summary>
/// The follow feed without a transport (docs/spec/api.md §7): replays from the store after a cursor, then goes live — the
/// engine's <see cref="LedgerEngine.BlockCommitted"/> event (raised once a block is durable) wakes it; alerts written
/// without a block (refused records kept as evidence) are picked up by a one-second poll of the store. The SSE endpoint
/// and the gRPC <c>Follow</c> stream both run it with the same authorization (<see cref="MayRead"/>).
/// </summary>
public static class FollowFeed
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Parses a cursor (null or empty: the start); a malformed one is a 400 naming <paramref name="field"/>.</summary>
    public static FollowCursor ParseCursor(string? text, string field)
    {
        if (string.IsNullOrEmpty(text))
            return FollowCursor.Start;
        if (!FollowCursor.TryParse(text, out var cursor))
            throw LedgerOperations.BadRequest(field, "cursor",
                $"'{text}' is not a follow cursor: expected <height>.<records delivered in that block>.<alert sequence>, e.g. 12.3.0");
        return cursor;
    }

    /// <summary>
    /// Delivers every event <paramref name="caller"/> may read after <paramref name="cursor"/> through
    /// <paramref name="deliver"/>, calling <paramref name="flush"/> after each burst and <paramref name="heartbeat"/> after
    /// <see cref="FollowEndpoints.HeartbeatInterval"/> without events; runs until cancelled.
    /// </summary>
    public static async Task RunAsync(LedgerService ledger, Caller caller, FollowCursor cursor, Func<FeedEvent, CancellationToken, Task> deliver,
        Func<CancellationToken, Task> flush, Func<CancellationToken, Task> heartbeat, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(deliver);
        ArgumentNullException.ThrowIfNull(flush);
        ArgumentNullException.ThrowIfNull(heartbeat);
        LedgerOperations.RequireParty(caller);
        var signal = new SemaphoreSlim(0);
        void OnCommitted(Block _)
        {
            if (signal.CurrentCount == 0)
                signal.Release();
        }
        ledger.Engine.BlockCommitted += OnCommitted;
        try
        {
            var lastWrite = DateTime.UtcNow;
            while (!cancel.IsCancellationRequested)
            {
                var sent = false;
                (cursor, sent) = await SendPendingAsync(ledger, caller, cursor, deliver, cancel);
                if (sent)
                {
                    await flush(cancel);
                    lastWrite = DateTime.UtcNow;
                }
                else if (DateTime.UtcNow - lastWrite >= FollowEndpoints.HeartbeatInterval)
                {
                    await heartbeat(cancel);
                    lastWrite = DateTime.UtcNow;
                }
                await signal.WaitAsync(PollInterval, cancel);
            }
        }
        finally
        {
            ledger.Engine.BlockCommitted -= OnCommitted;
            signal.Dispose();
        }
    }

    private static async Task<(FollowCursor Cursor, bool Sent)> SendPendingAsync(LedgerService ledger, Caller caller, FollowCursor cursor,
        Func<FeedEvent, CancellationToken, Task> deliver, CancellationToken cancel)
    {
        var sent = false;
        var store = ledger.Engine.Store;
        var headHeight = ledger.Engine.Head.Height;
        while (cursor.Height <= headHeight)
        {
            var height = cursor.Height == 0 ? 1 : cursor.Height;
            var skip = cursor.Height == 0 ? 0 : cursor.Index;
            if (height > headHeight || store.GetBlock(height) is not { } block)
                break;
            var records = block.Batches.SelectMany(b => b.Records).ToList();
            for (var i = skip; i < records.Count; i++)
            {
                cursor = cursor with { Height = height, Index = i + 1 };
                if (!MayRead(ledger, caller, records[i]))
                    continue;
                var data = JsonSerializer.SerializeToNode(LedgerJson.Record(records[i]))!.AsObject();
                data["height"] = height;
                await deliver(new FeedEvent(cursor, "record", data), cancel);
                sent = true;
            }
            // The block is done: move the cursor to its end, then to the next block.
            cursor = cursor with { Height = height, Index = records.Count };
            if (height == headHeight)
                break;
            cursor = cursor with { Height = height + 1, Index = 0 };
        }
        while (true)
        {
            var alerts = store.GetAlerts(cursor.AlertSequence, 500);
            if (alerts.Count == 0)
                break;
            foreach (var a in alerts)
            {
                cursor = cursor with { AlertSequence = a.Sequence };
                if (!(caller.IsRegulator || a.Author == caller.Party!.Address || (a.Item is { } item && store.GetItem(item)?.Custodian == caller.Party!.Address)))
                    continue;
                var data = JsonSerializer.SerializeToNode(LedgerJson.Alert(a))!.AsObject();
                data["height"] = cursor.Height;
                await deliver(new FeedEvent(cursor, "alert", data), cancel);
                sent = true;
            }
        }
        return (cursor, sent);
    }

    /// <summary>
    /// Whether the caller may read a record in the feed: a regulator reads all; a party the records it authored, shipments
    /// addressed to it, and records about an item it holds, is about to receive or whose GTIN is its brand.
    /// </summary>
    private static bool MayRead(LedgerService ledger, Caller caller, LedgerRecord record)
    {
        if (caller.IsRegulator)
            return true;
        var me = caller.Party!.Address;
        if (record.Author == me || (record.Payload is ShipPayload ship && ship.ToParty == me))
            return true;
        foreach (var item in record.Payload.Items)
        {
            if (item.Gtin is { } gtin && ledger.Consortium.BrandOwnerOf(gtin)?.Address == me)
                return true;
            if (ledger.Engine.Store.GetItem(item) is { } s && (s.Custodian == me || s.PendingShip?.ToParty == me))
                return true;
        }
        return false;
    }
}

/// <summary>
/// A position in the follow feed: <c>&lt;height&gt;.&lt;records of that block already delivered&gt;.&lt;last alert sequence&gt;</c>.
/// </summary>
/// <param name="Height">The block height the record position is in (0: before the first block).</param>
/// <param name="Index">How many records of that block (block order) are behind the cursor.</param>
/// <param name="AlertSequence">The last alert sequence behind the cursor.</param>
public readonly record struct FollowCursor(long Height, int Index, long AlertSequence)
{
    /// <summary>The start of the feed.</summary>
    public static readonly FollowCursor Start = new(0, 0, 0);

    /// <summary>Parses a cursor; false when malformed.</summary>
    public static bool TryParse(string? text, out FollowCursor cursor)
    {
        cursor = Start;
        var parts = (text ?? "").Split('.');
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var a))
            return false;
        cursor = new FollowCursor(h, i, a);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Height}.{Index}.{AlertSequence}");
}
