using Ledger.Engine.Anchoring;
using Ledger.Engine.Faults;
using Ledger.Evm;
using Ledger.Evm.Contracts;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ledger.Node.Anchoring;

/// <summary>
/// Posts the lane's certified head (log size, log root) to the Anchor contract, signed with the node key, when it grew and
/// an interval (seconds or lane blocks) has passed. Every anchor is recorded pending in the <see cref="AnchorStore"/>
/// before its transaction is sent; on restart a pending anchor is looked up, waited for or re-broadcast (its signed bytes
/// unchanged), never sent again as a new transaction. The ledger never waits on the chain: when the chain is unreachable
/// the service logs, backs off and later anchors the newest head in one transaction. A confirmed anchor whose block hash
/// changed (a reorg) goes back to pending.
/// </summary>
public sealed partial class AnchoringService(NodeState state, NodeOptions options, AnchoringStatus status, TimeProvider time,
    ILogger<AnchoringService> logger) : BackgroundService
{
    // Armed only by LEDGER_FAULTPOINT in a crash test's node process (docs/spec/anchoring.md, crash points).
    private static readonly FaultPoints Faults = FaultPoints.FromEnvironment();
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>The nonce file of the node key's transactions, in the data folder's <c>evm</c> folder.</summary>
    public const string NonceFileName = "nonce.json";

    private long _lastSentMs;
    private long _lastSentHeight;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (state.Ledger is null)
            await Task.Delay(Tick, stoppingToken);
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunConnectedAsync(() => backoff = TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // anchoring must never stop the node: every failure is logged, backed off and retried
            catch (Exception e)
#pragma warning restore CA1031
            {
                status.LastErrorMs = time.GetUtcNow().ToUnixTimeMilliseconds();
                LogChainError(logger, options.Evm.Rpc, backoff.TotalSeconds, e.Message);
                try
                {
                    await Task.Delay(backoff, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private async Task RunConnectedAsync(Action connected, CancellationToken cancellationToken)
    {
        var ledger = state.Ledger!;
        using var rpc = new EthereumRpcClient(options.Evm.RpcUri);
        var chainId = await rpc.GetChainIdAsync(cancellationToken);
        var evmDirectory = Path.Combine(ledger.Identity.DataDirectory, LedgerService.EvmDirectoryName);
        Directory.CreateDirectory(evmDirectory);
        using var sender = await TransactionSender.OpenAsync(rpc, ledger.Identity.Key, Path.Combine(evmDirectory, NonceFileName), chainId, cancellationToken);
        sender.FaultPoint = Faults.Reach;
        var contract = new AnchorContract(rpc, options.Evm.AnchorAddress);
        LogConnected(logger, options.Evm.Rpc, chainId, contract.Address, sender.Address);
        connected();
        while (true)
        {
            await TickAsync(rpc, sender, contract, chainId, cancellationToken);
            await Task.Delay(Tick, cancellationToken);
        }
    }

    private async Task TickAsync(EthereumRpcClient rpc, TransactionSender sender, AnchorContract contract, ulong chainId, CancellationToken ct)
    {
        var ledger = state.Ledger!;
        var store = ledger.Anchors;
        var lane = ledger.Engine.Lane;
        var chainHead = await rpc.GetBlockNumberAsync(ct);
        var depth = (ulong)options.Evm.Confirmations;
        var anchors = store.ForLane(chainId, contract.Address, lane);

        foreach (var a in anchors.Where(a => a.Status != AnchorStatus.Dropped).TakeLast(16))
            await ReconcileAsync(rpc, sender, contract, a, chainHead, depth, ct);

        anchors = store.ForLane(chainId, contract.Address, lane);
        // One transaction in flight at a time: a later size waits until the earlier one is mined (sizes only grow on chain).
        if (anchors.Any(a => a.Status == AnchorStatus.Pending && a.BlockNumber is null))
            return;
        var head = ledger.Engine.Head;
        if (head.Header is null || head.Certificate is null || head.Certificate.Cosignatures.Count < ledger.Consortium.Definition.Quorum)
            return;
        var sentSize = anchors.Where(a => a.Status != AnchorStatus.Dropped).Select(a => a.Size).DefaultIfEmpty(0).Max();
        var (chainSize, _) = await contract.LatestAsync(lane, ct);
        if (head.LogSize <= Math.Max(sentSize, (long)chainSize))
            return;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_lastSentMs == 0 && anchors.Count > 0)
        {
            _lastSentMs = anchors[^1].UpdatedMs;
            _lastSentHeight = anchors[^1].HeaderHeight;
        }
        var due = now - _lastSentMs >= options.Evm.AnchorEverySeconds * 1000L || head.Height - _lastSentHeight >= options.Evm.AnchorEveryBlocks;
        if (!due)
            return;
        await SendAsync(sender, contract, new AnchorRecord(0, lane, head.LogSize, head.Header.Header.LogRoot, head.Height, head.Header.Hash(),
            chainId, contract.Address, null, null, null, AnchorStatus.Pending, null, null, 0, now), ct);
    }

    private async Task SendAsync(TransactionSender sender, AnchorContract contract, AnchorRecord intent, CancellationToken ct)
    {
        var store = state.Ledger!.Anchors;
        // Recorded before sending: a crash after this line and before the hash is recorded is resolved on restart from the
        // chain and the sender's own durable pending list, never by a blind second send.
        store.Put(intent);
        _lastSentMs = intent.UpdatedMs;
        _lastSentHeight = intent.HeaderHeight;
        Faults.Reach(FaultPoints.AnchorIntent);
        var hash = await contract.SubmitAnchorAsync(sender, (ulong)intent.Size, intent.Root, ct);
        var pending = sender.Pending.FirstOrDefault(p => p.Hash == hash);
        store.Put(intent with { TransactionHash = hash, TransactionNonce = pending?.Nonce, RawTransaction = pending?.Raw, UpdatedMs = Now() });
        LogSent(logger, intent.Size, intent.Root, hash, pending?.Nonce);
    }

    private async Task ReconcileAsync(EthereumRpcClient rpc, TransactionSender sender, AnchorContract contract, AnchorRecord a, ulong chainHead, ulong depth,
        CancellationToken ct)
    {
        var store = state.Ledger!.Anchors;
        if (a.Status == AnchorStatus.Confirmed)
        {
            // A reorg below the confirmation depth: the block at that number is another one now.
            if (a.BlockNumber is { } n && a.BlockHash is { } h && chainHead - n < 64)
            {
                var block = await rpc.GetBlockAsync(n, ct);
                if (block is null || block.Hash != h)
                {
                    LogReorg(logger, a.Size, n);
                    store.Put(a with { Status = AnchorStatus.Pending, BlockNumber = null, BlockHash = null, Confirmations = 0, UpdatedMs = Now() });
                }
                else if (chainHead - n + 1 != a.Confirmations && a.Confirmations < 64)
                    store.Put(a with { Confirmations = chainHead - n + 1, UpdatedMs = Now() });
            }
            return;
        }
        if (a.TransactionHash is not { } tx)
        {
            // Decided but the hash was never recorded (a crash around the send).
            var onChain = await contract.RootAtAsync(a.Lane, (ulong)a.Size, ct);
            if (onChain is { } root && root == a.Root)
            {
                var block = await FindAnchorBlockAsync(contract, a.Lane, a.Size, ct);
                store.Put(a with { Status = AnchorStatus.Confirmed, BlockNumber = block?.Number, BlockHash = block?.Hash, Confirmations = block is null ? 0 : chainHead - block.Number + 1, UpdatedMs = Now() });
                return;
            }
            var (chainSize, _) = await contract.LatestAsync(a.Lane, ct);
            if ((long)chainSize >= a.Size)
            {
                // The chain moved past this size with another root: it can never be anchored; a later head will be.
                store.Put(a with { Status = AnchorStatus.Dropped, UpdatedMs = Now() });
                return;
            }
            var mined = await rpc.GetTransactionCountAsync(sender.Address, "latest", ct);
            if (sender.Pending.Any(p => p.Nonce >= mined))
                return; // the sender has a recorded transaction not mined yet: it may be this anchor; wait for it
            // The sender records a transaction before it sends it, so none was sent for this intent: send it now (once).
            await SendAsync(sender, contract, a with { UpdatedMs = Now() }, ct);
            return;
        }
        var receipt = await rpc.GetReceiptAsync(tx, ct);
        if (receipt is null)
        {
            if (a.BlockNumber is not null)
                store.Put(a = a with { BlockNumber = null, BlockHash = null, Confirmations = 0, UpdatedMs = Now() });
            if (a.RawTransaction is { } raw)
            {
                try
                {
                    await rpc.SendRawTransactionAsync(raw, ct);
                }
                catch (EthereumRpcException)
                {
                    // Already known to the node's pool, or its nonce is used: the receipt decides on a later tick.
                }
            }
            return;
        }
        if (!receipt.Succeeded)
        {
            LogFailed(logger, a.Size, tx);
            store.Put(a with { Status = AnchorStatus.Dropped, BlockNumber = receipt.BlockNumber, BlockHash = receipt.BlockHash, UpdatedMs = Now() });
            return;
        }
        var confirmations = chainHead >= receipt.BlockNumber ? chainHead - receipt.BlockNumber + 1 : 0;
        var next = a with
        {
            Status = confirmations >= depth ? AnchorStatus.Confirmed : AnchorStatus.Pending,
            BlockNumber = receipt.BlockNumber,
            BlockHash = receipt.BlockHash,
            Confirmations = confirmations,
        };
        if (next != a)
        {
            store.Put(next with { UpdatedMs = Now() });
            if (next.Status == AnchorStatus.Confirmed)
                LogConfirmed(logger, a.Size, receipt.BlockNumber, confirmations);
        }
    }

    private static async Task<EthereumBlockRef?> FindAnchorBlockAsync(AnchorContract contract, Address lane, long size, CancellationToken ct)
    {
        var count = await contract.AnchorCountAsync(lane, ct);
        for (var i = count; i > 0; i--)
        {
            var e = await contract.AnchorAtAsync(lane, i - 1, ct);
            if ((long)e.Size == size)
                return new EthereumBlockRef(e.BlockNumber, null);
            if ((long)e.Size < size)
                break;
        }
        return null;
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private sealed record EthereumBlockRef(ulong Number, Hash32? Hash);

    [LoggerMessage(Level = LogLevel.Information, Message = "anchoring to {Rpc} (chain {ChainId}), contract {Contract}, as {Sender}")]
    private static partial void LogConnected(ILogger logger, string? rpc, ulong chainId, Address contract, Address sender);

    [LoggerMessage(Level = LogLevel.Warning, Message = "anchoring: chain {Rpc} failed ({Error}); retrying in {BackoffSeconds}s, the ledger keeps writing")]
    private static partial void LogChainError(ILogger logger, string? rpc, double backoffSeconds, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "anchor sent: size {Size} root {Root} tx {TransactionHash} nonce {Nonce}")]
    private static partial void LogSent(ILogger logger, long size, Hash32 root, Hash32 transactionHash, ulong? nonce);

    [LoggerMessage(Level = LogLevel.Information, Message = "anchor confirmed: size {Size} in block {BlockNumber} ({Confirmations} confirmations)")]
    private static partial void LogConfirmed(ILogger logger, long size, ulong blockNumber, ulong confirmations);

    [LoggerMessage(Level = LogLevel.Warning, Message = "anchor of size {Size}: block {BlockNumber} was replaced (reorg); back to pending")]
    private static partial void LogReorg(ILogger logger, long size, ulong blockNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "anchor of size {Size}: transaction {TransactionHash} reverted; dropped")]
    private static partial void LogFailed(ILogger logger, long size, Hash32 transactionHash);
}
