using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;

namespace Ledger.Sdk.Client;

/// <summary>
/// A client for one Ledger node (docs/spec/api.md). Thread-safe; create one per node and party and reuse it.
/// Every method is asynchronous with the <see cref="CancellationToken"/> last. Refusals throw
/// <see cref="LedgerRequestException"/> carrying the node's RFC 9457 problem; "not found" reads return null.
/// 429/503 answers and transient network errors are retried with exponential backoff and jitter (honouring
/// <c>Retry-After</c>) for reads and for batch submissions, which are idempotent by record id.
/// </summary>
public sealed partial class LedgerClient : IDisposable
{
    private const string BatchMediaType = "application/vnd.ledger.batch";
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly LedgerClientOptions _options;
    private int _disposed;

    /// <summary>Creates a client.</summary>
    /// <exception cref="ArgumentException">No node URL, or neither a token nor a key.</exception>
    public LedgerClient(LedgerClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Node is null && options.NodeResolver is null)
            throw new ArgumentException("set LedgerClientOptions.Node (the node's base URL)", nameof(options));
        if (string.IsNullOrWhiteSpace(options.ApiToken) && options.PrivateKey is null)
            throw new ArgumentException("set LedgerClientOptions.ApiToken or LedgerClientOptions.PrivateKey", nameof(options));
        if (options.Transport == LedgerTransport.Grpc && options.GrpcNode is null && options.GrpcNodeResolver is null)
            throw new ArgumentException("set LedgerClientOptions.GrpcNode (the node's gRPC address) with Transport = Grpc", nameof(options));
        if (options.Retry.MaxAttempts < 1)
            throw new ArgumentException("Retry.MaxAttempts must be at least 1", nameof(options));
        _options = options;
        if (options.HttpClient is { } http)
            _http = http;
        else
        {
            _http = options.HttpMessageHandler is { } h ? new HttpClient(h, disposeHandler: false) : new HttpClient();
            _http.Timeout = Timeout.InfiniteTimeSpan;
            _ownsHttp = true;
        }
    }

    /// <summary>The party's key when the client signs (null with a token only).</summary>
    public PrivateKey? PrivateKey => _options.PrivateKey;

    /// <summary>The clock the client uses.</summary>
    public TimeProvider TimeProvider => _options.TimeProvider;

    /// <summary>The transport of the hot paths.</summary>
    public LedgerTransport Transport => _options.Transport;

    /// <summary>Disposes the HttpClient and gRPC channels the client created (not a client or handler passed in).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (_ownsHttp)
            _http.Dispose();
        DisposeGrpc();
    }

    // ---- writes ----

    /// <summary>Submits a signed batch (POST /v1/batches); answered once durable. Retried safely: a batch already written is answered as duplicates.</summary>
    /// <exception cref="LedgerRequestException">Refused, e.g. 422 custody-rejected with <see cref="LedgerRequestException.Code"/>.</exception>
    public async Task<SubmitBatchResult> SubmitBatchAsync(SignedBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var body = batch.Encode();
        if (_options.Transport == LedgerTransport.Grpc)
            return await SubmitBatchGrpcAsync(body, cancellationToken).ConfigureAwait(false);
        using var doc = await SendJsonAsync(HttpMethod.Post, "/v1/batches", body, BatchMediaType, retry: true, null, cancellationToken).ConfigureAwait(false);
        var r = doc!.RootElement;
        return new SubmitBatchResult(r.GetProperty("accepted").GetBoolean(), NullableLong(r, "block"),
            [.. r.GetProperty("outcomes").EnumerateArray().Select(ReadOutcome)])
        {
            State = r.TryGetProperty("state", out var state) && state.ValueKind == JsonValueKind.String ? state.GetString() : null,
        };
    }

    /// <summary>
    /// Captures an EPCIS document as the hosted party of the token (POST /epcis/capture) and returns the finished job.
    /// Not retried on 429/503 after the body was sent unless the node refused it before reading (429); the node answers a
    /// repeated event as <c>duplicate</c>, so a retry is harmless.
    /// </summary>
    /// <param name="document">EPCIS 2.0 JSON-LD, 2.0 XML or 1.2 XML text.</param>
    /// <param name="contentType"><c>application/ld+json</c>, <c>application/json</c>, <c>application/xml</c> or <c>text/xml</c>.</param>
    /// <param name="errorBehaviour">Rollback (default) or proceed.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<CaptureJob> CaptureEpcisAsync(string document, string contentType, CaptureErrorBehaviour errorBehaviour = CaptureErrorBehaviour.Rollback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GS1-Capture-Error-Behaviour"] = errorBehaviour == CaptureErrorBehaviour.Proceed ? "proceed" : "rollback",
        };
        var (_, text) = await SendAsync(HttpMethod.Post, "/epcis/capture", Encoding.UTF8.GetBytes(document), contentType, retry: true, headers, allowNotFound: false, cancellationToken).ConfigureAwait(false);
        return ReadCaptureJob(text!);
    }

    /// <summary>A capture job by id (GET /epcis/capture/{id}); null when there is none.</summary>
    public async Task<CaptureJob?> GetCaptureJobAsync(string captureId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(captureId);
        var (_, text) = await SendAsync(HttpMethod.Get, "/epcis/capture/" + Uri.EscapeDataString(captureId), null, null, retry: true, null, allowNotFound: true, cancellationToken).ConfigureAwait(false);
        return text is null ? null : ReadCaptureJob(text);
    }

    /// <summary>
    /// Waits until the record is in a certified block: polls GET /v1/records/{id} (the caller must be its author or a
    /// regulator), then reads its block's header and certificate.
    /// </summary>
    /// <param name="recordId">The record id.</param>
    /// <param name="pollInterval">Between polls; default 250 ms.</param>
    /// <param name="cancellationToken">Stops waiting (bound the wait with a timeout token).</param>
    public async Task<CertifiedRecord> WaitForCertificationAsync(Hash32 recordId, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        var interval = pollInterval ?? TimeSpan.FromMilliseconds(250);
        while (true)
        {
            if (await GetRecordAsync(recordId, cancellationToken).ConfigureAwait(false) is not null
                && await GetInclusionProofAsync(recordId, cancellationToken).ConfigureAwait(false) is { } proof
                && await GetHeaderAsync(proof.Height, cancellationToken).ConfigureAwait(false) is { Certificate: not null } header)
                return new CertifiedRecord(recordId, proof.Height, header);
            await Task.Delay(interval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- reads ----

    /// <summary>The lane's latest signed header (GET /v1/head); null before the first block.</summary>
    public async Task<LedgerHeader?> GetHeadAsync(CancellationToken cancellationToken = default)
    {
        using var doc = await SendJsonAsync(HttpMethod.Get, "/v1/head", null, null, retry: true, null, cancellationToken).ConfigureAwait(false);
        return doc!.RootElement.TryGetProperty("encoded", out _) ? ReadHeader(doc.RootElement) : null;
    }

    /// <summary>The signed header at a height (GET /v1/headers/{h}); null when there is no such block.</summary>
    public async Task<LedgerHeader?> GetHeaderAsync(long height, CancellationToken cancellationToken = default)
    {
        using var doc = await SendJsonAsync(HttpMethod.Get, "/v1/headers/" + height.ToString(CultureInfo.InvariantCulture), null, null, retry: true, null, cancellationToken, allowNotFound: true).ConfigureAwait(false);
        return doc is null ? null : ReadHeader(doc.RootElement);
    }

    /// <summary>A whole block (GET /v1/blocks/{h}, regulators only), decoded and checked against its own encoding; null when none.</summary>
    public async Task<Block?> GetBlockAsync(long height, CancellationToken cancellationToken = default)
    {
        using var doc = await SendJsonAsync(HttpMethod.Get, "/v1/blocks/" + height.ToString(CultureInfo.InvariantCulture), null, null, retry: true, null, cancellationToken, allowNotFound: true).ConfigureAwait(false);
        return doc is null ? null : Block.Decode(Hex.Decode(doc.RootElement.GetProperty("encoded").GetString()!));
    }

    /// <summary>A record by id (GET /v1/records/{id}; its author or a regulator), decoded; null when not on the ledger.</summary>
    public async Task<LedgerRecord?> GetRecordAsync(Hash32 recordId, CancellationToken cancellationToken = default)
    {
        using var doc = await SendJsonAsync(HttpMethod.Get, "/v1/records/" + recordId, null, null, retry: true, null, cancellationToken, allowNotFound: true).ConfigureAwait(false);
        if (doc is null)
            return null;
        var record = LedgerRecord.Decode(Hex.Decode(doc.RootElement.GetProperty("encoded").GetString()!));
        if (record.Id != recordId)
            throw new InvalidDataException($"the node answered record {record.Id} for {recordId}");
        return record;
    }

    /// <summary>An inclusion proof of a record at the head (GET /v1/proofs/inclusion/{id}); null when not on the ledger.</summary>
    public async Task<InclusionProofAnswer?> GetInclusionProofAsync(Hash32 recordId, CancellationToken cancellationToken = default)
    {
        using var doc = await SendJsonAsync(HttpMethod.Get, "/v1/proofs/inclusion/" + recordId, null, null, retry: true, null, cancellationToken, allowNotFound: true).ConfigureAwait(false);
        if (doc is null)
            return null;
        var r = doc.RootElement;
        return new InclusionProofAnswer(Hash32.Parse(r.GetProperty("record").GetString()!), r.GetProperty("height").GetInt64(), r.GetProperty("logIndex").GetInt64(),
            InclusionProof.Decode(Hex.Decode(r.GetProperty("proof").GetString()!)), ReadHeader(r.GetProperty("header")));
    }

    /// <summary>A consistency proof between two log sizes (GET /v1/proofs/consistency); <paramref name="to"/> null: the head.</summary>
    public async Task<ConsistencyProofAnswer> GetConsistencyProofAsync(long from, long? to = null, CancellationToken cancellationToken = default)
    {
        var query = "?from=" + from.ToString(CultureInfo.InvariantCulture) + (to is { } t ? "&to=" + t.ToString(CultureInfo.InvariantCulture) : "");
        using var doc = await SendJsonAsync(HttpMethod.Get, "/v1/proofs/consistency" + query, null, null, retry: true, null, cancellationToken).ConfigureAwait(false);
        var r = doc!.RootElement;
        return new ConsistencyProofAnswer(r.GetProperty("from").GetInt64(), r.GetProperty("to").GetInt64(), ConsistencyProof.Decode(Hex.Decode(r.GetProperty("proof").GetString()!)));
    }

    /// <summary>A page of alerts the party may read after a sequence (GET /v1/alerts).</summary>
    public async Task<AlertPage> GetAlertsAsync(long after = 0, int limit = 100, CancellationToken cancellationToken = default)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"/v1/alerts?after={after}&limit={limit}");
        using var doc = await SendJsonAsync(HttpMethod.Get, path, null, null, retry: true, null, cancellationToken).ConfigureAwait(false);
        var r = doc!.RootElement;
        return new AlertPage([.. r.GetProperty("alerts").EnumerateArray().Select(ReadAlert)], r.GetProperty("next").GetInt64());
    }

    /// <summary>Every alert the party may read, page by page.</summary>
    public async IAsyncEnumerable<LedgerAlertInfo> GetAllAlertsAsync(long after = 0, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var page = await GetAlertsAsync(after, 500, cancellationToken).ConfigureAwait(false);
            foreach (var a in page.Alerts)
                yield return a;
            if (page.Alerts.Count == 0 || page.Next <= after)
                yield break;
            after = page.Next;
        }
    }

    /// <summary>The consortium (GET /v1/consortium) as a validated <see cref="ConsortiumDefinition"/>.</summary>
    /// <remarks>The node lists itself as a party with no roles (the author of the verifications it records).</remarks>
    public async Task<ConsortiumDefinition> GetConsortiumAsync(CancellationToken cancellationToken = default)
    {
        using var doc = await SendJsonAsync(HttpMethod.Get, "/v1/consortium", null, null, retry: true, null, cancellationToken).ConfigureAwait(false);
        return ReadConsortium(doc!.RootElement);
    }

    /// <summary>
    /// Queries EPCIS events (GET /epcis/events) with EPCIS 2.0 query parameters (e.g. <c>MATCH_epc</c>, <c>eventType</c>,
    /// <c>perPage</c>, <c>nextPageToken</c>).
    /// </summary>
    public async Task<EpcisQueryResult> QueryEpcisEventsAsync(IEnumerable<KeyValuePair<string, string>>? parameters = null, CancellationToken cancellationToken = default)
    {
        var query = string.Join("&", (parameters ?? []).Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        var (response, text) = await SendAsync(HttpMethod.Get, "/epcis/events" + (query.Length > 0 ? "?" + query : ""), null, null, retry: true, null, allowNotFound: false, cancellationToken).ConfigureAwait(false);
        return new EpcisQueryResult(text!, response.TryGetValues("GS1-Next-Page-Token", out var v) ? v.FirstOrDefault() : null);
    }

    // ---- the HTTP core ----

    internal Uri NodeUri => _options.NodeResolver?.Invoke() ?? _options.Node!;

    internal async Task<JsonDocument?> SendJsonAsync(HttpMethod method, string pathAndQuery, byte[]? body, string? contentType, bool retry,
        IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken, bool allowNotFound = false)
    {
        var (_, text) = await SendAsync(method, pathAndQuery, body, contentType, retry, headers, allowNotFound, cancellationToken).ConfigureAwait(false);
        return text is null ? null : JsonDocument.Parse(text);
    }

    /// <summary>Sends with retries; returns the response headers and body text, or a null body for 404 when allowed.</summary>
    internal async Task<(HttpResponseHeaders Headers, string? Body)> SendAsync(HttpMethod method, string pathAndQuery, byte[]? body, string? contentType, bool retry,
        IReadOnlyDictionary<string, string>? headers, bool allowNotFound, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var attempts = retry ? _options.Retry.MaxAttempts : 1;
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            HttpStatusCode? status = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            try
            {
                using var request = CreateRequest(method, pathAndQuery, body, contentType, headers);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                    return (response.Headers, text);
                if (response.StatusCode == HttpStatusCode.NotFound && allowNotFound && IsNotFoundProblem(text))
                    return (response.Headers, null);
                var transient = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;
                if (!transient || attempt >= attempts)
                    throw LedgerRequestException.FromResponse(response.StatusCode, text);
                retryAfter = RetryAfter(response.Headers);
                status = response.StatusCode;
            }
            catch (HttpRequestException) when (attempt < attempts && !cancellationToken.IsCancellationRequested)
            {
                // A transient network failure (connection refused or reset): back off and try again.
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && attempt < attempts)
            {
                // This attempt timed out.
            }
            catch (IOException) when (attempt < attempts && !cancellationToken.IsCancellationRequested)
            {
                // The connection broke while reading the answer.
            }
            await DelayBeforeRetryAsync(attempt, status, retryAfter, cancellationToken).ConfigureAwait(false);
        }
    }

    internal HttpRequestMessage CreateRequest(HttpMethod method, string pathAndQuery, byte[]? body, string? contentType, IReadOnlyDictionary<string, string>? headers)
    {
        var uri = new Uri(NodeUri, pathAndQuery);
        var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/octet-stream");
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(name, value);
        if (_options.ApiToken is { Length: > 0 } token)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        else
        {
            var timeMs = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            request.Headers.TryAddWithoutValidation("Authorization", SignRequest(_options.PrivateKey!, method.Method, uri.PathAndQuery, timeMs, body ?? []));
        }
        return request;
    }

    /// <summary>
    /// The <c>Authorization</c> value of a signed request (docs/spec/api.md §3): the key's signature over
    /// SHA-256("ledger/request/v1" || 0x00 || RLP([METHOD, path-and-query, time-ms, SHA-256(body)])).
    /// </summary>
    public static string SignRequest(PrivateKey key, string method, string pathAndQuery, long timeMs, ReadOnlySpan<byte> body)
        => SignedRequest.AuthorizationHeader(key, method, pathAndQuery, timeMs, body);

    /// <summary>Waits the backoff before the next attempt, telling <see cref="LedgerRetryOptions.OnRetry"/> first.</summary>
    internal Task DelayBeforeRetryAsync(int attempt, HttpStatusCode? status, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var delay = Backoff(attempt, retryAfter);
        _options.Retry.OnRetry?.Invoke(new LedgerRetryNotice(attempt, status, retryAfter, delay));
        return Task.Delay(delay, _options.TimeProvider, cancellationToken);
    }

    /// <summary>The delay before attempt <paramref name="attempt"/> + 1: Retry-After when given, else full-jitter exponential backoff.</summary>
    internal TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var max = _options.Retry.MaxDelay;
        if (retryAfter is { } ra)
            return ra < TimeSpan.Zero ? TimeSpan.Zero : ra > max ? max : ra;
        var ceiling = Math.Min(max.TotalMilliseconds, _options.Retry.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds((ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2));
    }

    private TimeSpan? RetryAfter(HttpResponseHeaders headers)
    {
        if (headers.RetryAfter is not { } ra)
            return null;
        if (ra.Delta is { } delta)
            return delta;
        if (ra.Date is { } date)
            return date - _options.TimeProvider.GetUtcNow();
        return null;
    }

    // One reading of a problem's type (LedgerRequestException, which takes ledgerType on the EPCIS routes).
    private static bool IsNotFoundProblem(string text) =>
        LedgerRequestException.FromResponse(HttpStatusCode.NotFound, text).ProblemName == "not-found";

    // ---- JSON readers ----

    internal static LedgerHeader ReadHeader(JsonElement e)
    {
        var header = SignedHeader.Decode(Hex.Decode(e.GetProperty("encoded").GetString()!));
        Certificate? certificate = e.TryGetProperty("certificate", out var c) && c.ValueKind == JsonValueKind.Object
            ? Certificate.Decode(Hex.Decode(c.GetProperty("encoded").GetString()!))
            : null;
        return new LedgerHeader(header.Header.Height, header, certificate);
    }

    private static RecordOutcome ReadOutcome(JsonElement e) => new(
        e.GetProperty("outcome").GetString()!,
        [.. e.GetProperty("recordIds").EnumerateArray().Select(i => Hash32.Parse(i.GetString()!))],
        NullableLong(e, "block"), NullableString(e, "code"), NullableString(e, "message"));

    internal static LedgerAlertInfo ReadAlert(JsonElement e) => new(
        e.GetProperty("sequence").GetInt64(), e.GetProperty("kind").GetString()!, NullableString(e, "item"),
        Hash32.Parse(e.GetProperty("record").GetString()!), e.GetProperty("recordAccepted").GetBoolean(),
        Address.Parse(e.GetProperty("author").GetString()!), DateTimeOffset.Parse(e.GetProperty("time").GetString()!, CultureInfo.InvariantCulture),
        NullableString(e, "evidence") ?? "");

    private static CaptureJob ReadCaptureJob(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        var events = r.TryGetProperty("events", out var ev) && ev.ValueKind == JsonValueKind.Array
            ? ev.EnumerateArray().Select(e => new CaptureEventOutcome(NullableString(e, "eventID"), NullableString(e, "eventHashID"), e.GetProperty("outcome").GetString()!,
                e.TryGetProperty("recordIds", out var ids) && ids.ValueKind == JsonValueKind.Array ? [.. ids.EnumerateArray().Select(i => Hash32.Parse(i.GetString()!))] : [],
                NullableLong(e, "block"), NullableString(e, "code"), NullableString(e, "message"))).ToList()
            : [];
        return new CaptureJob(r.GetProperty("captureID").GetString()!, r.TryGetProperty("running", out var run) && run.GetBoolean(),
            r.TryGetProperty("success", out var ok) && ok.GetBoolean(), NullableString(r, "captureErrorBehaviour") ?? "rollback", events, json);
    }

    internal static long? NullableLong(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;

    internal static string? NullableString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>
    /// Maps the node's /v1/consortium JSON to a definition. It is not the ledger-consortium file form (roles are one
    /// string such as "Manufacturer, Regulator", and the node lists itself as a party with no roles), so it is mapped member by
    /// member rather than through <see cref="ConsortiumFile.Parse"/>.
    /// </summary>
    private static ConsortiumDefinition ReadConsortium(JsonElement r)
    {
        static IReadOnlyList<string> Strings(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? [.. v.EnumerateArray().Select(x => x.GetString()!)] : [];
        var nodes = r.GetProperty("nodes").EnumerateArray()
            .Select(n => new ConsortiumNode(n.GetProperty("name").GetString()!, Address.Parse(n.GetProperty("address").GetString()!), NullableString(n, "endpoint") ?? ""))
            .ToList();
        var parties = new List<Party>();
        foreach (var p in r.GetProperty("parties").EnumerateArray())
        {
            var roles = PartyRoles.None;
            foreach (var name in (NullableString(p, "roles") ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (ConsortiumFile.TryParseRole(name.ToLowerInvariant(), out var role))
                    roles |= role;
                else if (!string.Equals(name, "None", StringComparison.Ordinal))
                    throw new ConsortiumFormatException("parties[].roles", "role", $"the node answered an unknown role '{name}'");
            }
            parties.Add(new Party(p.GetProperty("name").GetString()!, Address.Parse(p.GetProperty("address").GetString()!), roles,
                Strings(p, "glns"), Strings(p, "companyPrefixes"), Strings(p, "delegatedGtins"), Address.Parse(p.GetProperty("node").GetString()!)));
        }
        return new ConsortiumDefinition(r.GetProperty("name").GetString()!, r.GetProperty("version").GetInt64(), nodes, parties);
    }
}
