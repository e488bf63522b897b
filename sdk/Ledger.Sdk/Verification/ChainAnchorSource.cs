using Ledger.Evm;
using Ledger.Evm.Contracts;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;

namespace Ledger.Sdk.Verification;

/// <summary>
/// An <see cref="IAnchorSource"/> that reads the Anchor contract on an EVM chain (<c>rootAt(lane, size)</c> by
/// <c>eth_call</c>): what an auditor who trusts only the public chain checks a provenance answer's anchor against.
/// </summary>
public sealed class ChainAnchorSource : IAnchorSource, IDisposable
{
    private readonly EthereumRpcClient _rpc;
    private readonly AnchorContract _anchor;
    private readonly bool _ownsClient;

    /// <summary>Reads the Anchor contract at <paramref name="anchorContract"/> through <paramref name="rpc"/> (not disposed here).</summary>
    public ChainAnchorSource(EthereumRpcClient rpc, Address anchorContract)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        _rpc = rpc;
        _anchor = new AnchorContract(rpc, anchorContract);
    }

    /// <summary>Reads the Anchor contract at <paramref name="anchorContract"/> on the chain at <paramref name="rpcUrl"/>.</summary>
    public ChainAnchorSource(Uri rpcUrl, Address anchorContract)
        : this(new EthereumRpcClient(rpcUrl), anchorContract) => _ownsClient = true;

    /// <summary>The chain's id (compare it with the answer's anchor <c>chainId</c>).</summary>
    public Task<ulong> GetChainIdAsync(CancellationToken cancellationToken = default) => _rpc.GetChainIdAsync(cancellationToken);

    /// <summary>The Anchor contract's address.</summary>
    public Address Contract => _anchor.Address;

    /// <inheritdoc/>
    public Task<Hash32?> RootAtAsync(Address lane, ulong size, CancellationToken cancellationToken) => _anchor.RootAtAsync(lane, size, cancellationToken);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsClient)
            _rpc.Dispose();
    }
}
