using Ledger.Protocol.Crypto;

namespace Ledger.Node.Anchoring;

/// <summary>
/// The EVM side of a node (section <c>Evm</c>): anchoring of the lane head to the Anchor contract. Anchoring is on when
/// both <see cref="Rpc"/> and <see cref="Anchor"/> are set.
/// </summary>
public sealed class EvmOptions
{
    /// <summary>JSON-RPC URL of the chain (<c>--evm-rpc</c>).</summary>
    public string? Rpc { get; set; }

    /// <summary>Address of the Anchor contract (<c>--anchor</c>).</summary>
    public string? Anchor { get; set; }

    /// <summary>Anchor the certified head at most this often, when it grew (<c>--anchor-every</c>, seconds).</summary>
    public int AnchorEverySeconds { get; set; } = 30;

    /// <summary>…or as soon as the lane grew by this many blocks since the last anchor (<c>--anchor-blocks</c>).</summary>
    public int AnchorEveryBlocks { get; set; } = 100;

    /// <summary>Chain blocks an anchor transaction must be deep to count as confirmed (<c>--anchor-confirmations</c>).</summary>
    public int Confirmations { get; set; } = 2;

    /// <summary>True when anchoring is configured.</summary>
    public bool AnchoringEnabled => !string.IsNullOrWhiteSpace(Rpc) || !string.IsNullOrWhiteSpace(Anchor);

    /// <summary>The RPC URL, parsed.</summary>
    public Uri RpcUri => new(Rpc!, UriKind.Absolute);

    /// <summary>The Anchor contract address, parsed.</summary>
    public Address AnchorAddress => Address.TryParse(Anchor, out var a) ? a : throw new NodeConfigurationException("Evm:Anchor", "address", $"'{Anchor}' is not a 0x address");

    /// <summary>Checks the settings.</summary>
    /// <exception cref="NodeConfigurationException">Names the setting and the rule.</exception>
    public void Validate()
    {
        if (AnchoringEnabled)
        {
            if (string.IsNullOrWhiteSpace(Rpc) || !Uri.TryCreate(Rpc, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new NodeConfigurationException("Evm:Rpc", "url", $"anchoring needs an http(s) JSON-RPC URL (--evm-rpc), got '{Rpc}'");
            if (!Address.TryParse(Anchor, out var a) || a == Address.Zero)
                throw new NodeConfigurationException("Evm:Anchor", "address", $"anchoring needs the Anchor contract's 0x address (--anchor), got '{Anchor}'");
        }
        if (AnchorEverySeconds < 1)
            throw new NodeConfigurationException("Evm:AnchorEverySeconds", "range", $"must be at least 1, got {AnchorEverySeconds}");
        if (AnchorEveryBlocks < 1)
            throw new NodeConfigurationException("Evm:AnchorEveryBlocks", "range", $"must be at least 1, got {AnchorEveryBlocks}");
        if (Confirmations < 1 || Confirmations > 1000)
            throw new NodeConfigurationException("Evm:Confirmations", "range", $"must be 1 to 1000, got {Confirmations}");
    }
}

/// <summary>What the anchoring service reports (for /metrics).</summary>
public sealed class AnchoringStatus
{
    private long _lastErrorMs;

    /// <summary>When the service last failed to reach the chain or send (Unix ms; 0 never).</summary>
    public long LastErrorMs
    {
        get => Interlocked.Read(ref _lastErrorMs);
        set => Interlocked.Exchange(ref _lastErrorMs, value);
    }
}
