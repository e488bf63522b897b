using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Ledger.Protocol;
using Ledger.Protocol.Records;

namespace Ledger.Sdk.Client;

/// <summary>Options of <see cref="LedgerClient.FollowAsync"/>.</summary>
public sealed class FollowOptions
{
    /// <summary>Resume after this cursor (a <see cref="LedgerFeedItem.Cursor"/> delivered before); null: from the start.</summary>
    public string? After { get; set; }

    /// <summary>First reconnect delay; doubled (with jitter) per failed attempt up to <see cref="MaxReconnectDelay"/>. Default 250 ms.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest reconnect delay. Default 10 s.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection that sends nothing (not even a heartbeat) this long is dropped and reopened. Default 45 s.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(45);
}

/// <summary>One item of the follow feed: a record or an alert.</summary>
/// <param name="Cursor">The position after this item: pass it as <see cref="FollowOptions.After"/> to resume.</param>
/// <param name="Kind"><c>record</c> or <c>alert</c>.</param>
/// <param name="Height">The block height (for an alert: the feed's block position when it was sent).</param>
/// <param name="Record">The record (decoded from its canonical encoding) for <c>record</c> items.</param>
/// <param name="Alert">The alert for <c>alert</c> items.</param>
/// <param name="Json">The event data as received.</param>
public sealed record LedgerFeedItem(string Cursor, string Kind, long Height, LedgerRecord? Record, LedgerAlertInfo? Alert, string Json);

public sealed partial class LedgerClient
{
    /// <summary>
    /// Follows the records and alerts the party may read (GET /v1/follow, server-sent events): first those after the
    /// cursor, then new ones as blocks become durable. After a disconnect or a node restart it reconnects with backoff and
    /// resumes after the last item it delivered, so nothing is repeated or lost. Ends only by cancellation
    /// (<see cref="OperationCanceledException"/>) or a refusal (<see cref="LedgerRequestException"/>, e.g. a bad cursor).
    /// </summary>
    public async IAsyncEnumerable<LedgerFeedItem> FollowAsync(FollowOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new FollowOptions();
        var cursor = options.After;
        var failures = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var connection = _options.Transport == LedgerTransport.Grpc
                ? OpenFollowGrpc(cursor, cancellationToken)
                : await TryOpenFollowAsync(cursor, cancellationToken).ConfigureAwait(false);
            if (connection is not null)
            {
                using (connection)
                {
                    while (true)
                    {
                        var item = await connection.ReadAsync(options.IdleTimeout, cancellationToken).ConfigureAwait(false);
                        if (item is null)
                            break;
                        failures = 0;
                        cursor = item.Cursor;
                        yield return item;
                    }
                }
            }
            failures++;
            var ceiling = Math.Min(options.MaxReconnectDelay.TotalMilliseconds, options.ReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20)));
            await Task.Delay(TimeSpan.FromMilliseconds((ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2)), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One open follow stream of either transport.</summary>
    internal interface IFollowConnection : IDisposable
    {
        /// <summary>The next event, or null when the connection ended or broke (then the caller reconnects).</summary>
        Task<LedgerFeedItem?> ReadAsync(TimeSpan idleTimeout, CancellationToken cancellationToken);
    }

    private async Task<IFollowConnection?> TryOpenFollowAsync(string? cursor, CancellationToken cancellationToken)
    {
        HttpResponseMessage? response = null;
        try
        {
            var path = "/v1/follow" + (cursor is null ? "" : "?after=" + Uri.EscapeDataString(cursor));
            using var request = CreateRequest(HttpMethod.Get, path, null, null, null);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var connection = new FollowConnection(response, stream);
                response = null;
                return connection;
            }
            var status = response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if ((int)status >= 500 || status == HttpStatusCode.TooManyRequests)
                return null;
            throw LedgerRequestException.FromResponse(status, text);
        }
        catch (HttpRequestException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (IOException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            response?.Dispose();
        }
    }

    private sealed class FollowConnection(HttpResponseMessage response, Stream stream) : IFollowConnection
    {
        private readonly StreamReader _reader = new(stream, Encoding.UTF8);

        /// <summary>The next event, or null when the connection ended or broke.</summary>
        public async Task<LedgerFeedItem?> ReadAsync(TimeSpan idleTimeout, CancellationToken cancellationToken)
        {
            string? id = null, type = null;
            var data = new StringBuilder();
            try
            {
                while (true)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    idle.CancelAfter(idleTimeout);
                    var line = await _reader.ReadLineAsync(idle.Token).ConfigureAwait(false);
                    if (line is null)
                        return null;
                    if (line.Length == 0)
                    {
                        if (data.Length > 0 && id is not null && type is not null)
                            return Parse(id, type, data.ToString());
                        id = type = null;
                        data.Clear();
                        continue;
                    }
                    if (line[0] == ':')
                        continue;
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    var field = colon < 0 ? line : line[..colon];
                    var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
                    switch (field)
                    {
                        case "id": id = value; break;
                        case "event": type = value; break;
                        case "data": data.Append(data.Length > 0 ? "\n" : "").Append(value); break;
                        default: break;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (HttpRequestException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }

        internal static LedgerFeedItem Parse(string id, string type, string json)
        {
            using var doc = JsonDocument.Parse(json);
            var r = doc.RootElement;
            var height = NullableLong(r, "height") ?? 0;
            return type == "record"
                ? new LedgerFeedItem(id, type, height, LedgerRecord.Decode(Hex.Decode(r.GetProperty("encoded").GetString()!)), null, json)
                : new LedgerFeedItem(id, type, height, null, type == "alert" ? ReadAlert(r) : null, json);
        }

        public void Dispose()
        {
            _reader.Dispose();
            response.Dispose();
        }
    }
}
