using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;

namespace Ledger.Evm;

/// <summary>
/// A JSON-RPC 2.0 client for an Ethereum node over HTTP. Quantities are ulong/BigInteger, data byte[]/Hash32.
/// Error objects become <see cref="EthereumRpcException"/>; transport failures and HTTP 5xx/429 are retried with
/// exponential backoff (<see cref="EthereumRetryOptions"/>) and then raise <see cref="EthereumUnavailableException"/>.
/// </summary>
public sealed class EthereumRpcClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly EthereumRetryOptions _retry;
    private long _nextId;

    /// <summary>Creates a client for <paramref name="rpcUrl"/>; <paramref name="http"/> is not disposed by this client when given.</summary>
    public EthereumRpcClient(Uri rpcUrl, HttpClient? http = null, EthereumRetryOptions? retry = null)
    {
        ArgumentNullException.ThrowIfNull(rpcUrl);
        RpcUrl = rpcUrl;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _retry = retry ?? EthereumRetryOptions.Default;
        if (_retry.MaxAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(retry), "MaxAttempts must be at least 1");
    }

    /// <summary>The node's endpoint.</summary>
    public Uri RpcUrl { get; }

    /// <summary>The block-tag form of a block number ("0x…").</summary>
    public static string BlockTag(ulong number) => Quantity(number);

    /// <summary>eth_chainId.</summary>
    public async Task<ulong> GetChainIdAsync(CancellationToken cancellationToken = default) =>
        ParseULong(await RequestAsync("eth_chainId", [], cancellationToken).ConfigureAwait(false), "eth_chainId");

    /// <summary>eth_blockNumber.</summary>
    public async Task<ulong> GetBlockNumberAsync(CancellationToken cancellationToken = default) =>
        ParseULong(await RequestAsync("eth_blockNumber", [], cancellationToken).ConfigureAwait(false), "eth_blockNumber");

    /// <summary>eth_getBalance in wei.</summary>
    public async Task<BigInteger> GetBalanceAsync(Address address, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        ParseBig(await RequestAsync("eth_getBalance", [address.ToLowerHex(), blockTag], cancellationToken).ConfigureAwait(false), "eth_getBalance");

    /// <summary>eth_getTransactionCount ("pending" counts the node's pool, "latest" only mined transactions).</summary>
    public async Task<ulong> GetTransactionCountAsync(Address address, string blockTag = "pending", CancellationToken cancellationToken = default) =>
        ParseULong(await RequestAsync("eth_getTransactionCount", [address.ToLowerHex(), blockTag], cancellationToken).ConfigureAwait(false), "eth_getTransactionCount");

    /// <summary>eth_gasPrice in wei.</summary>
    public async Task<BigInteger> GetGasPriceAsync(CancellationToken cancellationToken = default) =>
        ParseBig(await RequestAsync("eth_gasPrice", [], cancellationToken).ConfigureAwait(false), "eth_gasPrice");

    /// <summary>eth_maxPriorityFeePerGas in wei.</summary>
    public async Task<BigInteger> GetMaxPriorityFeePerGasAsync(CancellationToken cancellationToken = default) =>
        ParseBig(await RequestAsync("eth_maxPriorityFeePerGas", [], cancellationToken).ConfigureAwait(false), "eth_maxPriorityFeePerGas");

    /// <summary>eth_feeHistory over <paramref name="blockCount"/> blocks ending at <paramref name="newestBlock"/>.</summary>
    public async Task<EthereumFeeHistory> GetFeeHistoryAsync(int blockCount, string newestBlock = "latest", IReadOnlyList<double>? rewardPercentiles = null, CancellationToken cancellationToken = default)
    {
        var percentiles = new JsonArray([.. (rewardPercentiles ?? []).Select(p => (JsonNode?)JsonValue.Create(p))]);
        var result = await RequestAsync("eth_feeHistory", [Quantity((ulong)blockCount), newestBlock, percentiles], cancellationToken).ConfigureAwait(false);
        var baseFees = result.GetProperty("baseFeePerGas").EnumerateArray().Select(e => ParseBig(e, "baseFeePerGas")).ToList();
        var ratios = result.TryGetProperty("gasUsedRatio", out var r) ? r.EnumerateArray().Select(e => e.GetDouble()).ToList() : [];
        var rewards = result.TryGetProperty("reward", out var rw) && rw.ValueKind == JsonValueKind.Array
            ? rw.EnumerateArray().Select(row => (IReadOnlyList<BigInteger>)[.. row.EnumerateArray().Select(e => ParseBig(e, "reward"))]).ToList()
            : [];
        return new EthereumFeeHistory(ParseULong(result.GetProperty("oldestBlock"), "oldestBlock"), baseFees, ratios, rewards);
    }

    /// <summary>eth_getBlockByNumber (without transactions); null when the block does not exist.</summary>
    public Task<EthereumBlock?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default) =>
        GetBlockAsync(BlockTag(number), cancellationToken);

    /// <summary>eth_getBlockByNumber for a tag ("latest", "pending", "earliest", "safe", "finalized" or "0x…").</summary>
    public async Task<EthereumBlock?> GetBlockAsync(string blockTag, CancellationToken cancellationToken = default)
    {
        var result = await RequestAsync("eth_getBlockByNumber", [blockTag, false], cancellationToken).ConfigureAwait(false);
        if (result.ValueKind == JsonValueKind.Null)
            return null;
        BigInteger? baseFee = result.TryGetProperty("baseFeePerGas", out var b) && b.ValueKind == JsonValueKind.String ? ParseBig(b, "baseFeePerGas") : null;
        return new EthereumBlock(
            ParseULong(result.GetProperty("number"), "number"),
            ParseHash(result.GetProperty("hash"), "hash"),
            ParseHash(result.GetProperty("parentHash"), "parentHash"),
            ParseULong(result.GetProperty("timestamp"), "timestamp"),
            baseFee);
    }

    /// <summary>eth_estimateGas. A revert raises <see cref="EthereumRpcException"/> with the decoded reason.</summary>
    public async Task<ulong> EstimateGasAsync(EthereumCallRequest request, CancellationToken cancellationToken = default) =>
        ParseULong(await RequestAsync("eth_estimateGas", [CallObject(request)], cancellationToken).ConfigureAwait(false), "eth_estimateGas");

    /// <summary>eth_call of <paramref name="data"/> on <paramref name="to"/> at <paramref name="blockTag"/>; returns the return data.</summary>
    public Task<byte[]> CallAsync(Address to, byte[] data, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        CallAsync(new EthereumCallRequest(null, to, data, BigInteger.Zero), blockTag, cancellationToken);

    /// <summary>eth_call with every parameter.</summary>
    public async Task<byte[]> CallAsync(EthereumCallRequest request, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        ParseData(await RequestAsync("eth_call", [CallObject(request), blockTag], cancellationToken).ConfigureAwait(false), "eth_call");

    /// <summary>eth_sendRawTransaction; returns the transaction hash the node reports.</summary>
    public async Task<Hash32> SendRawTransactionAsync(byte[] raw, CancellationToken cancellationToken = default) =>
        ParseHash(await RequestAsync("eth_sendRawTransaction", [Hex.Encode0x(raw)], cancellationToken).ConfigureAwait(false), "eth_sendRawTransaction");

    /// <summary>eth_getTransactionReceipt; null while the transaction is not mined (or unknown).</summary>
    public async Task<EthereumReceipt?> GetReceiptAsync(Hash32 transactionHash, CancellationToken cancellationToken = default)
    {
        var r = await RequestAsync("eth_getTransactionReceipt", [Hex.Encode0x(transactionHash.ToArray())], cancellationToken).ConfigureAwait(false);
        if (r.ValueKind == JsonValueKind.Null)
            return null;
        Address? contract = r.TryGetProperty("contractAddress", out var c) && c.ValueKind == JsonValueKind.String ? Address.Parse(c.GetString()!) : null;
        return new EthereumReceipt(
            ParseHash(r.GetProperty("transactionHash"), "transactionHash"),
            r.TryGetProperty("status", out var s) && ParseULong(s, "status") == 1,
            ParseULong(r.GetProperty("blockNumber"), "blockNumber"),
            ParseHash(r.GetProperty("blockHash"), "blockHash"),
            ParseULong(r.GetProperty("gasUsed"), "gasUsed"),
            [.. r.GetProperty("logs").EnumerateArray().Select(ParseLog)],
            contract);
    }

    /// <summary>eth_getTransactionByHash; null when the node does not know the transaction.</summary>
    public async Task<EthereumTransactionInfo?> GetTransactionAsync(Hash32 transactionHash, CancellationToken cancellationToken = default)
    {
        var t = await RequestAsync("eth_getTransactionByHash", [Hex.Encode0x(transactionHash.ToArray())], cancellationToken).ConfigureAwait(false);
        if (t.ValueKind == JsonValueKind.Null)
            return null;
        Address? to = t.TryGetProperty("to", out var toEl) && toEl.ValueKind == JsonValueKind.String ? Address.Parse(toEl.GetString()!) : null;
        ulong? blockNumber = t.TryGetProperty("blockNumber", out var bn) && bn.ValueKind == JsonValueKind.String ? ParseULong(bn, "blockNumber") : null;
        Hash32? blockHash = t.TryGetProperty("blockHash", out var bh) && bh.ValueKind == JsonValueKind.String ? ParseHash(bh, "blockHash") : null;
        return new EthereumTransactionInfo(
            ParseHash(t.GetProperty("hash"), "hash"),
            Address.Parse(t.GetProperty("from").GetString()!),
            to,
            ParseULong(t.GetProperty("nonce"), "nonce"),
            ParseBig(t.GetProperty("value"), "value"),
            ParseData(t.GetProperty("input"), "input"),
            blockNumber,
            blockHash);
    }

    /// <summary>eth_getLogs.</summary>
    public async Task<IReadOnlyList<EthereumLog>> GetLogsAsync(EthereumLogFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var obj = new JsonObject { ["fromBlock"] = filter.FromBlock, ["toBlock"] = filter.ToBlock };
        if (filter.Address is { } address)
            obj["address"] = address.ToLowerHex();
        if (filter.Topics.Count > 0)
        {
            var topics = new JsonArray();
            foreach (var position in filter.Topics)
                topics.Add(position is null ? null : new JsonArray([.. position.Select(h => (JsonNode?)JsonValue.Create(Hex.Encode0x(h.ToArray())))]));
            obj["topics"] = topics;
        }
        var result = await RequestAsync("eth_getLogs", [obj], cancellationToken).ConfigureAwait(false);
        return [.. result.EnumerateArray().Select(ParseLog)];
    }

    /// <summary>eth_getCode; empty for an account without code.</summary>
    public async Task<byte[]> GetCodeAsync(Address address, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        ParseData(await RequestAsync("eth_getCode", [address.ToLowerHex(), blockTag], cancellationToken).ConfigureAwait(false), "eth_getCode");

    /// <summary>
    /// Any JSON-RPC method (e.g. anvil's evm_mine): the result element (a clone, safe to keep).
    /// Parameters are JSON values: strings, numbers, bools, <see cref="JsonNode"/>s or null.
    /// </summary>
    /// <exception cref="EthereumRpcException">The node answered with an error object.</exception>
    /// <exception cref="EthereumUnavailableException">Every attempt failed in transport or with HTTP 5xx/429.</exception>
    public async Task<JsonElement> RequestAsync(string method, IReadOnlyList<object?> parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(parameters);
        var id = Interlocked.Increment(ref _nextId);
        var body = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id,
            ["method"] = method,
            ["params"] = new JsonArray([.. parameters.Select(ToNode)]),
        }.ToJsonString();

        Exception? last = null;
        var delay = _retry.InitialDelay;
        for (var attempt = 1; attempt <= _retry.MaxAttempts; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (attempt > 1)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _retry.MaxDelay.Ticks));
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_retry.RequestTimeout);
            string text;
            try
            {
                using var content = new StringContent(body, Encoding.UTF8);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await _http.PostAsync(RpcUrl, content, timeout.Token).ConfigureAwait(false);
                if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    last = new HttpRequestException($"HTTP {(int)response.StatusCode} from the node", null, response.StatusCode);
                    continue;
                }
                text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode && !LooksLikeJson(text))
                    throw new EthereumRpcException((int)response.StatusCode, $"HTTP {(int)response.StatusCode}: {Truncate(text)}", null);
            }
            catch (HttpRequestException e)
            {
                last = e;
                continue;
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                last = new TimeoutException($"{method}: no answer within {_retry.RequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", e);
                continue;
            }
            catch (IOException e)
            {
                last = e;
                continue;
            }
            return ParseResponse(method, text);
        }
        throw new EthereumUnavailableException($"{method}: the Ethereum node at {RpcUrl} did not answer after {_retry.MaxAttempts} attempts: {last?.Message}", last!);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
            _http.Dispose();
    }

    private static JsonElement ParseResponse(string method, string text)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new EthereumRpcException($"{method}: the node's answer is not JSON: {Truncate(text)}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new EthereumRpcException($"{method}: the node's answer is not a JSON-RPC object");
            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var ci) ? ci : 0;
                var message = error.TryGetProperty("message", out var m) ? m.ToString() : "";
                byte[]? data = null;
                if (error.TryGetProperty("data", out var d))
                {
                    var hex = d.ValueKind switch
                    {
                        JsonValueKind.String => d.GetString(),
                        JsonValueKind.Object when d.TryGetProperty("data", out var dd) && dd.ValueKind == JsonValueKind.String => dd.GetString(),
                        _ => null,
                    };
                    if (hex is not null && hex.StartsWith("0x", StringComparison.Ordinal) && Hex.TryDecode(hex, out var bytes))
                        data = bytes;
                }
                throw new EthereumRpcException(code, message, data);
            }
            if (!root.TryGetProperty("result", out var result))
                throw new EthereumRpcException($"{method}: the node's answer has neither result nor error");
            return result.Clone();
        }
    }

    private static bool LooksLikeJson(string text) => text.TrimStart().StartsWith('{');

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        ulong u => JsonValue.Create(u),
        double d => JsonValue.Create(d),
        _ => throw new ArgumentException($"unsupported JSON-RPC parameter type {value.GetType().Name}", nameof(value)),
    };

    private static JsonObject CallObject(EthereumCallRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var obj = new JsonObject();
        if (request.From is { } from)
            obj["from"] = from.ToLowerHex();
        if (request.To is { } to)
            obj["to"] = to.ToLowerHex();
        obj["data"] = Hex.Encode0x(request.Data);
        if (!request.Value.IsZero)
            obj["value"] = Quantity(request.Value);
        return obj;
    }

    /// <summary>A quantity as the minimal 0x-hex form ("0x0", "0x1a").</summary>
    internal static string Quantity(BigInteger value)
    {
        if (value.Sign < 0)
            throw new ArgumentOutOfRangeException(nameof(value), "quantities are non-negative");
        if (value.IsZero)
            return "0x0";
        var hex = Convert.ToHexStringLower(value.ToByteArray(isUnsigned: true, isBigEndian: true)).TrimStart('0');
        return "0x" + hex;
    }

    internal static string Quantity(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    internal static BigInteger ParseBig(JsonElement element, string field)
    {
        var text = element.ValueKind == JsonValueKind.String ? element.GetString()! : throw Malformed(field, "not a hex string");
        if (!text.StartsWith("0x", StringComparison.Ordinal) || text.Length < 3)
            throw Malformed(field, $"'{text}' is not a 0x-hex quantity");
        return BigInteger.Parse("0" + text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    internal static ulong ParseULong(JsonElement element, string field)
    {
        var v = ParseBig(element, field);
        return v > ulong.MaxValue ? throw Malformed(field, "does not fit in 64 bits") : (ulong)v;
    }

    private static Hash32 ParseHash(JsonElement element, string field) =>
        element.ValueKind == JsonValueKind.String && Hash32.TryParse(element.GetString(), out var h) ? h : throw Malformed(field, "not a 32-byte hash");

    private static byte[] ParseData(JsonElement element, string field) =>
        element.ValueKind == JsonValueKind.String && element.GetString() is { } s && s.StartsWith("0x", StringComparison.Ordinal) && Hex.TryDecode(s, out var bytes)
            ? bytes
            : throw Malformed(field, "not 0x-hex data");

    private static EthereumLog ParseLog(JsonElement log) => new(
        Address.Parse(log.GetProperty("address").GetString()!),
        [.. log.GetProperty("topics").EnumerateArray().Select(t => ParseHash(t, "topics"))],
        ParseData(log.GetProperty("data"), "data"),
        ParseULong(log.GetProperty("blockNumber"), "blockNumber"),
        ParseHash(log.GetProperty("blockHash"), "blockHash"),
        ParseHash(log.GetProperty("transactionHash"), "transactionHash"),
        (int)ParseULong(log.GetProperty("logIndex"), "logIndex"));

    private static EthereumRpcException Malformed(string field, string rule) => new($"{field}: {rule} in the node's answer");
}
