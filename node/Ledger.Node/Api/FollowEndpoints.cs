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
/// (docs/spec/api.md §7). Replays from the store after the cursor, then goes live: the engine's
/// <see cref="LedgerEngine.BlockCommitted"/> event (raised once a block is durable) wakes the stream; alerts written without
/// a block (refused records kept as evidence) are picked up by a one-second poll of the store.
/// </summary>
public static class FollowEndpoints
{
    /// <summary>Interval between heartbeat comment lines while nothing is sent.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Maps the endpoint.</summary>
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/v1/follow", (string? after, HttpContext c) => LedgerEndpoints.WithCallerAsync(c, (ledger, caller) => FollowAsync(after, c, ledger, caller)))
            .WithSummary("Server-sent events (text/event-stream) of the records and alerts the caller may read, after a cursor (?after= or Last-Event-ID)")
            .RequireAuthorization(Security.LedgerPolicies.Party);

    private static async Task<IResult> FollowAsync(string? after, HttpContext context, LedgerService ledger, Caller caller)
    {
        var text = after ?? (string?)context.Request.Headers["Last-Event-ID"];
        FollowCursor cursor;
        if (string.IsNullOrEmpty(text))
            cursor = FollowCursor.Start;
        else if (!FollowCursor.TryParse(text, out cursor))
            return LedgerEndpoints.BadRequest(after is null ? "Last-Event-ID" : "after", "cursor",
                $"'{text}' is not a follow cursor: expected <height>.<records delivered in that block>.<alert sequence>, e.g. 12.3.0");

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var cancel = context.RequestAborted;
        var signal = new SemaphoreSlim(0);
        void OnCommitted(Block _)
        {
            if (signal.CurrentCount == 0)
                signal.Release();
        }
        ledger.Engine.BlockCommitted += OnCommitted;
        try
        {
            await response.StartAsync(cancel);
            await response.WriteAsync(": follow\n\n", cancel);
            await response.Body.FlushAsync(cancel);
            var lastWrite = DateTime.UtcNow;
            while (!cancel.IsCancellationRequested)
            {
                var sent = false;
                (cursor, sent) = await SendPendingAsync(response, ledger, caller, cursor, cancel);
                if (sent)
                    lastWrite = DateTime.UtcNow;
                else if (DateTime.UtcNow - lastWrite >= HeartbeatInterval)
                {
                    await response.WriteAsync(": heartbeat\n\n", cancel);
                    await response.Body.FlushAsync(cancel);
                    lastWrite = DateTime.UtcNow;
                }
                await signal.WaitAsync(PollInterval, cancel);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (IOException) when (cancel.IsCancellationRequested)
        {
            // The client went away mid-write.
        }
        finally
        {
            ledger.Engine.BlockCommitted -= OnCommitted;
            signal.Dispose();
        }
        return Results.Empty;
    }

    private static async Task<(FollowCursor Cursor, bool Sent)> SendPendingAsync(HttpResponse response, LedgerService ledger, Caller caller, FollowCursor cursor, CancellationToken cancel)
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
                await WriteEventAsync(response, cursor, "record", data, cancel);
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
                await WriteEventAsync(response, cursor, "alert", data, cancel);
                sent = true;
            }
        }
        if (sent)
            await response.Body.FlushAsync(cancel);
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

    private static async Task WriteEventAsync(HttpResponse response, FollowCursor cursor, string type, JsonObject data, CancellationToken cancel)
    {
        var text = new StringBuilder()
            .Append("id: ").Append(cursor.ToString()).Append('\n')
            .Append("event: ").Append(type).Append('\n')
            .Append("data: ").Append(data.ToJsonString()).Append("\n\n")
            .ToString();
        await response.WriteAsync(text, cancel);
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
