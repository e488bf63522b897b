using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ledger.Node.Api;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Merkle;
using Xunit.Sdk;

namespace Ledger.Node.Tests.Crash;

/// <summary>How a submission ended for the writer.</summary>
public enum SubmitStatus
{
    /// <summary>200 with every record accepted or duplicate: the records must be on the ledger from now on.</summary>
    Acknowledged,

    /// <summary>No answer (connection refused or reset, the node died): the batch may or may not be on the ledger.</summary>
    Unknown,

    /// <summary>An answer other than 200 (or a 200 that does not say every record is on the ledger): a test failure.</summary>
    Refused,
}

/// <summary>The writer's view of one submission.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Outcomes">For an acknowledgement: each record's outcome (accepted or duplicate), in order.</param>
/// <param name="MaxBlock">For an acknowledgement: the highest block named.</param>
/// <param name="Detail">What went wrong (status and body, or the exception).</param>
public sealed record SubmitAnswer(SubmitStatus Status, IReadOnlyList<string> Outcomes, long MaxBlock, string Detail);

/// <summary>Submits signed batches over HTTP and checks what a restarted node serves: its head and inclusion proofs.</summary>
public static class LaneClient
{
    /// <summary>A client for the node authenticating with <paramref name="token"/>, with enough connections for the writers.</summary>
    public static HttpClient Create(NodeProcess node, string token)
    {
        ArgumentNullException.ThrowIfNull(node);
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 16, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) };
        var client = new HttpClient(handler) { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>
    /// POSTs the batch to /v1/batches. 429 and 503 "overloaded" are retried (the same batch: resubmission is idempotent)
    /// until <paramref name="giveUp"/> says the node is going away, which makes the answer <see cref="SubmitStatus.Unknown"/>.
    /// </summary>
    public static async Task<SubmitAnswer> SubmitAsync(HttpClient client, PlannedBatch planned, Func<bool> giveUp)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(planned);
        ArgumentNullException.ThrowIfNull(giveUp);
        while (true)
        {
            HttpStatusCode status;
            string body;
            string? problemType = null;
            try
            {
                using var content = new ByteArrayContent(planned.Encoded);
                content.Headers.ContentType = new MediaTypeHeaderValue(LedgerEndpoints.BatchMediaType);
                using var response = await client.PostAsync("/v1/batches", content);
                status = response.StatusCode;
                body = await response.Content.ReadAsStringAsync();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                return new SubmitAnswer(SubmitStatus.Unknown, [], 0, $"{e.GetType().Name}: {e.Message}");
            }
            if (status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
            {
                problemType = TryProblemType(body);
                if (problemType == ProblemTypes.Overloaded && !giveUp())
                {
                    await Task.Delay(50);
                    continue;
                }
            }
            if (status != HttpStatusCode.OK)
                return new SubmitAnswer(SubmitStatus.Refused, [], 0, string.Create(CultureInfo.InvariantCulture, $"{planned}: HTTP {(int)status} {body}"));
            return ReadAcknowledgement(planned, body);
        }
    }

    private static string? TryProblemType(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("type", out var t) ? t.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static SubmitAnswer ReadAcknowledgement(PlannedBatch planned, string body)
    {
        SubmitAnswer Bad(string why) => new(SubmitStatus.Refused, [], 0, $"{planned}: 200 but {why}: {body}");
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        if (!root.GetProperty("accepted").GetBoolean())
            return Bad("accepted is false");
        var outcomes = root.GetProperty("outcomes").EnumerateArray().ToList();
        var records = planned.Batch.Records;
        if (outcomes.Count != records.Count)
            return Bad(string.Create(CultureInfo.InvariantCulture, $"{outcomes.Count} outcomes for {records.Count} records"));
        var statuses = new List<string>(outcomes.Count);
        long maxBlock = 0;
        for (var i = 0; i < outcomes.Count; i++)
        {
            var o = outcomes[i];
            var status = o.GetProperty("outcome").GetString()!;
            if (status is not ("accepted" or "duplicate"))
                return Bad(string.Create(CultureInfo.InvariantCulture, $"record {i} is {status}"));
            var ids = o.GetProperty("recordIds").EnumerateArray().Select(x => Hash32.Parse(x.GetString()!)).ToList();
            if (ids.Count != 1 || ids[0] != records[i].Id)
                return Bad(string.Create(CultureInfo.InvariantCulture, $"outcome {i} names other records than {records[i].Id}"));
            if (o.GetProperty("block").ValueKind != JsonValueKind.Number)
                return Bad(string.Create(CultureInfo.InvariantCulture, $"outcome {i} names no block"));
            maxBlock = Math.Max(maxBlock, o.GetProperty("block").GetInt64());
            statuses.Add(status);
        }
        return new SubmitAnswer(SubmitStatus.Acknowledged, statuses, maxBlock, "");
    }
}

/// <summary>
/// What a verifier checks on every restart: the lane's head never goes backwards and carries the lane's signature, the
/// lane log only grows (a consistency proof from the last verified log root), and records are in the log (inclusion proofs
/// against a signed header's log root).
/// </summary>
public sealed class LaneChecker(Address lane)
{
    private readonly ConcurrentDictionary<Hash32, bool> _verifiedHeaders = new();

    /// <summary>The last verified head height.</summary>
    public long Height { get; private set; }

    /// <summary>The last verified log size.</summary>
    public long LogSize { get; private set; }

    /// <summary>The last verified log root.</summary>
    public Hash32 LogRoot { get; private set; } = MerkleTree.ComputeRoot([]);

    /// <summary>
    /// Checks /v1/head: signed by the lane, at least as high as every head seen before and as every block named in an
    /// acknowledgement (<paramref name="acknowledgedBlock"/>), and its log consistent with the last verified one.
    /// </summary>
    public async Task CheckHeadAsync(HttpClient client, long acknowledgedBlock, string context)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var json = JsonDocument.Parse(await client.GetStringAsync("/v1/head"));
        var height = json.RootElement.GetProperty("height").GetInt64();
        if (height < Height || height < acknowledgedBlock)
            throw new XunitException(string.Create(CultureInfo.InvariantCulture,
                $"{context}: the head went back to height {height}; a head at {Height} was served before and block {acknowledgedBlock} was acknowledged"));
        if (height == 0)
            return;
        var header = VerifyHeader(json.RootElement, context);
        if (header.LogSize < LogSize)
            throw new XunitException(string.Create(CultureInfo.InvariantCulture, $"{context}: the log shrank from {LogSize} to {header.LogSize} records"));
        if (LogSize > 0)
        {
            using var proof = JsonDocument.Parse(await client.GetStringAsync(string.Create(CultureInfo.InvariantCulture,
                $"/v1/proofs/consistency?from={LogSize}&to={header.LogSize}")));
            var check = MerkleTree.VerifyConsistency(Hex.Decode(proof.RootElement.GetProperty("proof").GetString()!), LogRoot, header.LogRoot);
            if (!check.IsValid)
                throw new XunitException(string.Create(CultureInfo.InvariantCulture,
                    $"{context}: the log of {header.LogSize} records is not an extension of the verified log of {LogSize} records: {check.Failure}"));
        }
        Height = height;
        LogSize = header.LogSize;
        LogRoot = header.LogRoot;
    }

    /// <summary>
    /// Whether the record is on the ledger: 200 with an inclusion proof that verifies against its signed header (true),
    /// or 404 (false); anything else, or a proof that does not verify, fails.
    /// </summary>
    public async Task<bool> IsPresentAsync(HttpClient client, Hash32 id, string context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.GetAsync("/v1/proofs/inclusion/" + id, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return false;
        if (response.StatusCode != HttpStatusCode.OK)
            throw new XunitException(string.Create(CultureInfo.InvariantCulture, $"{context}: GET /v1/proofs/inclusion/{id}: HTTP {(int)response.StatusCode}"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = json.RootElement;
        var header = VerifyHeader(root.GetProperty("header"), context);
        var check = MerkleTree.VerifyInclusion(Hex.Decode(root.GetProperty("proof").GetString()!), MerkleHash.Leaf(id), header.LogRoot);
        if (Hash32.Parse(root.GetProperty("record").GetString()!) != id || root.GetProperty("treeSize").GetInt64() != header.LogSize || !check.IsValid)
            throw new XunitException(string.Create(CultureInfo.InvariantCulture,
                $"{context}: {id}: the inclusion proof does not verify against the log root of height {header.Height} ({check.Failure})"));
        return true;
    }

    /// <summary>
    /// For every id: GET /v1/proofs/inclusion/{id} is 200 and its proof verifies against the log root of the signed header it
    /// comes with. Runs <paramref name="parallel"/> requests at a time; reports every missing id (up to 20) at once.
    /// </summary>
    public async Task CheckPresentAsync(HttpClient client, IReadOnlyList<Hash32> ids, string context, int parallel = 6)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(ids);
        var problems = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (id, ct) =>
        {
            if (!await IsPresentAsync(client, id, context, ct))
                problems.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{id}: HTTP 404"));
        });
        if (!problems.IsEmpty)
            throw new XunitException(string.Create(CultureInfo.InvariantCulture,
                $"{context}: {problems.Count} of {ids.Count} acknowledged records are not proven on the ledger: {string.Join("; ", problems.Take(20))}"));
    }

    /// <summary>Decodes the header JSON's <c>encoded</c>, checks it is this lane's and its signature verifies.</summary>
    private BlockHeader VerifyHeader(JsonElement headerJson, string context)
    {
        var signed = SignedHeader.Decode(Hex.Decode(headerJson.GetProperty("encoded").GetString()!));
        var hash = signed.Hash();
        if (_verifiedHeaders.ContainsKey(hash))
            return signed.Header;
        if (signed.Header.Lane != lane)
            throw new XunitException($"{context}: the header at height {signed.Header.Height} is of lane {signed.Header.Lane}, not {lane}");
        var check = signed.Verify();
        if (!check.IsValid)
            throw new XunitException(string.Create(CultureInfo.InvariantCulture, $"{context}: the header at height {signed.Header.Height} does not verify: {check.Reason}"));
        _verifiedHeaders[hash] = true;
        return signed.Header;
    }
}
