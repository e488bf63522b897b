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

/// <summary>Retry policy: exponential backoff with full jitter, honouring <c>Retry-After</c>.</summary>
public sealed class LedgerRetryOptions
{
    /// <summary>Total attempts per request including the first (1 disables retries). Default 6.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Backoff before the second attempt; doubled for each further one. Default 200 ms.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of one backoff delay (and of an honoured Retry-After). Default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);
}
