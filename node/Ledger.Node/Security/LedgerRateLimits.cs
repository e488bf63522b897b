using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Ledger.Node.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Node.Security;

/// <summary>
/// The rate limits (section <c>RateLimits</c>; node/README.md): fixed windows of <see cref="Window"/>, counted per
/// authenticated party, per client address for anonymous callers, and per client address for requests whose
/// credentials failed. Anonymous verification requests, which each write a record, have a per-address and a node-wide
/// limit of their own. A refused request gets 429 with <c>Retry-After</c>.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>The length of every window.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Requests per window of one authenticated party (any endpoint).</summary>
    public int PartyRequests { get; set; } = 120_000;

    /// <summary>Requests per window from one client address without credentials (any endpoint).</summary>
    public int AnonymousRequests { get; set; } = 6_000;

    /// <summary>Anonymous verification requests (each one recorded on the ledger) per window from one client address.</summary>
    public int AnonymousVerifications { get; set; } = 600;

    /// <summary>Anonymous verification requests per window from all addresses together: the bound on how fast anonymous callers can grow the ledger.</summary>
    public int AnonymousVerificationsTotal { get; set; } = 6_000;

    /// <summary>Requests with failed credentials (a wrong token, a bad signature) per window from one client address.</summary>
    public int FailedAuthentications { get; set; } = 30;

    /// <summary>Checks every limit; throws on the first that is wrong.</summary>
    /// <exception cref="NodeConfigurationException">Names the setting and the rule.</exception>
    public void Validate()
    {
        if (Window < TimeSpan.FromSeconds(1) || Window > TimeSpan.FromDays(1))
            throw new NodeConfigurationException("RateLimits:Window", "range", $"must be 1 second to 1 day, got {Window}");
        foreach (var (name, value) in new[]
        {
            (nameof(PartyRequests), PartyRequests), (nameof(AnonymousRequests), AnonymousRequests),
            (nameof(AnonymousVerifications), AnonymousVerifications), (nameof(AnonymousVerificationsTotal), AnonymousVerificationsTotal),
            (nameof(FailedAuthentications), FailedAuthentications),
        })
        {
            if (value < 1)
                throw new NodeConfigurationException("RateLimits:" + name, "range", $"must be positive, got {value}");
        }
    }
}

/// <summary>
/// The node's use of ASP.NET Core's rate limiter: the global limiter (the limits of <see cref="RateLimitOptions"/>,
/// chained) and the <see cref="WritesPolicy"/> concurrency limit on capture and batch submission. Runs after
/// authentication, so that it can count per party and tell failed credentials apart.
/// </summary>
public static class LedgerRateLimits
{
    /// <summary>
    /// The endpoint policy of write requests, the node's one write gate: at most <c>MaxConcurrentWrites</c> in flight, more
    /// get 429 at once. HTTP capture and batch submission, and the gRPC <c>SubmitBatch</c> and <c>SubmitBatches</c> calls
    /// (a stream holds its permit while it is open).
    /// </summary>
    public const string WritesPolicy = "writes";

    /// <summary>The limit names: the <c>rule</c> of a 429 problem and the <c>limit</c> label of <c>ledger_http_rate_limited_total</c>.</summary>
    public static class Limits
    {
        /// <summary><see cref="RateLimitOptions.PartyRequests"/>.</summary>
        public const string PartyRequests = "party-requests";

        /// <summary><see cref="RateLimitOptions.AnonymousRequests"/>.</summary>
        public const string AnonymousRequests = "anonymous-requests";

        /// <summary><see cref="RateLimitOptions.AnonymousVerifications"/>.</summary>
        public const string AnonymousVerifications = "anonymous-verifications";

        /// <summary><see cref="RateLimitOptions.AnonymousVerificationsTotal"/>.</summary>
        public const string AnonymousVerificationsTotal = "anonymous-verifications-total";

        /// <summary><see cref="RateLimitOptions.FailedAuthentications"/>.</summary>
        public const string FailedAuthentications = "failed-authentications";
    }

    /// <summary>Endpoint metadata of the GS1 Digital Link paths: with a <c>linkType</c> query parameter an anonymous request there writes a verification record.</summary>
    public static readonly object VerificationEndpoint = new VerificationEndpointMetadata();

    /// <summary>
    /// Marks a gRPC method that writes a verification record for every call (<c>VerifyProduct</c>): an anonymous call
    /// counts against the anonymous verification limits like a Digital Link request with <c>linkType</c>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class VerificationCallAttribute : Attribute;

    /// <summary>Registers the limiter from <paramref name="options"/>.</summary>
    public static IServiceCollection AddLedgerRateLimits(this IServiceCollection services, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limits = options.RateLimits;
        var requests = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (LedgerAuthentication.CredentialsFailed(context))
                return Fixed("failed:" + ClientKey(context), limits.FailedAuthentications, limits.Window);
            var caller = context.GetCaller();
            return caller.IsAuthenticated
                ? Fixed("party:" + caller.Party!.Address, limits.PartyRequests, limits.Window)
                : Fixed("anonymous:" + ClientKey(context), limits.AnonymousRequests, limits.Window);
        });
        var verifications = PartitionedRateLimiter.Create<HttpContext, string>(context => IsAnonymousVerification(context)
            ? Fixed("verify:" + ClientKey(context), limits.AnonymousVerifications, limits.Window)
            : RateLimitPartition.GetNoLimiter(""));
        var verificationsTotal = PartitionedRateLimiter.Create<HttpContext, string>(context => IsAnonymousVerification(context)
            ? Fixed("verify", limits.AnonymousVerificationsTotal, limits.Window)
            : RateLimitPartition.GetNoLimiter(""));

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(requests, verifications, verificationsTotal);
            o.AddPolicy<string, WritesLimit>(WritesPolicy);
            o.OnRejected = async (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                // The chain stops at the first limiter that refuses: the one of the three with no permit left, in chain order.
                var (limit, setting, permits, per) =
                    // (A refusal by the node-wide limit has taken the request's permit of the per-address one: ask it first.)
                    !Exhausted(requests, context)
                        ? Exhausted(verificationsTotal, context)
                            ? (Limits.AnonymousVerificationsTotal, nameof(limits.AnonymousVerificationsTotal), limits.AnonymousVerificationsTotal, "from all anonymous callers")
                            : (Limits.AnonymousVerifications, nameof(limits.AnonymousVerifications), limits.AnonymousVerifications, "from this client address")
                    : LedgerAuthentication.CredentialsFailed(context) ? (Limits.FailedAuthentications, nameof(limits.FailedAuthentications), limits.FailedAuthentications, "with failed credentials from this client address")
                    : context.GetCaller().IsAuthenticated ? (Limits.PartyRequests, nameof(limits.PartyRequests), limits.PartyRequests, "of this party")
                    : (Limits.AnonymousRequests, nameof(limits.AnonymousRequests), limits.AnonymousRequests, "without credentials from this client address");
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : limits.Window;
                context.RequestServices.GetService<NodeMetrics>()?.RateLimited(limit);
                context.Response.Headers.RetryAfter = Seconds(retryAfter);
                var what = limit is Limits.AnonymousVerifications or Limits.AnonymousVerificationsTotal ? "anonymous verification requests" : "requests";
                var problem = ProblemTypes.Create(StatusCodes.Status429TooManyRequests, ProblemTypes.RateLimited, "Too many requests",
                    string.Create(CultureInfo.InvariantCulture,
                        $"more than {permits} {what} {per} within {limits.Window} (setting RateLimits:{setting}); retry after {Seconds(retryAfter)} s"),
                    "request", limit);
                await WriteRefusalAsync(context, problem);
            };
        });
        return services;
    }

    /// <summary>
    /// The client's address as a partition key: an IPv4 address, or the /64 prefix of an IPv6 address (one host
    /// commonly holds a whole /64). The connection's remote address: behind a reverse proxy every client is the proxy.
    /// </summary>
    public static string ClientKey(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static bool IsAnonymousVerification(HttpContext context) =>
        context.GetEndpoint()?.Metadata is { } metadata
        && ((metadata.GetMetadata<VerificationEndpointMetadata>() is not null && context.Request.Query.ContainsKey("linkType"))
            || metadata.GetMetadata<VerificationCallAttribute>() is not null)
        && !context.GetCaller().IsAuthenticated
        && !LedgerAuthentication.CredentialsFailed(context);

    private static RateLimitPartition<string> Fixed(string key, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static bool Exhausted(PartitionedRateLimiter<HttpContext> limiter, HttpContext context) =>
        limiter.GetStatistics(context) is { CurrentAvailablePermits: <= 0 };

    private static string Seconds(TimeSpan delay) =>
        Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A refusal as the node's problem: problem details over HTTP/JSON; over gRPC a trailers-only answer with the status
    /// for 429 (RESOURCE_EXHAUSTED), the problem in <c>ledger-problem-bin</c> and <c>retry-after</c> (docs/spec/grpc.md §4).
    /// </summary>
    private static async Task WriteRefusalAsync(HttpContext context, Microsoft.AspNetCore.Mvc.ProblemDetails problem)
    {
        if (GrpcSignedBody.IsGrpc(context.Request))
        {
            GrpcProblemInterceptor.WriteTrailersOnly(context, problem);
            return;
        }
        await context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    private sealed class VerificationEndpointMetadata;

    /// <summary>At most <c>MaxConcurrentWrites</c> write requests in flight; more get 429 (<c>overloaded</c>, rule <c>capacity</c>) at once.</summary>
    private sealed class WritesLimit(NodeOptions options, NodeMetrics metrics) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => async (rejected, _) =>
        {
            metrics.Throttled();
            var context = rejected.HttpContext;
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            var problem = NodeExceptionHandler.Overloaded(context, StatusCodes.Status429TooManyRequests, TimeSpan.FromSeconds(1),
                string.Create(CultureInfo.InvariantCulture, $"more than {options.MaxConcurrentWrites} write requests are in flight (setting MaxConcurrentWrites); retry after the Retry-After delay"));
            await WriteRefusalAsync(context, problem);
        };

        public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
            RateLimitPartition.GetConcurrencyLimiter(WritesPolicy, _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = options.MaxConcurrentWrites,
                QueueLimit = 0,
            });
    }
}
