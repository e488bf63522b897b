using Ledger.Protocol.Crypto;

namespace Ledger.Sdk.Client;

/// <summary>How a <see cref="LedgerClient"/> reaches and authenticates to a node.</summary>
public sealed class LedgerClientOptions
{
    /// <summary>The node's base URL, e.g. <c>http://127.0.0.1:8080/</c>. Required.</summary>
    public Uri? Node { get; set; }

    /// <summary>
    /// Re-resolves the node's base URL before each connection attempt (e.g. after a node restarted on another port).
    /// When set it wins over <see cref="Node"/>.
    /// </summary>
    public Func<Uri>? NodeResolver { get; set; }

    /// <summary>
    /// How the integrator's hot paths travel: <see cref="LedgerTransport.Http"/> (default, HTTP/JSON) or
    /// <see cref="LedgerTransport.Grpc"/> (the node's gRPC service, docs/spec/grpc.md): then
    /// <see cref="LedgerClient.SubmitBatchAsync"/>, <see cref="LedgerClient.SubmitBatchesAsync"/>, <see cref="LedgerClient.FollowAsync"/>,
    /// the provenance reads and <see cref="LedgerClient.VerifyProductAsync"/> go to <see cref="GrpcNode"/>; every other
    /// call still uses HTTP at <see cref="Node"/>. Answers and refusals are the same on both.
    /// </summary>
    public LedgerTransport Transport { get; set; } = LedgerTransport.Http;

    /// <summary>The node's gRPC address (its <c>grpc listening on</c> line, e.g. <c>http://127.0.0.1:8081/</c>); required with <see cref="LedgerTransport.Grpc"/>.</summary>
    public Uri? GrpcNode { get; set; }

    /// <summary>Re-resolves <see cref="GrpcNode"/> before each call or stream (e.g. after a node restarted on another port); wins over it.</summary>
    public Func<Uri>? GrpcNodeResolver { get; set; }

    /// <summary>The party's API token on a node that hosts it (<c>Authorization: Bearer</c>). Set this or <see cref="PrivateKey"/>.</summary>
    public string? ApiToken { get; set; }

    /// <summary>
    /// The party's key: every request is then signed (docs/spec/api.md §3), and <see cref="RecordBatchBuilder"/> signs
    /// batches with it. Needed for <see cref="LedgerClient.SubmitBatchAsync"/>'s builder, optional with a token.
    /// </summary>
    public PrivateKey? PrivateKey { get; set; }

    /// <summary>Retry policy for 429/503 answers and transient network errors.</summary>
    public LedgerRetryOptions Retry { get; set; } = new();

    /// <summary>An HttpClient to use (not disposed by the client). Its BaseAddress is ignored.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>A handler for an HttpClient the client creates and owns (ignored when <see cref="HttpClient"/> is set).</summary>
    public HttpMessageHandler? HttpMessageHandler { get; set; }

    /// <summary>Timeout of one HTTP attempt (not of a follow stream). Default 100 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>The clock for signed requests, record times and retry delays. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>How a <see cref="LedgerClient"/> reaches a node's hot paths.</summary>
public enum LedgerTransport
{
    /// <summary>HTTP/1.1 and JSON (docs/spec/api.md).</summary>
    Http = 0,

    /// <summary>gRPC over HTTP/2 (docs/spec/grpc.md) for batches, follow, provenance and verification.</summary>
    Grpc = 1,
}

/// <summary>One retry the client is about to make.</summary>
/// <param name="Attempt">The attempt that failed (1 for the first).</param>
/// <param name="Status">The node's answer as an HTTP status (429, 503; over gRPC the problem's status), or null for a network failure.</param>
/// <param name="RetryAfter">The delay the node asked for, when it did.</param>
/// <param name="Delay">The delay before the next attempt.</param>
public sealed record LedgerRetryNotice(int Attempt, System.Net.HttpStatusCode? Status, TimeSpan? RetryAfter, TimeSpan Delay);

/// <summary>Retry policy: exponential backoff with full jitter, honouring <c>Retry-After</c>.</summary>
public sealed class LedgerRetryOptions
{
    /// <summary>Total attempts per request including the first (1 disables retries). Default 6.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Backoff before the second attempt; doubled for each further one. Default 200 ms.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of one backoff delay (and of an honoured Retry-After). Default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Called before each retry (e.g. to log it), on either transport.</summary>
    public Action<LedgerRetryNotice>? OnRetry { get; set; }
}
