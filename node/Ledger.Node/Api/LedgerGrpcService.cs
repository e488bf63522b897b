using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Ledger.Engine.Lane;
using Ledger.Node.Verification;
using Ledger.Node.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using V1 = Ledger.Grpc.V1;

namespace Ledger.Node.Api;

/// <summary>
/// The gRPC service of <c>proto/ledger/v1/ledger.proto</c> (docs/spec/grpc.md): the integrator's hot paths over HTTP/2,
/// on the node's separate gRPC endpoint (<see cref="NodeOptions.GrpcUrls"/>). The node's authentication handlers
/// (<see cref="Security.LedgerAuthentication"/>) authenticate every call from its <c>authorization</c> metadata, as they
/// do every HTTP request; the service is <see cref="AllowAnonymousAttribute"/> for the authorization middleware (whose
/// refusals would be HTTP answers, not gRPC statuses) and applies the same rules itself: failed credentials end the
/// call UNAUTHENTICATED, and the service layer shared with the HTTP endpoints (<see cref="LedgerOperations"/>,
/// <see cref="FollowFeed"/>) refuses a missing party (401) or role (403). Writes take the same
/// <see cref="Security.LedgerRateLimits.WritesPolicy"/> permit as HTTP writes. Refusals become statuses through
/// <see cref="GrpcProblemInterceptor"/>.
/// </summary>
[AllowAnonymous]
internal sealed class LedgerGrpcService(NodeState state, IOptions<HttpJsonOptions> json) : V1.Ledger.LedgerBase
{
    /// <summary>Batches of one SubmitBatches stream submitted before their replies are written (the stream's own flow control).</summary>
    internal const int StreamWindow = 64;

    private LedgerService Ledger => state.Ledger ?? throw LedgerOperations.NotReady();

    /// <summary>
    /// The caller the authentication handlers resolved from the call's <c>authorization</c> metadata (with
    /// <see cref="CallerResolver.Resolve"/>); credentials that failed end the call with their 401 problem.
    /// </summary>
    private static Caller CallerOf(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        if (http.Features.Get<Security.CredentialsFailure>() is { } failed)
            throw failed.Failure;
        return http.GetCaller();
    }

    [EnableRateLimiting(Security.LedgerRateLimits.WritesPolicy)]
    public override async Task<V1.SubmitBatchReply> SubmitBatch(V1.SubmitBatchRequest request, ServerCallContext context)
    {
        var ledger = Ledger;
        var caller = CallerOf(context);
        return Reply(await LedgerOperations.SubmitBatchAsync(ledger, caller, request.Batch.ToByteArray(), context.CancellationToken));
    }

    [EnableRateLimiting(Security.LedgerRateLimits.WritesPolicy)]
    public override async Task SubmitBatches(IAsyncStreamReader<V1.SubmitBatchRequest> requestStream, IServerStreamWriter<V1.SubmitBatchReply> responseStream, ServerCallContext context)
    {
        var ledger = Ledger;
        var caller = CallerOf(context);
        LedgerOperations.RequireParty(caller);
        var cancel = context.CancellationToken;
        // Up to StreamWindow batches are in the lane at once (so a stream fills blocks like concurrent unary calls);
        // replies are written in request order.
        var pending = Channel.CreateBounded<Task<V1.SubmitBatchReply>>(StreamWindow);
        var writer = Task.Run(async () =>
        {
            await foreach (var reply in pending.Reader.ReadAllAsync(cancel))
                await responseStream.WriteAsync(await reply, cancel);
        }, cancel);
        try
        {
            await foreach (var request in requestStream.ReadAllAsync(cancel))
                await pending.Writer.WriteAsync(SubmitOneAsync(ledger, caller, request.Batch.ToByteArray(), cancel), cancel);
        }
        finally
        {
            pending.Writer.TryComplete();
        }
        await writer;
    }

    private async Task<V1.SubmitBatchReply> SubmitOneAsync(LedgerService ledger, Caller caller, byte[] encoded, CancellationToken cancel)
    {
        try
        {
            return Reply(await LedgerOperations.SubmitBatchAsync(ledger, caller, encoded, cancel));
        }
        catch (Exception e) when (GrpcProblemInterceptor.Describe(e, json.Value.SerializerOptions) is { } d)
        {
            var reply = e is BatchRefusedException refused ? Reply(refused.Result) : new V1.SubmitBatchReply();
            reply.Accepted = false;
            reply.Problem = d.Problem;
            return reply;
        }
    }

    public override async Task Follow(V1.FollowRequest request, IServerStreamWriter<V1.FeedEvent> responseStream, ServerCallContext context)
    {
        var ledger = Ledger;
        var caller = CallerOf(context);
        LedgerOperations.RequireParty(caller);
        var cursor = FollowFeed.ParseCursor(request.After, "after");
        var cancel = context.CancellationToken;
        try
        {
            await FollowFeed.RunAsync(ledger, caller, cursor,
                (e, c) => responseStream.WriteAsync(new V1.FeedEvent { Cursor = e.Cursor.ToString(), Kind = e.Kind, Json = e.Data.ToJsonString() }, c),
                _ => Task.CompletedTask,
                c => responseStream.WriteAsync(new V1.FeedEvent { Kind = "heartbeat" }, c),
                cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    public override Task<V1.JsonReply> GetProvenance(V1.ProvenanceRequest request, ServerCallContext context)
    {
        var ledger = Ledger;
        var caller = CallerOf(context);
        var model = LedgerOperations.Provenance(ledger, caller, request.Id);
        // Serialized exactly as Results.Json serializes it for GET /v1/provenance (the HTTP JSON options of the node).
        return Task.FromResult(new V1.JsonReply { Json = JsonSerializer.Serialize(model, json.Value.SerializerOptions) });
    }

    [LedgerRateLimits.VerificationCall]
    public override async Task<V1.JsonReply> VerifyProduct(V1.VerifyProductRequest request, ServerCallContext context)
    {
        var ledger = Ledger;
        var caller = CallerOf(context);
        if (request.Gtin.Length == 0)
            throw LedgerOperations.BadRequest("01", "required", "give the GTIN (gtin)");
        if (request.Serial.Length == 0)
            throw LedgerOperations.BadRequest("21", "required", "give the serial number (serial)");
        // The same Digital Link request the HTTP binding parses, so both transports check every parameter by one rule set.
        var path = "/01/" + Uri.EscapeDataString(request.Gtin) + (request.Lot.Length > 0 ? "/10/" + Uri.EscapeDataString(request.Lot) : "")
            + "/21/" + Uri.EscapeDataString(request.Serial);
        var query = new List<KeyValuePair<string, string?>> { new("linkType", "verificationService") };
        void Add(string key, string value)
        {
            if (value.Length > 0)
                query.Add(new(key, value));
        }
        Add("context", request.Context);
        Add("reqGLN", request.ReqGln);
        Add("corrUUID", request.CorrUuid);
        Add("exp", request.Expiry);
        var lvm = LvmRequest.Parse(path, query);
        var answer = await LedgerOperations.VerifyProductAsync(ledger, caller, lvm, context.CancellationToken);
        return new V1.JsonReply { Json = Encoding.UTF8.GetString(answer) };
    }

    private static V1.SubmitBatchReply Reply(SubmitResult result)
    {
        var reply = new V1.SubmitBatchReply { Accepted = result.Accepted, Block = result.Height ?? 0, State = LedgerOperations.SubmissionState(result) ?? "" };
        foreach (var o in result.Outcomes)
        {
            var outcome = new V1.RecordOutcome
            {
                Outcome = o.Status.ToString().ToLowerInvariant(),
                Block = o.Height ?? 0,
                Code = o.Code ?? "",
                Message = o.Message ?? "",
            };
            outcome.RecordIds.AddRange(o.RecordIds.Select(i => i.ToString()));
            reply.Outcomes.Add(outcome);
        }
        return reply;
    }
}

/// <summary>
/// Turns the service layer's refusals and the libraries' format exceptions into gRPC statuses, from the same mapping as
/// the HTTP problem details (<c>NodeExceptionHandler.Describe</c>): the status code from the problem's HTTP status, the
/// problem JSON in the <c>ledger-problem-bin</c> trailer and, for 429/503, <c>retry-after</c> in seconds.
/// </summary>
internal sealed partial class GrpcProblemInterceptor(IOptions<HttpJsonOptions> json, ILogger<GrpcProblemInterceptor> logger) : Interceptor
{
    /// <summary>The trailer with the RFC 9457 problem JSON.</summary>
    public const string ProblemTrailer = "ledger-problem-bin";

    /// <summary>The trailer with the delay before a retry, in seconds.</summary>
    public const string RetryAfterTrailer = "retry-after";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (ToRpc(e, context) is { } rpc)
        {
            throw rpc;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (ToRpc(e, context) is { } rpc)
        {
            throw rpc;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (ToRpc(e, context) is { } rpc)
        {
            throw rpc;
        }
    }

    /// <summary>The problem of an exception as a protobuf message and its gRPC status code; null when it is no refusal (a bug).</summary>
    internal static (V1.Problem Problem, StatusCode Code, TimeSpan? RetryAfter)? Describe(Exception exception, JsonSerializerOptions options)
    {
        if (NodeExceptionHandler.Describe(exception) is not var (problem, retryAfter))
            return null;
        return (ToMessage(problem, retryAfter, options), CodeFor(problem.Status ?? 500), retryAfter);
    }

    /// <summary>The gRPC status code for an HTTP status of the API (docs/spec/grpc.md §4).</summary>
    internal static StatusCode CodeFor(int status) => status switch
    {
        400 => StatusCode.InvalidArgument,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.NotFound,
        413 or 429 => StatusCode.ResourceExhausted,
        422 => StatusCode.FailedPrecondition,
        503 => StatusCode.Unavailable,
        507 => StatusCode.ResourceExhausted,
        _ => StatusCode.Internal,
    };

    private RpcException? ToRpc(Exception exception, ServerCallContext context)
    {
        if (exception is RpcException || (exception is OperationCanceledException or IOException && context.CancellationToken.IsCancellationRequested))
            return null;
        var options = json.Value.SerializerOptions;
        if (Describe(exception, options) is not var (message, code, retryAfter))
        {
            LogUnhandled(logger, context.Method, exception);
            var internalProblem = ProblemTypes.Create(500, ProblemTypes.Internal, "Internal error", "the node failed to answer; the detail is in its log");
            (message, code, retryAfter) = (ToMessage(internalProblem, null, options), StatusCode.Internal, null);
        }
        var trailers = new Metadata { { ProblemTrailer, Encoding.UTF8.GetBytes(message.Json) } };
        if (retryAfter is { } ra)
            trailers.Add(RetryAfterTrailer, NodeExceptionHandler.RetryAfterSeconds(ra));
        return new RpcException(new Status(code, message.Detail), trailers, message.Detail);
    }

    /// <summary>
    /// Answers a gRPC call that a middleware refuses before the service runs (a rate limit, the write limit) with a
    /// trailers-only response: the status for the problem's HTTP status, the problem in <see cref="ProblemTrailer"/>
    /// (a <c>Retry-After</c> header set on the response is the <see cref="RetryAfterTrailer"/>).
    /// </summary>
    internal static void WriteTrailersOnly(Microsoft.AspNetCore.Http.HttpContext context, ProblemDetails problem)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(problem);
        var options = context.RequestServices.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
        var response = context.Response;
        response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)CodeFor(problem.Status ?? 500)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(problem.Detail ?? "");
        response.Headers[ProblemTrailer] = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(problem, options)));
    }

    private static V1.Problem ToMessage(ProblemDetails problem, TimeSpan? retryAfter, JsonSerializerOptions options)
    {
        static string Text(ProblemDetails p, string name) => p.Extensions.TryGetValue(name, out var v) && v is string s ? s : "";
        return new V1.Problem
        {
            Status = problem.Status ?? 500,
            Type = problem.Type ?? "",
            Title = problem.Title ?? "",
            Detail = problem.Detail ?? "",
            Field = Text(problem, "field"),
            Rule = Text(problem, "rule"),
            Code = Text(problem, "code"),
            RetryAfterMs = retryAfter is { } ra ? (long)Math.Max(1000, Math.Ceiling(ra.TotalSeconds) * 1000) : 0,
            Json = JsonSerializer.Serialize(problem, options),
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "gRPC {Method} failed")]
    private static partial void LogUnhandled(ILogger logger, string method, Exception exception);
}
