using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Ledger.Protocol;
using Ledger.Protocol.Records;
using V1 = Ledger.Grpc.V1;

namespace Ledger.Sdk.Client;

public sealed partial class LedgerClient
{
    private const string ProblemTrailer = "ledger-problem-bin";
    private const string RetryAfterTrailer = "retry-after";
    private const string ServicePath = "/ledger.v1.Ledger/";

    private readonly Lock _grpcLock = new();
    private readonly List<GrpcChannel> _channels = [];
    private GrpcChannel? _channel;
    private Uri? _channelUri;

    /// <summary>
    /// Submits signed batches over one gRPC stream (<c>SubmitBatches</c>, Transport = Grpc only) and yields one result per
    /// batch in order, each once durable; up to 64 batches are in the node's lane at once. A batch the node refuses is
    /// yielded as a <see cref="LedgerRequestException"/> in <see cref="BatchStreamResult.Error"/>, not thrown, so the stream
    /// goes on; resubmit those answered 429/503 (batches are idempotent by record id).
    /// </summary>
    /// <exception cref="InvalidOperationException">The client uses the HTTP transport.</exception>
    /// <exception cref="LedgerRequestException">The node refused the stream itself (e.g. 401).</exception>
    public async IAsyncEnumerable<BatchStreamResult> SubmitBatchesAsync(IAsyncEnumerable<SignedBatch> batches, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (_options.Transport != LedgerTransport.Grpc)
            throw new InvalidOperationException("SubmitBatchesAsync streams over gRPC: set LedgerClientOptions.Transport = Grpc (over HTTP, call SubmitBatchAsync concurrently)");
        using var call = GrpcClient().SubmitBatches(CallOptionsFor("SubmitBatches", null, cancellationToken));
        var writer = Task.Run(async () =>
        {
            await foreach (var batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
                await call.RequestStream.WriteAsync(new V1.SubmitBatchRequest { Batch = ByteString.CopyFrom(batch.Encode()) }, cancellationToken).ConfigureAwait(false);
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }, cancellationToken);
        while (true)
        {
            V1.SubmitBatchReply reply;
            try
            {
                if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
                    break;
                reply = call.ResponseStream.Current;
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw ToException(e);
            }
            yield return reply.Problem is { } p
                ? new BatchStreamResult(null, new LedgerRequestException((HttpStatusCode)p.Status, p.Type, p.Title, p.Detail, Empty(p.Field), Empty(p.Rule), Empty(p.Code), p.Json))
                : new BatchStreamResult(ToResult(reply), null);
        }
        await writer.ConfigureAwait(false);
    }

    private async Task<SubmitBatchResult> SubmitBatchGrpcAsync(byte[] encoded, CancellationToken cancellationToken)
    {
        var request = new V1.SubmitBatchRequest { Batch = ByteString.CopyFrom(encoded) };
        var reply = await CallGrpcAsync(request, "SubmitBatch", (c, r, o) => c.SubmitBatchAsync(r, o), cancellationToken).ConfigureAwait(false);
        return ToResult(reply);
    }

    private async Task<string> GetProvenanceGrpcAsync(string elementString, CancellationToken cancellationToken)
    {
        var reply = await CallGrpcAsync(new V1.ProvenanceRequest { Id = elementString }, "GetProvenance", (c, r, o) => c.GetProvenanceAsync(r, o), cancellationToken).ConfigureAwait(false);
        return reply.Json;
    }

    private async Task<string> VerifyProductGrpcAsync(string gtin, string serial, string? lot, string? expiry, string context, string requestorGln, string correlationId, CancellationToken cancellationToken)
    {
        var request = new V1.VerifyProductRequest
        {
            Gtin = gtin, Serial = serial, Lot = lot ?? "", Expiry = expiry ?? "", Context = context, ReqGln = requestorGln, CorrUuid = correlationId,
        };
        var reply = await CallGrpcAsync(request, "VerifyProduct", (c, r, o) => c.VerifyProductAsync(r, o), cancellationToken).ConfigureAwait(false);
        return reply.Json;
    }

    /// <summary>A unary call with the same retry policy as HTTP: 429/503 (RESOURCE_EXHAUSTED/UNAVAILABLE with a problem) and network failures.</summary>
    private async Task<TReply> CallGrpcAsync<TRequest, TReply>(TRequest request, string method,
        Func<V1.Ledger.LedgerClient, TRequest, CallOptions, AsyncUnaryCall<TReply>> call, CancellationToken cancellationToken)
        where TRequest : IMessage
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var attempts = _options.Retry.MaxAttempts;
        var body = request.ToByteArray();
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            HttpStatusCode? status = null;
            TimeSpan? retryAfter = null;
            try
            {
                return await call(GrpcClient(), request, CallOptionsFor(method, body, timeout.Token)).ConfigureAwait(false);
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                var problem = ProblemOf(e);
                var transient = problem is { Status: 429 or 503 } || (problem is null && IsNetworkFailure(e));
                if (!transient || attempt >= attempts)
                    throw ToException(e);
                status = problem is { } p ? (HttpStatusCode)p.Status : null;
                retryAfter = RetryAfterOf(e);
            }
            catch (HttpRequestException) when (attempt < attempts && !cancellationToken.IsCancellationRequested)
            {
                // A transient network failure before the call started.
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && attempt < attempts)
            {
                // This attempt timed out.
            }
            await DelayBeforeRetryAsync(attempt, status, retryAfter, cancellationToken).ConfigureAwait(false);
        }
    }

    private CallOptions CallOptionsFor(string method, byte[]? body, CancellationToken cancellationToken)
    {
        var headers = new Metadata();
        if (_options.ApiToken is { Length: > 0 } token)
            headers.Add("authorization", "Bearer " + token);
        else
        {
            // The signed-request scheme over POST, the call's path and the request message (docs/spec/grpc.md §2).
            var timeMs = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            headers.Add("authorization", SignRequest(_options.PrivateKey!, "POST", ServicePath + method, timeMs, body ?? []));
        }
        return new CallOptions(headers, cancellationToken: cancellationToken);
    }

    private V1.Ledger.LedgerClient GrpcClient()
    {
        var uri = _options.GrpcNodeResolver?.Invoke() ?? _options.GrpcNode!;
        lock (_grpcLock)
        {
            if (_channel is null || _channelUri != uri)
            {
                var channelOptions = new GrpcChannelOptions
                {
                    MaxReceiveMessageSize = null,
                    MaxSendMessageSize = null,
                    DisposeHttpClient = false,
                    // Cancelling a call by its token throws OperationCanceledException, as on HTTP.
                    ThrowOperationCanceledOnCancellation = true,
                };
                if (_options.HttpMessageHandler is { } handler)
                    channelOptions.HttpHandler = handler;
                else
                    channelOptions.HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan };
                channelOptions.DisposeHttpClient = _options.HttpMessageHandler is null;
                // A channel whose node moved stays open for calls in flight; all are disposed with the client.
                _channel = GrpcChannel.ForAddress(uri, channelOptions);
                _channelUri = uri;
                _channels.Add(_channel);
            }
            return new V1.Ledger.LedgerClient(_channel);
        }
    }

    private void DisposeGrpc()
    {
        lock (_grpcLock)
        {
            foreach (var channel in _channels)
                channel.Dispose();
            _channels.Clear();
            _channel = null;
        }
    }

    private static SubmitBatchResult ToResult(V1.SubmitBatchReply reply) =>
        new(reply.Accepted, reply.Block == 0 ? null : reply.Block,
            [.. reply.Outcomes.Select(o => new RecordOutcome(o.Outcome, [.. o.RecordIds.Select(Hash32.Parse)], o.Block == 0 ? null : o.Block, Empty(o.Code), Empty(o.Message)))])
        {
            State = Empty(reply.State),
        };

    private static string? Empty(string s) => s.Length == 0 ? null : s;

    private static (int Status, string Json)? ProblemOf(RpcException e)
    {
        var entry = e.Trailers.Get(ProblemTrailer);
        if (entry is null || !entry.IsBinary)
            return null;
        var json = Encoding.UTF8.GetString(entry.ValueBytes);
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty("status", out var s) && s.TryGetInt32(out var status) ? (status, json) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>A call that failed in the connection, not at the node: unreachable, reset, timed out.</summary>
    private static bool IsNetworkFailure(RpcException e) =>
        e.StatusCode is StatusCode.Unavailable or StatusCode.Cancelled or StatusCode.DeadlineExceeded
        || (e.StatusCode == StatusCode.Internal && e.Status.DebugException is HttpRequestException or IOException);

    private static TimeSpan? RetryAfterOf(RpcException e) =>
        e.Trailers.GetValue(RetryAfterTrailer) is { } text && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;

    /// <summary>
    /// The exception a failed call stands for, as on HTTP: the node's problem as <see cref="LedgerRequestException"/>;
    /// a connection that could not be made or broke as <see cref="HttpRequestException"/>.
    /// </summary>
    internal static Exception ToException(RpcException e)
    {
        if (ProblemOf(e) is var (status, json))
            return LedgerRequestException.FromResponse((HttpStatusCode)status, json);
        if (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal && e.Status.DebugException is HttpRequestException or IOException or null)
            return new HttpRequestException("gRPC: " + e.Status.Detail, e);
        return new LedgerRequestException(HttpStatusFor(e.StatusCode), null, e.StatusCode.ToString(), e.Status.Detail, null, null, null, "", e);
    }

    private static HttpStatusCode HttpStatusFor(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument => HttpStatusCode.BadRequest,
        StatusCode.Unauthenticated => HttpStatusCode.Unauthorized,
        StatusCode.PermissionDenied => HttpStatusCode.Forbidden,
        StatusCode.NotFound => HttpStatusCode.NotFound,
        StatusCode.ResourceExhausted => HttpStatusCode.TooManyRequests,
        StatusCode.FailedPrecondition => HttpStatusCode.UnprocessableEntity,
        StatusCode.Unavailable => HttpStatusCode.ServiceUnavailable,
        _ => HttpStatusCode.InternalServerError,
    };

    private GrpcFollowConnection OpenFollowGrpc(string? cursor, CancellationToken cancellationToken)
    {
        var request = new V1.FollowRequest { After = cursor ?? "" };
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var call = GrpcClient().Follow(request, CallOptionsFor("Follow", request.ToByteArray(), linked.Token));
        return new GrpcFollowConnection(call, linked);
    }

    private sealed class GrpcFollowConnection(AsyncServerStreamingCall<V1.FeedEvent> call, CancellationTokenSource linked) : IFollowConnection
    {
        public async Task<LedgerFeedItem?> ReadAsync(TimeSpan idleTimeout, CancellationToken cancellationToken)
        {
            while (true)
            {
                // A stream quiet for longer than the idle timeout (not even a heartbeat) is dropped and reopened.
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
                idle.CancelAfter(idleTimeout);
                try
                {
                    if (!await call.ResponseStream.MoveNext(idle.Token).ConfigureAwait(false))
                        return null;
                }
                catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
                {
                    // Refusals end the feed (a bad cursor, bad credentials); 429/503 and broken connections reconnect.
                    if (ProblemOf(e) is var (status, json) && status is not (429 or 503) && status < 500)
                        throw LedgerRequestException.FromResponse((HttpStatusCode)status, json);
                    return null;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return null;
                }
                var e2 = call.ResponseStream.Current;
                if (e2.Kind == "heartbeat")
                    continue;
                return FollowConnection.Parse(e2.Cursor, e2.Kind, e2.Json);
            }
        }

        public void Dispose()
        {
            call.Dispose();
            linked.Dispose();
        }
    }
}

/// <summary>One answer of <see cref="LedgerClient.SubmitBatchesAsync"/>: the result, or the node's refusal of that batch.</summary>
/// <param name="Result">The batch's outcomes once durable; null when refused.</param>
/// <param name="Error">The refusal (e.g. 422 custody-rejected, 400 record-format, 503 overloaded); null when accepted.</param>
public sealed record BatchStreamResult(SubmitBatchResult? Result, LedgerRequestException? Error);
