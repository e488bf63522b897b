using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using Newtonsoft.Json.Linq;

namespace Ledger.Evm;

/// <summary>
/// The project's view of an Ethereum node over JSON-RPC, on Nethereum (docs/adr/0005-nethereum-client.md): every call
/// goes through Nethereum's <see cref="RpcClient"/> and its typed eth_* services (<see cref="Web3"/> is available for
/// anything this class does not wrap). What is the project's own is the policy around it (<see cref="RpcPolicy"/>):
/// transport failures and HTTP 5xx/429 are retried with exponential backoff (<see cref="EthereumRetryOptions"/>) and
/// then raise <see cref="EthereumUnavailableException"/>; JSON-RPC error objects become <see cref="EthereumRpcException"/>
/// with the revert data decoded against the committed contracts' ABIs. Quantities are ulong/BigInteger, data
/// byte[]/<see cref="Hash32"/>, addresses <see cref="Address"/>.
/// </summary>
/// <remarks>
/// Nethereum's calls take no cancellation token: a cancelled call stops waiting at once (its HTTP request ends at
/// <see cref="EthereumRetryOptions.RequestTimeout"/>).
/// </remarks>
public sealed class EthereumRpcClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly RpcClient _client;

    /// <summary>
    /// Creates a client for <paramref name="rpcUrl"/>. A given <paramref name="http"/> is not disposed by this client;
    /// its BaseAddress is set to <paramref name="rpcUrl"/> when it has none (so give it before its first request), and
    /// its own Timeout bounds each request (the client it creates itself uses <see cref="EthereumRetryOptions.RequestTimeout"/>).
    /// </summary>
    public EthereumRpcClient(Uri rpcUrl, HttpClient? http = null, EthereumRetryOptions? retry = null)
    {
        ArgumentNullException.ThrowIfNull(rpcUrl);
        var policy = retry ?? EthereumRetryOptions.Default;
        if (policy.MaxAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(retry), "MaxAttempts must be at least 1");
        RpcUrl = rpcUrl;
        _ownsHttp = http is null;
        // Nethereum's own timeout is process-wide (a static); the request timeout is this client's HttpClient's.
        _http = http ?? new HttpClient { Timeout = policy.RequestTimeout };
        if (_http.BaseAddress is null)
            _http.BaseAddress = rpcUrl;
        _client = new RpcClient(rpcUrl, _http, null, null, null)
        {
            OverridingRequestInterceptor = new RpcPolicy(policy),
        };
        Web3 = new Web3(_client);
    }

    /// <summary>The node's endpoint.</summary>
    public Uri RpcUrl { get; }

    /// <summary>Nethereum's Web3 over the same client and policy (retries, error translation), for typed contract handlers and anything not wrapped here.</summary>
    public IWeb3 Web3 { get; }

    /// <summary>The block-tag form of a block number ("0x…").</summary>
    public static string BlockTag(ulong number) => "0x" + number.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>eth_chainId.</summary>
    public async Task<ulong> GetChainIdAsync(CancellationToken cancellationToken = default) =>
        ULong(await Web3.Eth.ChainId.SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false), "eth_chainId");

    /// <summary>eth_blockNumber.</summary>
    public async Task<ulong> GetBlockNumberAsync(CancellationToken cancellationToken = default) =>
        ULong(await Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false), "eth_blockNumber");

    /// <summary>eth_getBalance in wei.</summary>
    public async Task<BigInteger> GetBalanceAsync(Address address, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        (await Web3.Eth.GetBalance.SendRequestAsync(address.ToString(), Block(blockTag)).WaitAsync(cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>eth_getTransactionCount ("pending" counts the node's pool, "latest" only mined transactions).</summary>
    public async Task<ulong> GetTransactionCountAsync(Address address, string blockTag = "pending", CancellationToken cancellationToken = default) =>
        ULong(await Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(address.ToString(), Block(blockTag)).WaitAsync(cancellationToken).ConfigureAwait(false), "eth_getTransactionCount");

    /// <summary>eth_gasPrice in wei.</summary>
    public async Task<BigInteger> GetGasPriceAsync(CancellationToken cancellationToken = default) =>
        (await Web3.Eth.GasPrice.SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>eth_maxPriorityFeePerGas in wei.</summary>
    public async Task<BigInteger> GetMaxPriorityFeePerGasAsync(CancellationToken cancellationToken = default) =>
        (await new EthMaxPriorityFeePerGas(_client).SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>eth_feeHistory over <paramref name="blockCount"/> blocks ending at <paramref name="newestBlock"/>.</summary>
    public async Task<EthereumFeeHistory> GetFeeHistoryAsync(int blockCount, string newestBlock = "latest", IReadOnlyList<double>? rewardPercentiles = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockCount);
        var percentiles = (rewardPercentiles ?? []).Select(p => (decimal)p).ToArray();
        var result = await Web3.Eth.FeeHistory.SendRequestAsync(new HexBigInteger(blockCount), Block(newestBlock), percentiles).WaitAsync(cancellationToken).ConfigureAwait(false);
        return new EthereumFeeHistory(
            ULong(result.OldestBlock, "oldestBlock"),
            [.. (result.BaseFeePerGas ?? []).Select(b => b.Value)],
            [.. (result.GasUsedRatio ?? []).Select(r => (double)r)],
            [.. (result.Reward ?? []).Select(row => (IReadOnlyList<BigInteger>)[.. row.Select(v => v.Value)])]);
    }

    /// <summary>eth_getBlockByNumber (without transactions); null when the block does not exist.</summary>
    public Task<EthereumBlock?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default) =>
        GetBlockAsync(BlockTag(number), cancellationToken);

    /// <summary>eth_getBlockByNumber for a tag ("latest", "pending", "earliest", "safe", "finalized" or "0x…").</summary>
    public async Task<EthereumBlock?> GetBlockAsync(string blockTag, CancellationToken cancellationToken = default)
    {
        var block = await Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(Block(blockTag)).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (block is null)
            return null;
        return new EthereumBlock(
            ULong(block.Number, "number"),
            HashOf(block.BlockHash, "hash"),
            HashOf(block.ParentHash, "parentHash"),
            ULong(block.Timestamp, "timestamp"),
            block.BaseFeePerGas?.Value);
    }

    /// <summary>eth_estimateGas. A revert raises <see cref="EthereumRpcException"/> with the decoded reason.</summary>
    public async Task<ulong> EstimateGasAsync(EthereumCallRequest request, CancellationToken cancellationToken = default) =>
        ULong(await Web3.Eth.Transactions.EstimateGas.SendRequestAsync(CallInput(request)).WaitAsync(cancellationToken).ConfigureAwait(false), "eth_estimateGas");

    /// <summary>eth_call of <paramref name="data"/> on <paramref name="to"/> at <paramref name="blockTag"/>; returns the return data.</summary>
    public Task<byte[]> CallAsync(Address to, byte[] data, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        CallAsync(new EthereumCallRequest(null, to, data, BigInteger.Zero), blockTag, cancellationToken);

    /// <summary>eth_call with every parameter.</summary>
    public async Task<byte[]> CallAsync(EthereumCallRequest request, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        Data(await Web3.Eth.Transactions.Call.SendRequestAsync(CallInput(request), Block(blockTag)).WaitAsync(cancellationToken).ConfigureAwait(false), "eth_call");

    /// <summary>eth_sendRawTransaction; returns the transaction hash the node reports.</summary>
    public async Task<Hash32> SendRawTransactionAsync(byte[] raw, CancellationToken cancellationToken = default) =>
        HashOf(await Web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(Hex.Encode0x(raw)).WaitAsync(cancellationToken).ConfigureAwait(false), "eth_sendRawTransaction");

    /// <summary>eth_getTransactionReceipt; null while the transaction is not mined (or unknown).</summary>
    public async Task<EthereumReceipt?> GetReceiptAsync(Hash32 transactionHash, CancellationToken cancellationToken = default)
    {
        var r = await Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(Hex.Encode0x(transactionHash.ToArray())).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (r is null)
            return null;
        return new EthereumReceipt(
            HashOf(r.TransactionHash, "transactionHash"),
            r.Status is { } status && status.Value == BigInteger.One,
            ULong(r.BlockNumber, "blockNumber"),
            HashOf(r.BlockHash, "blockHash"),
            ULong(r.GasUsed, "gasUsed"),
            [.. (r.Logs ?? []).Select(ToLog)],
            string.IsNullOrEmpty(r.ContractAddress) ? null : Address.Parse(r.ContractAddress));
    }

    /// <summary>eth_getTransactionByHash; null when the node does not know the transaction.</summary>
    public async Task<EthereumTransactionInfo?> GetTransactionAsync(Hash32 transactionHash, CancellationToken cancellationToken = default)
    {
        var t = await Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(Hex.Encode0x(transactionHash.ToArray())).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (t is null)
            return null;
        return new EthereumTransactionInfo(
            HashOf(t.TransactionHash, "hash"),
            Address.Parse(t.From),
            string.IsNullOrEmpty(t.To) ? null : Address.Parse(t.To),
            ULong(t.Nonce, "nonce"),
            t.Value?.Value ?? BigInteger.Zero,
            Data(t.Input, "input"),
            t.BlockNumber is null ? null : ULong(t.BlockNumber, "blockNumber"),
            string.IsNullOrEmpty(t.BlockHash) ? null : HashOf(t.BlockHash, "blockHash"));
    }

    /// <summary>eth_getLogs.</summary>
    public async Task<IReadOnlyList<EthereumLog>> GetLogsAsync(EthereumLogFilter filter, CancellationToken cancellationToken = default)
    {
        var logs = await GetFilterLogsAsync(filter, cancellationToken).ConfigureAwait(false);
        return [.. logs.Select(ToLog)];
    }

    /// <summary>eth_getCode; empty for an account without code.</summary>
    public async Task<byte[]> GetCodeAsync(Address address, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        Data(await Web3.Eth.GetCode.SendRequestAsync(address.ToString(), Block(blockTag)).WaitAsync(cancellationToken).ConfigureAwait(false), "eth_getCode");

    /// <summary>
    /// Any JSON-RPC method (e.g. anvil's evm_mine): the result as a <see cref="JsonElement"/> (safe to keep).
    /// Parameters are JSON values: strings, numbers, bools or null.
    /// </summary>
    /// <exception cref="EthereumRpcException">The node answered with an error object.</exception>
    /// <exception cref="EthereumUnavailableException">Every attempt failed in transport or with HTTP 5xx/429.</exception>
    public async Task<JsonElement> RequestAsync(string method, IReadOnlyList<object?> parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var p in parameters)
        {
            if (p is not (null or string or bool or int or long or ulong or double))
                throw new ArgumentException($"unsupported JSON-RPC parameter type {p.GetType().Name}", nameof(parameters));
        }
        var result = await _client.SendRequestAsync<JToken>(method, null, [.. parameters]).WaitAsync(cancellationToken).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(result?.ToString(Newtonsoft.Json.Formatting.None) ?? "null");
        return doc.RootElement.Clone();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
            _http.Dispose();
    }

    internal async Task<FilterLog[]> GetFilterLogsAsync(EthereumLogFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var input = new NewFilterInput
        {
            FromBlock = Block(filter.FromBlock),
            ToBlock = Block(filter.ToBlock),
            Address = filter.Address is { } a ? [a.ToString()] : null,
        };
        if (filter.Topics.Count > 0)
            input.Topics = [.. filter.Topics.Select(position => position is null ? null : (object)position.Select(h => Hex.Encode0x(h.ToArray())).ToArray())];
        return await Web3.Eth.Filters.GetLogs.SendRequestAsync(input).WaitAsync(cancellationToken).ConfigureAwait(false) ?? [];
    }

    /// <summary>A block tag as Nethereum's <see cref="BlockParameter"/>.</summary>
    /// <exception cref="ArgumentException">Neither a known tag nor a 0x-hex block number.</exception>
    internal static BlockParameter Block(string blockTag) => blockTag switch
    {
        "latest" => BlockParameter.CreateLatest(),
        "pending" => BlockParameter.CreatePending(),
        "earliest" => BlockParameter.CreateEarliest(),
        "safe" => Tag(BlockParameter.BlockParameterType.safe),
        "finalized" => Tag(BlockParameter.BlockParameterType.finalized),
        _ when blockTag is not null && blockTag.StartsWith("0x", StringComparison.Ordinal) && blockTag.Length > 2
            && ulong.TryParse(blockTag.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var n) => new BlockParameter(n),
        _ => throw new ArgumentException($"blockTag: '{blockTag}' is neither latest, pending, earliest, safe, finalized nor a 0x-hex block number", nameof(blockTag)),
    };

    private static BlockParameter Tag(BlockParameter.BlockParameterType type)
    {
        var block = new BlockParameter();
        block.SetValue(type);
        return block;
    }

    internal static EthereumLog ToLog(FilterLog log) => new(
        Address.Parse(log.Address),
        [.. (log.Topics ?? []).Select(t => HashOf(t?.ToString(), "topics"))],
        Data(log.Data, "data"),
        ULong(log.BlockNumber, "blockNumber"),
        HashOf(log.BlockHash, "blockHash"),
        HashOf(log.TransactionHash, "transactionHash"),
        (int)ULong(log.LogIndex, "logIndex"));

    private static CallInput CallInput(EthereumCallRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new CallInput
        {
            From = request.From?.ToString(),
            To = request.To?.ToString(),
            Data = Hex.Encode0x(request.Data),
            Value = request.Value.IsZero ? null : new HexBigInteger(request.Value),
        };
    }

    private static ulong ULong(HexBigInteger? value, string field) =>
        value is null ? throw Malformed(field, "missing")
        : value.Value.Sign < 0 || value.Value > ulong.MaxValue ? throw Malformed(field, "does not fit in 64 bits")
        : (ulong)value.Value;

    private static Hash32 HashOf(string? text, string field) =>
        Hash32.TryParse(text, out var h) ? h : throw Malformed(field, "not a 32-byte hash");

    private static byte[] Data(string? text, string field) =>
        text is not null && text.StartsWith("0x", StringComparison.Ordinal) && Hex.TryDecode(text, out var bytes) ? bytes : throw Malformed(field, "not 0x-hex data");

    private static EthereumRpcException Malformed(string field, string rule) => new($"{field}: {rule} in the node's answer");
}
