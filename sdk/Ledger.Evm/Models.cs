using System.Numerics;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;

namespace Ledger.Evm;

/// <summary>A block header as the node reports it (the fields the client uses).</summary>
/// <param name="Number">Block height.</param>
/// <param name="Hash">Block hash.</param>
/// <param name="ParentHash">Parent block hash.</param>
/// <param name="TimestampSeconds">Unix time of the block.</param>
/// <param name="BaseFeePerGas">EIP-1559 base fee in wei, null on a chain without EIP-1559.</param>
public sealed record EthereumBlock(ulong Number, Hash32 Hash, Hash32 ParentHash, ulong TimestampSeconds, BigInteger? BaseFeePerGas);

/// <summary>One event log.</summary>
public sealed record EthereumLog(Address Address, IReadOnlyList<Hash32> Topics, byte[] Data, ulong BlockNumber, Hash32 BlockHash, Hash32 TransactionHash, int LogIndex);

/// <summary>A mined transaction's receipt. <see cref="Succeeded"/> is status == 1.</summary>
public sealed record EthereumReceipt(Hash32 TransactionHash, bool Succeeded, ulong BlockNumber, Hash32 BlockHash, ulong GasUsed, IReadOnlyList<EthereumLog> Logs, Address? ContractAddress);

/// <summary>A transaction as eth_getTransactionByHash reports it; <see cref="BlockNumber"/> is null while pending.</summary>
public sealed record EthereumTransactionInfo(Hash32 Hash, Address From, Address? To, ulong Nonce, BigInteger Value, byte[] Input, ulong? BlockNumber, Hash32? BlockHash);

/// <summary>eth_feeHistory: base fees (one more than the block count) and the requested reward percentiles per block.</summary>
public sealed record EthereumFeeHistory(ulong OldestBlock, IReadOnlyList<BigInteger> BaseFeePerGas, IReadOnlyList<double> GasUsedRatio, IReadOnlyList<IReadOnlyList<BigInteger>> Reward);

/// <summary>An eth_getLogs filter. Topics: position i matches any of the given values (null = any).</summary>
public sealed record EthereumLogFilter
{
    /// <summary>Contract address; null for every address.</summary>
    public Address? Address { get; init; }

    /// <summary>Topic positions; each null (any) or a list of alternatives.</summary>
    public IReadOnlyList<IReadOnlyList<Hash32>?> Topics { get; init; } = [];

    /// <summary>First block (a number or a tag such as "earliest"); default "earliest".</summary>
    public string FromBlock { get; init; } = "earliest";

    /// <summary>Last block (a number or a tag such as "latest"); default "latest".</summary>
    public string ToBlock { get; init; } = "latest";
}

/// <summary>The call parameters of eth_call / eth_estimateGas.</summary>
/// <param name="From">Sender, if any.</param>
/// <param name="To">Target; null for contract creation.</param>
/// <param name="Data">Calldata or init code.</param>
/// <param name="Value">Wei sent.</param>
public sealed record EthereumCallRequest(Address? From, Address? To, byte[] Data, BigInteger Value);

/// <summary>A transaction the sender has signed and recorded but not yet seen confirmed.</summary>
/// <param name="Hash">Transaction hash.</param>
/// <param name="Nonce">Its nonce.</param>
/// <param name="Raw">The signed bytes, re-broadcast verbatim on recovery.</param>
public sealed record PendingTransaction(Hash32 Hash, ulong Nonce, byte[] Raw);

/// <summary>Retry policy for transport failures and HTTP 5xx/429: exponential backoff, bounded attempts.</summary>
public sealed record EthereumRetryOptions
{
    /// <summary>Total attempts including the first (default 8).</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>Delay before the second attempt (default 100 ms); doubled each time.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Upper bound for one delay (default 2 s).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Timeout of a single HTTP request (default 30 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The defaults.</summary>
    public static EthereumRetryOptions Default { get; } = new();
}
