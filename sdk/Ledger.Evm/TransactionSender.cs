using System.Numerics;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;

namespace Ledger.Evm;

/// <summary>
/// Sends transactions for one key (docs/spec/evm-client.md), on Nethereum's JSON-RPC and transaction encoding, signed
/// with the project's key (<see cref="EvmTransactionSigner"/>). The policy is the project's own: fees from the chain (EIP-1559 when the latest block has
/// a base fee, else legacy gas price), gas = estimate × 1.2 (capped), and nonces that survive restarts: every signed
/// transaction is recorded in the nonce file BEFORE it is broadcast, and <see cref="OpenAsync"/> re-broadcasts the
/// recorded transactions the node does not know instead of signing new ones. One sender per key and file at a time.
/// </summary>
public sealed class TransactionSender : IDisposable
{
    /// <summary>Upper bound for a transaction's gas limit (the estimate × 1.2 is capped here).</summary>
    public const ulong GasCap = 15_000_000;

    private readonly EthereumRpcClient _rpc;
    private readonly PrivateKey _key;
    private readonly string _nonceFile;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private ulong _nextNonce;
    private readonly List<PendingTransaction> _pending;

    private TransactionSender(EthereumRpcClient rpc, PrivateKey key, string nonceFile, ulong chainId, ulong nextNonce, List<PendingTransaction> pending)
    {
        _rpc = rpc;
        _key = key;
        _nonceFile = nonceFile;
        ChainId = chainId;
        Address = key.Address;
        _nextNonce = nextNonce;
        _pending = pending;
    }

    /// <summary>The sending account.</summary>
    public Address Address { get; }

    /// <summary>The chain id the node reported (and that every transaction is signed for).</summary>
    public ulong ChainId { get; }

    /// <summary>The RPC client the sender uses.</summary>
    public EthereumRpcClient Rpc => _rpc;

    /// <summary>How often <see cref="WaitForReceiptAsync"/> polls (default 200 ms).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A seam for crash tests: called with "evm-recorded" once a signed transaction is in the nonce file and before it is
    /// broadcast, and with "evm-broadcast" once the node accepted it (the node's fault points, docs/spec/anchoring.md).
    /// </summary>
    public Action<string>? FaultPoint { get; set; }

    /// <summary>The nonce the next transaction gets.</summary>
    public ulong NextNonce => _nextNonce;

    /// <summary>Transactions signed and recorded but not yet seen confirmed, by nonce.</summary>
    public IReadOnlyList<PendingTransaction> Pending
    {
        get
        {
            lock (_pending)
                return [.. _pending.OrderBy(p => p.Nonce)];
        }
    }

    /// <summary>
    /// Opens the sender: reads the chain id (checked against <paramref name="expectedChainId"/> when given), loads
    /// <paramref name="nonceFile"/> (created when missing) and reconciles it with the node: recorded transactions below
    /// the mined nonce are dropped from the file, recorded transactions the node does not know are re-broadcast (same raw
    /// bytes, same nonce), and the next nonce is the highest of the file's, the node's pending count and its mined count.
    /// </summary>
    /// <exception cref="ChainIdMismatchException">The node is on another chain.</exception>
    /// <exception cref="NonceFileException">The file is malformed or belongs to another account or chain.</exception>
    public static async Task<TransactionSender> OpenAsync(EthereumRpcClient rpc, PrivateKey key, string nonceFile, ulong? expectedChainId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(nonceFile);
        var chainId = await rpc.GetChainIdAsync(cancellationToken).ConfigureAwait(false);
        if (expectedChainId is { } expected && expected != chainId)
            throw new ChainIdMismatchException(expected, chainId);
        var state = NonceState.Load(nonceFile);
        if (state is not null && state.Account != key.Address)
            throw new NonceFileException("address", $"the file is for {state.Account}, the key is {key.Address}");
        if (state is not null && state.ChainId != chainId)
            throw new NonceFileException("chainId", $"the file is for chain {state.ChainId}, the node is on chain {chainId}");

        var mined = await rpc.GetTransactionCountAsync(key.Address, "latest", cancellationToken).ConfigureAwait(false);
        var pending = new List<PendingTransaction>();
        foreach (var record in state?.Pending ?? [])
        {
            if (record.Nonce < mined)
                continue; // mined (this transaction or, if it was replaced, another at its nonce)
            pending.Add(record);
            var known = await rpc.GetTransactionAsync(record.Hash, cancellationToken).ConfigureAwait(false);
            if (known is null)
                await BroadcastAsync(rpc, record.Raw, cancellationToken).ConfigureAwait(false);
        }
        var poolCount = await rpc.GetTransactionCountAsync(key.Address, "pending", cancellationToken).ConfigureAwait(false);
        var next = Math.Max(Math.Max(state?.NextNonce ?? 0, poolCount), mined);
        var sender = new TransactionSender(rpc, key, nonceFile, chainId, next, pending);
        sender.Persist();
        return sender;
    }

    /// <summary>
    /// Signs and sends a transaction (<paramref name="to"/> null creates a contract from <paramref name="data"/>).
    /// The gas estimate runs first (a revert raises <see cref="EthereumRpcException"/> with the decoded reason and
    /// nothing is recorded); then the signed transaction is written to the nonce file, then broadcast.
    /// </summary>
    /// <returns>The transaction hash.</returns>
    /// <exception cref="EthereumUnavailableException">The node could not be reached; the transaction stays recorded and is re-broadcast by the next <see cref="OpenAsync"/> or <see cref="RebroadcastPendingAsync"/>.</exception>
    public async Task<Hash32> SendAsync(Address? to, byte[] data, BigInteger value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var estimate = await _rpc.EstimateGasAsync(new EthereumCallRequest(Address, to, data, value), cancellationToken).ConfigureAwait(false);
            var gas = GasLimitFor(estimate);
            var fees = await FeesAsync(cancellationToken).ConfigureAwait(false);
            for (var attempt = 0; ; attempt++)
            {
                var nonce = _nextNonce;
                var signed = fees.Sign(_key, ChainId, nonce, gas, to, value, data);
                var record = new PendingTransaction(signed.Hash, nonce, signed.Raw);
                lock (_pending)
                    _pending.Add(record);
                _nextNonce = nonce + 1;
                Persist();
                FaultPoint?.Invoke("evm-recorded");
                try
                {
                    await BroadcastAsync(_rpc, record.Raw, cancellationToken).ConfigureAwait(false);
                    FaultPoint?.Invoke("evm-broadcast");
                    return record.Hash;
                }
                catch (EthereumRpcException e) when (e.IsNonceTooLow && attempt == 0)
                {
                    // Something else used this nonce: forget the record and take the chain's count.
                    Forget(record);
                    _nextNonce = await _rpc.GetTransactionCountAsync(Address, "pending", cancellationToken).ConfigureAwait(false);
                    Persist();
                }
                catch (EthereumRpcException)
                {
                    // Rejected outright (funds, fee too low, …): it will never be mined, so the nonce is free again.
                    Forget(record);
                    if (_nextNonce == record.Nonce + 1)
                        _nextNonce = record.Nonce;
                    Persist();
                    throw;
                }
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Re-broadcasts every recorded transaction the node does not know (same raw bytes).</summary>
    /// <returns>How many were re-broadcast.</returns>
    public async Task<int> RebroadcastPendingAsync(CancellationToken cancellationToken = default)
    {
        var count = 0;
        foreach (var record in Pending)
        {
            if (await _rpc.GetTransactionAsync(record.Hash, cancellationToken).ConfigureAwait(false) is null)
            {
                await BroadcastAsync(_rpc, record.Raw, cancellationToken).ConfigureAwait(false);
                count++;
            }
        }
        return count;
    }

    /// <summary>
    /// Waits until the transaction's receipt is in a block that is <paramref name="confirmations"/> deep (1 = mined in
    /// the head block) and that block is still canonical (its hash at that height is re-checked). A reorg that removes
    /// the block makes it wait again: a transaction of this sender that the node no longer knows is re-broadcast (same
    /// raw bytes, same nonce); any other is reported dropped. On success the transaction leaves <see cref="Pending"/>.
    /// </summary>
    /// <exception cref="TransactionDroppedException">It was mined, then reorged out, the node no longer has it and it is not this sender's to re-broadcast.</exception>
    /// <exception cref="TimeoutException">Not confirmed within <paramref name="timeout"/>.</exception>
    public async Task<EthereumReceipt> WaitForReceiptAsync(Hash32 transactionHash, int confirmations, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(confirmations);
        var depth = (ulong)Math.Max(confirmations, 1);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        Hash32? seenInBlock = null;
        try
        {
            while (true)
            {
                var receipt = await _rpc.GetReceiptAsync(transactionHash, deadline.Token).ConfigureAwait(false);
                if (receipt is null)
                {
                    if (seenInBlock is not null && await _rpc.GetTransactionAsync(transactionHash, deadline.Token).ConfigureAwait(false) is null)
                    {
                        var record = Pending.FirstOrDefault(p => p.Hash == transactionHash);
                        if (record is null)
                            throw new TransactionDroppedException(transactionHash, $"its block {Hex.Encode0x(seenInBlock.Value.ToArray())} left the canonical chain and the node no longer has it");
                        await BroadcastAsync(_rpc, record.Raw, deadline.Token).ConfigureAwait(false);
                    }
                }
                else
                {
                    if (seenInBlock != receipt.BlockHash)
                    {
                        ReceiptObserved?.Invoke(new ReceiptObservation(receipt, seenInBlock));
                        seenInBlock = receipt.BlockHash;
                    }
                    var head = await _rpc.GetBlockNumberAsync(deadline.Token).ConfigureAwait(false);
                    if (head + 1 >= receipt.BlockNumber + depth)
                    {
                        var block = await _rpc.GetBlockAsync(receipt.BlockNumber, deadline.Token).ConfigureAwait(false);
                        if (block is not null && block.Hash == receipt.BlockHash)
                        {
                            ForgetHash(transactionHash);
                            return receipt;
                        }
                    }
                }
                await Task.Delay(PollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"transaction {Hex.Encode0x(transactionHash.ToArray())}: not {depth} blocks deep within {timeout}");
        }
    }

    /// <summary>
    /// Called by <see cref="WaitForReceiptAsync"/> whenever it sees the receipt in a block it had not seen it in: the
    /// first time (<see cref="ReceiptObservation.PreviousBlockHash"/> null) and after a reorg moved it (non-null).
    /// </summary>
    public Action<ReceiptObservation>? ReceiptObserved { get; set; }

    /// <summary>Sends and waits for <paramref name="confirmations"/>; a failed receipt is returned, not thrown (check <see cref="EthereumReceipt.Succeeded"/>).</summary>
    public async Task<EthereumReceipt> SendAndWaitAsync(Address? to, byte[] data, BigInteger value, int confirmations, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var hash = await SendAsync(to, data, value, cancellationToken).ConfigureAwait(false);
        return await WaitForReceiptAsync(hash, confirmations, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The gas limit for an estimate: estimate × 1.2, at most <see cref="GasCap"/>.</summary>
    public static ulong GasLimitFor(ulong estimate) => (ulong)BigInteger.Min((BigInteger)estimate * 12 / 10, GasCap);

    /// <inheritdoc />
    public void Dispose() => _lock.Dispose();

    internal async Task<FeeQuote> FeesAsync(CancellationToken cancellationToken)
    {
        var latest = await _rpc.GetBlockAsync("latest", cancellationToken).ConfigureAwait(false)
            ?? throw new EthereumRpcException("eth_getBlockByNumber: the node has no latest block");
        if (latest.BaseFeePerGas is { } baseFee)
        {
            var tip = await _rpc.GetMaxPriorityFeePerGasAsync(cancellationToken).ConfigureAwait(false);
            return FeeQuote.Eip1559(baseFee, tip);
        }
        return FeeQuote.Legacy(await _rpc.GetGasPriceAsync(cancellationToken).ConfigureAwait(false));
    }

    private static async Task BroadcastAsync(EthereumRpcClient rpc, byte[] raw, CancellationToken cancellationToken)
    {
        try
        {
            await rpc.SendRawTransactionAsync(raw, cancellationToken).ConfigureAwait(false);
        }
        catch (EthereumRpcException e) when (e.IsAlreadyKnown)
        {
            // the node has it already: nothing to do
        }
    }

    private void Forget(PendingTransaction record)
    {
        lock (_pending)
            _pending.Remove(record);
    }

    private void ForgetHash(Hash32 hash)
    {
        bool removed;
        lock (_pending)
            removed = _pending.RemoveAll(p => p.Hash == hash) > 0;
        if (removed)
            Persist();
    }

    private void Persist()
    {
        List<PendingTransaction> snapshot;
        lock (_pending)
            snapshot = [.. _pending];
        new NonceState(ChainId, Address, _nextNonce, snapshot).Save(_nonceFile);
    }
}

/// <summary>A receipt seen by <see cref="TransactionSender.WaitForReceiptAsync"/>; <paramref name="PreviousBlockHash"/> is the block it was seen in before a reorg, null the first time.</summary>
public sealed record ReceiptObservation(EthereumReceipt Receipt, Hash32? PreviousBlockHash);

/// <summary>The fee fields of a transaction: EIP-1559 (max fee = 2 × base fee + tip) or legacy gas price.</summary>
/// <param name="DynamicFee">True for an EIP-1559 (type 2) transaction, false for a legacy one (EIP-155).</param>
/// <param name="GasPrice">Legacy gas price (0 for EIP-1559).</param>
/// <param name="MaxFeePerGas">EIP-1559 max fee (0 for legacy).</param>
/// <param name="MaxPriorityFeePerGas">EIP-1559 tip (0 for legacy).</param>
public sealed record FeeQuote(bool DynamicFee, BigInteger GasPrice, BigInteger MaxFeePerGas, BigInteger MaxPriorityFeePerGas)
{
    /// <summary>EIP-1559 fees from the latest base fee and the node's suggested tip.</summary>
    public static FeeQuote Eip1559(BigInteger baseFee, BigInteger tip) => new(true, BigInteger.Zero, baseFee * 2 + tip, tip);

    /// <summary>Legacy fees.</summary>
    public static FeeQuote Legacy(BigInteger gasPrice) => new(false, gasPrice, BigInteger.Zero, BigInteger.Zero);

    /// <summary>A transaction with these fees, built by Nethereum and signed with <paramref name="key"/> (<see cref="EvmTransactionSigner"/>).</summary>
    public SignedEvmTransaction Sign(PrivateKey key, ulong chainId, ulong nonce, ulong gasLimit, Address? to, BigInteger value, byte[] data) => DynamicFee
        ? EvmTransactionSigner.SignEip1559(key, chainId, nonce, MaxPriorityFeePerGas, MaxFeePerGas, gasLimit, to, value, data)
        : EvmTransactionSigner.SignLegacy(key, chainId, nonce, GasPrice, gasLimit, to, value, data);
}
