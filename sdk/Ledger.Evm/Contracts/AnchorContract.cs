using System.Numerics;
using Ledger.Protocol;
using Ledger.Evm.Contracts.Definitions;
using Ledger.Protocol.Crypto;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;

namespace Ledger.Evm.Contracts;

/// <summary>One anchor of a lane: the Merkle log's size and root, and the block it was anchored in.</summary>
public sealed record AnchorEntry(ulong Size, Hash32 Root, ulong BlockNumber);

/// <summary>A decoded <c>Anchored(address indexed lane, uint64 indexed size, bytes32 root)</c> event.</summary>
public sealed record AnchoredEvent(Address Lane, ulong Size, Hash32 Root, ulong BlockNumber, Hash32 BlockHash, Hash32 TransactionHash, int LogIndex);

/// <summary>The calldata of every Anchor.sol function, encoded by Nethereum from the typed definitions (namespace Ledger.Evm.Contracts.Definitions).</summary>
public static class AnchorCalldata
{
    /// <summary>topic 0 of <c>Anchored(address,uint64,bytes32)</c>.</summary>
    public static Hash32 AnchoredTopic { get; } = Hash32.Parse(EventExtensions.GetEventABI<AnchoredEventDto>().Sha3Signature);

    /// <summary><c>anchor(uint64 size, bytes32 root)</c>.</summary>
    public static byte[] Anchor(ulong size, Hash32 root) => new AnchorFunction { Size = size, Root = root.ToArray() }.GetCallData();

    /// <summary><c>latest(address lane)</c>.</summary>
    public static byte[] Latest(Address lane) => new LatestFunction { Lane = lane.ToString() }.GetCallData();

    /// <summary><c>rootAt(address lane, uint64 size)</c>.</summary>
    public static byte[] RootAt(Address lane, ulong size) => new RootAtFunction { Lane = lane.ToString(), Size = size }.GetCallData();

    /// <summary><c>anchorCount(address lane)</c>.</summary>
    public static byte[] AnchorCount(Address lane) => new AnchorCountFunction { Lane = lane.ToString() }.GetCallData();

    /// <summary><c>anchorAt(address lane, uint256 index)</c>.</summary>
    public static byte[] AnchorAt(Address lane, ulong index) => new AnchorAtFunction { Lane = lane.ToString(), Index = index }.GetCallData();
}

/// <summary>
/// Typed binding of the Anchor contract (one contract for every lane, the lane is the sender) on Nethereum's contract
/// handlers and event decoding; transactions go through the project's <see cref="TransactionSender"/> (nonce file,
/// confirmations, reorgs).
/// </summary>
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
        var v = await _rpc.Web3.Eth.GetContractQueryHandler<LatestFunction>()
            .QueryDeserializingToObjectAsync<LatestOutput>(new LatestFunction { Lane = lane.ToString() }, Address.ToString(), BlockParameter.CreateLatest())
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (v.Size, new Hash32(v.Root));
    }

    /// <summary><c>rootAt(lane, size)</c>: null when that size is not anchored.</summary>
    public async Task<Hash32?> RootAtAsync(Address lane, ulong size, CancellationToken cancellationToken = default)
    {
        var bytes = await _rpc.Web3.Eth.GetContractQueryHandler<RootAtFunction>()
            .QueryAsync<byte[]>(Address.ToString(), new RootAtFunction { Lane = lane.ToString(), Size = size }, BlockParameter.CreateLatest())
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        var root = new Hash32(bytes);
        return root.IsZero ? null : root;
    }

    /// <summary><c>anchorCount(lane)</c>.</summary>
    public async Task<ulong> AnchorCountAsync(Address lane, CancellationToken cancellationToken = default) =>
        (ulong)await _rpc.Web3.Eth.GetContractQueryHandler<AnchorCountFunction>()
            .QueryAsync<BigInteger>(Address.ToString(), new AnchorCountFunction { Lane = lane.ToString() }, BlockParameter.CreateLatest())
            .WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary><c>anchorAt(lane, index)</c>.</summary>
    public async Task<AnchorEntry> AnchorAtAsync(Address lane, ulong index, CancellationToken cancellationToken = default)
    {
        var v = await _rpc.Web3.Eth.GetContractQueryHandler<AnchorAtFunction>()
            .QueryDeserializingToObjectAsync<AnchorAtOutput>(new AnchorAtFunction { Lane = lane.ToString(), Index = index }, Address.ToString(), BlockParameter.CreateLatest())
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return new AnchorEntry(v.Size, new Hash32(v.Root), v.BlockNumber);
    }

    /// <summary>The <c>Anchored</c> events of <paramref name="lane"/> (every lane when null) between two blocks, inclusive.</summary>
    public async Task<IReadOnlyList<AnchoredEvent>> GetAnchoredLogsAsync(Address? lane, ulong fromBlock, ulong? toBlock = null, CancellationToken cancellationToken = default)
    {
        var anchored = _rpc.Web3.Eth.GetEvent<AnchoredEventDto>(Address.ToString());
        var from = new BlockParameter(fromBlock);
        var to = toBlock is { } t ? new BlockParameter(t) : BlockParameter.CreateLatest();
        var filter = lane is { } l ? anchored.CreateFilterInput(l.ToString(), from, to) : anchored.CreateFilterInput(from, to);
        var logs = await anchored.GetAllChangesAsync(filter).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. logs.Select(e => ToEvent(e.Event, e.Log))];
    }

    /// <summary>Decodes one <c>Anchored</c> log (Nethereum's event decoder over the typed definition).</summary>
    /// <exception cref="FormatException">Not an Anchored log.</exception>
    public static AnchoredEvent Decode(EthereumLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (log.Topics.Count != 3 || log.Topics[0] != AnchorCalldata.AnchoredTopic)
            throw new FormatException("log.topics: not an Anchored(address,uint64,bytes32) event");
        var filterLog = new FilterLog
        {
            Address = log.Address.ToString(),
            Topics = [.. log.Topics.Select(t => (object)Hex.Encode0x(t.ToArray()))],
            Data = Hex.Encode0x(log.Data),
            BlockNumber = new HexBigInteger(log.BlockNumber),
            BlockHash = Hex.Encode0x(log.BlockHash.ToArray()),
            TransactionHash = Hex.Encode0x(log.TransactionHash.ToArray()),
            LogIndex = new HexBigInteger(log.LogIndex),
        };
        var decoded = filterLog.DecodeEvent<AnchoredEventDto>()
            ?? throw new FormatException("log: not an Anchored(address,uint64,bytes32) event");
        return ToEvent(decoded.Event, filterLog);
    }

    private static AnchoredEvent ToEvent(AnchoredEventDto e, FilterLog log)
    {
        var l = EthereumRpcClient.ToLog(log);
        return new AnchoredEvent(Address.Parse(e.Lane), e.Size, new Hash32(e.Root), l.BlockNumber, l.BlockHash, l.TransactionHash, l.LogIndex);
    }
}
