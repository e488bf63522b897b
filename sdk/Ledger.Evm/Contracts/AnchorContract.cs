using System.Numerics;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Evm;

namespace Ledger.Evm.Contracts;

/// <summary>One anchor of a lane: the Merkle log's size and root, and the block it was anchored in.</summary>
public sealed record AnchorEntry(ulong Size, Hash32 Root, ulong BlockNumber);

/// <summary>A decoded <c>Anchored(address indexed lane, uint64 indexed size, bytes32 root)</c> event.</summary>
public sealed record AnchoredEvent(Address Lane, ulong Size, Hash32 Root, ulong BlockNumber, Hash32 BlockHash, Hash32 TransactionHash, int LogIndex);

/// <summary>The calldata of every Anchor.sol function (the contract interface, docs/spec/evm-client.md).</summary>
public static class AnchorCalldata
{
    /// <summary>topic 0 of <c>Anchored(address,uint64,bytes32)</c>.</summary>
    public static Hash32 AnchoredTopic { get; } = Abi.EventTopic("Anchored(address,uint64,bytes32)");

    /// <summary><c>anchor(uint64 size, bytes32 root)</c>.</summary>
    public static byte[] Anchor(ulong size, Hash32 root) => Abi.EncodeCall("anchor(uint64,bytes32)", size, root.ToArray());

    /// <summary><c>latest(address lane)</c>.</summary>
    public static byte[] Latest(Address lane) => Abi.EncodeCall("latest(address)", lane);

    /// <summary><c>rootAt(address lane, uint64 size)</c>.</summary>
    public static byte[] RootAt(Address lane, ulong size) => Abi.EncodeCall("rootAt(address,uint64)", lane, size);

    /// <summary><c>anchorCount(address lane)</c>.</summary>
    public static byte[] AnchorCount(Address lane) => Abi.EncodeCall("anchorCount(address)", lane);

    /// <summary><c>anchorAt(address lane, uint256 index)</c>.</summary>
    public static byte[] AnchorAt(Address lane, ulong index) => Abi.EncodeCall("anchorAt(address,uint256)", lane, index);
}

/// <summary>Typed binding of the Anchor contract: one contract for every lane, the lane is the sender.</summary>
public sealed class AnchorContract
{
    private readonly EthereumRpcClient _rpc;

    /// <summary>Binds the contract at <paramref name="address"/>.</summary>
    public AnchorContract(EthereumRpcClient rpc, Address address)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        _rpc = rpc;
        Address = address;
    }

    /// <summary>The contract's address.</summary>
    public Address Address { get; }

    /// <summary>Sends <c>anchor(size, root)</c> from <paramref name="sender"/> (the lane). A revert at estimation raises <see cref="EthereumRpcException"/> with e.g. "AlreadyAnchored(size 7, root 0x…)".</summary>
    /// <returns>The transaction hash.</returns>
    public Task<Hash32> SubmitAnchorAsync(TransactionSender sender, ulong size, Hash32 root, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        return sender.SendAsync(Address, AnchorCalldata.Anchor(size, root), BigInteger.Zero, cancellationToken);
    }

    /// <summary>Sends <c>anchor(size, root)</c> and waits for <paramref name="confirmations"/>.</summary>
    public async Task<EthereumReceipt> AnchorAsync(TransactionSender sender, ulong size, Hash32 root, int confirmations, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var hash = await SubmitAnchorAsync(sender, size, root, cancellationToken).ConfigureAwait(false);
        return await sender.WaitForReceiptAsync(hash, confirmations, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>latest(lane)</c>: (0, zero) when the lane never anchored.</summary>
    public async Task<(ulong Size, Hash32 Root)> LatestAsync(Address lane, CancellationToken cancellationToken = default)
    {
        var v = await CallAsync(AnchorCalldata.Latest(lane), ["uint64", "bytes32"], cancellationToken).ConfigureAwait(false);
        return ((ulong)(BigInteger)v[0]!, new Hash32((byte[])v[1]!));
    }

    /// <summary><c>rootAt(lane, size)</c>: null when that size is not anchored.</summary>
    public async Task<Hash32?> RootAtAsync(Address lane, ulong size, CancellationToken cancellationToken = default)
    {
        var v = await CallAsync(AnchorCalldata.RootAt(lane, size), ["bytes32"], cancellationToken).ConfigureAwait(false);
        var root = new Hash32((byte[])v[0]!);
        return root.IsZero ? null : root;
    }

    /// <summary><c>anchorCount(lane)</c>.</summary>
    public async Task<ulong> AnchorCountAsync(Address lane, CancellationToken cancellationToken = default)
    {
        var v = await CallAsync(AnchorCalldata.AnchorCount(lane), ["uint256"], cancellationToken).ConfigureAwait(false);
        return (ulong)(BigInteger)v[0]!;
    }

    /// <summary><c>anchorAt(lane, index)</c>.</summary>
    public async Task<AnchorEntry> AnchorAtAsync(Address lane, ulong index, CancellationToken cancellationToken = default)
    {
        var v = await CallAsync(AnchorCalldata.AnchorAt(lane, index), ["uint64", "bytes32", "uint64"], cancellationToken).ConfigureAwait(false);
        return new AnchorEntry((ulong)(BigInteger)v[0]!, new Hash32((byte[])v[1]!), (ulong)(BigInteger)v[2]!);
    }

    /// <summary>The <c>Anchored</c> events of <paramref name="lane"/> (every lane when null) between two blocks, inclusive.</summary>
    public async Task<IReadOnlyList<AnchoredEvent>> GetAnchoredLogsAsync(Address? lane, ulong fromBlock, ulong? toBlock = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<Hash32>? laneTopic = lane is { } l ? [AddressTopic(l)] : null;
        var logs = await _rpc.GetLogsAsync(new EthereumLogFilter
        {
            Address = Address,
            Topics = [[AnchorCalldata.AnchoredTopic], laneTopic],
            FromBlock = EthereumRpcClient.BlockTag(fromBlock),
            ToBlock = toBlock is { } t ? EthereumRpcClient.BlockTag(t) : "latest",
        }, cancellationToken).ConfigureAwait(false);
        return [.. logs.Select(Decode)];
    }

    /// <summary>Decodes one <c>Anchored</c> log.</summary>
    /// <exception cref="EvmFormatException">Not an Anchored log.</exception>
    public static AnchoredEvent Decode(EthereumLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (log.Topics.Count != 3 || log.Topics[0] != AnchorCalldata.AnchoredTopic)
            throw new EvmFormatException("log.topics", "not an Anchored(address,uint64,bytes32) event");
        var lane = (Address)Abi.Decode(["address"], log.Topics[1].ToArray())[0]!;
        var size = (ulong)(BigInteger)Abi.Decode(["uint64"], log.Topics[2].ToArray())[0]!;
        var root = new Hash32((byte[])Abi.Decode(["bytes32"], log.Data)[0]!);
        return new AnchoredEvent(lane, size, root, log.BlockNumber, log.BlockHash, log.TransactionHash, log.LogIndex);
    }

    internal static Hash32 AddressTopic(Address a) => new(Abi.Encode(["address"], [a]));

    private async Task<object?[]> CallAsync(byte[] data, string[] returns, CancellationToken cancellationToken)
    {
        var result = await _rpc.CallAsync(Address, data, "latest", cancellationToken).ConfigureAwait(false);
        return Abi.Decode(returns, result);
    }
}
