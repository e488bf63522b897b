using Ledger.Evm.Contracts;
using Ledger.Protocol;

namespace Ledger.Evm;

/// <summary>The node answered a JSON-RPC request with an error object (e.g. a revert, "nonce too low").</summary>
public class EthereumRpcException : Exception
{
    /// <summary>Creates the exception from the error object's fields; revert data, when present, is decoded into <see cref="RevertReason"/>.</summary>
    public EthereumRpcException(int code, string message, byte[]? data)
        : base(Describe(code, message, data))
    {
        Code = code;
        RpcMessage = message;
        Data = data;
        RevertReason = data is { Length: >= 4 } ? ContractErrors.Describe(data) : null;
        Error = data is { Length: >= 4 } ? ContractErrors.Decode(data) : null;
    }

    /// <summary>Creates the exception with a message.</summary>
    public EthereumRpcException() : this(0, "error", null) { }

    /// <summary>Creates the exception with a message.</summary>
    public EthereumRpcException(string message) : this(0, message, null) { }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public EthereumRpcException(string message, Exception innerException) : base(message, innerException)
    {
        RpcMessage = message;
    }

    /// <summary>The JSON-RPC error code (e.g. 3 or -32000 for a revert on most nodes).</summary>
    public int Code { get; }

    /// <summary>The node's error message verbatim.</summary>
    public string RpcMessage { get; }

    /// <summary>The error object's data as bytes when it was hex (revert data), else null. (Hides <see cref="Exception.Data"/>.)</summary>
    public new byte[]? Data { get; }

    /// <summary>Revert data decoded: Error(string), Panic(uint256) or one of the contracts' custom errors, e.g. "AlreadyAnchored(size 7, root 0x…)"; null when there is no revert data.</summary>
    public string? RevertReason { get; }

    /// <summary>The revert decoded against the contracts' ABIs (name and arguments, e.g. AlreadyAnchored with size and root); null without revert data or for an unknown selector.</summary>
    public ContractError? Error { get; }

    /// <summary>True when the node rejected a transaction because its nonce was already used.</summary>
    public bool IsNonceTooLow => RpcMessage.Contains("nonce too low", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the node already has this exact transaction.</summary>
    public bool IsAlreadyKnown => RpcMessage.Contains("already known", StringComparison.OrdinalIgnoreCase)
        || RpcMessage.Contains("already imported", StringComparison.OrdinalIgnoreCase)
        || RpcMessage.Contains("transaction already exists", StringComparison.OrdinalIgnoreCase);

    private static string Describe(int code, string message, byte[]? data)
    {
        var reason = data is { Length: >= 4 } ? ContractErrors.Describe(data) : null;
        return reason is null ? $"JSON-RPC error {code}: {message}" : $"JSON-RPC error {code}: {message}: {reason}";
    }
}

/// <summary>The chain could not be reached: transport failures or HTTP 5xx/429 persisted through every retry.</summary>
public class EthereumUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EthereumUnavailableException() : base("the Ethereum node is unavailable") { }

    /// <summary>Creates the exception with a message.</summary>
    public EthereumUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the last failure.</summary>
    public EthereumUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// A transaction that was mined left the canonical chain (a reorg below the confirmation depth) and the node no longer
/// knows it: the caller should resend the change (<see cref="TransactionSender.SendAsync"/> with a fresh nonce).
/// </summary>
public class TransactionDroppedException : Exception
{
    /// <summary>Creates the exception for <paramref name="transactionHash"/>.</summary>
    public TransactionDroppedException(Hash32 transactionHash, string reason)
        : base($"transaction {transactionHash} was dropped: {reason}")
    {
        TransactionHash = transactionHash;
    }

    /// <summary>Creates the exception.</summary>
    public TransactionDroppedException() : base("transaction dropped") { }

    /// <summary>Creates the exception with a message.</summary>
    public TransactionDroppedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public TransactionDroppedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The dropped transaction.</summary>
    public Hash32 TransactionHash { get; }
}

/// <summary>The chain id the node reports is not the one the caller expected.</summary>
public class ChainIdMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChainIdMismatchException(ulong expected, ulong actual)
        : base($"chainId: the node reports {actual}, expected {expected}")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>Creates the exception.</summary>
    public ChainIdMismatchException() : base("chainId mismatch") { }

    /// <summary>Creates the exception with a message.</summary>
    public ChainIdMismatchException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public ChainIdMismatchException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The expected chain id.</summary>
    public ulong Expected { get; }

    /// <summary>The node's chain id.</summary>
    public ulong Actual { get; }
}
