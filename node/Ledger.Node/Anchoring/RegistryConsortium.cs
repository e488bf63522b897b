using Ledger.Evm;
using Ledger.Evm.Contracts;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;

namespace Ledger.Node.Anchoring;

/// <summary>
/// The consortium read from the Registry contract (<c>--consortium evm:&lt;rpc-url&gt;@&lt;registry-address&gt;</c>): the
/// snapshot is mapped to a <see cref="ConsortiumDefinition"/> and checked with <see cref="ConsortiumFile.Validate"/>, the
/// same rules as a consortium file (the chain does not check names, GLNs or prefixes).
/// </summary>
public static class RegistryConsortium
{
    /// <summary>The prefix of a Registry source.</summary>
    public const string Prefix = "evm:";

    /// <summary>Splits <c>evm:&lt;rpc-url&gt;@&lt;registry-address&gt;</c> (the address after the last <c>@</c>).</summary>
    /// <exception cref="NodeConfigurationException">Not of that form.</exception>
    public static (Uri Rpc, Address Registry) ParseSource(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.StartsWith(Prefix, StringComparison.Ordinal))
            throw new NodeConfigurationException("Consortium", "source", $"'{source}' must be evm:<rpc-url>@<registry-address> (or leave it out to use consortium.json)");
        var rest = source[Prefix.Length..];
        var at = rest.LastIndexOf('@');
        if (at <= 0 || !Uri.TryCreate(rest[..at], UriKind.Absolute, out var rpc) || (rpc.Scheme != Uri.UriSchemeHttp && rpc.Scheme != Uri.UriSchemeHttps))
            throw new NodeConfigurationException("Consortium", "source", $"'{source}': the part before '@' must be an http(s) JSON-RPC URL");
        if (!Address.TryParse(rest[(at + 1)..], out var registry) || registry == Address.Zero)
            throw new NodeConfigurationException("Consortium", "source", $"'{source}': the part after '@' must be the Registry contract's 0x address");
        return (rpc, registry);
    }

    /// <summary>The definition a Registry snapshot describes (not validated yet).</summary>
    public static ConsortiumDefinition ToDefinition(RegistrySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new ConsortiumDefinition(
            snapshot.Name,
            snapshot.Version > long.MaxValue ? long.MaxValue : (long)snapshot.Version,
            [.. snapshot.Nodes.Select(n => new ConsortiumNode(n.Name, n.Address, n.Endpoint))],
            [.. snapshot.Parties.Select(p => new Party(p.Name, p.Address, (PartyRoles)p.Roles, p.Glns, p.CompanyPrefixes, p.DelegatedGtins, p.Node))]);
    }

    /// <summary>Reads the Registry at <paramref name="source"/>, maps and validates it.</summary>
    /// <exception cref="NodeConfigurationException">The chain cannot be read, or an entry breaks a consortium rule (the field is prefixed by the source).</exception>
    public static async Task<ConsortiumDefinition> LoadAsync(string source, CancellationToken cancellationToken = default)
    {
        var (rpcUrl, registry) = ParseSource(source);
        var label = SourceLabel(registry);
        RegistrySnapshot snapshot;
        try
        {
            using var rpc = new EthereumRpcClient(rpcUrl);
            snapshot = await new RegistryContract(rpc, registry).ReadAllAsync("latest", cancellationToken);
        }
        catch (Exception e) when (e is EthereumRpcException or EthereumUnavailableException or HttpRequestException or FormatException or InvalidOperationException)
        {
            throw new NodeConfigurationException("Consortium", "registry", $"cannot read the Registry {registry} at {rpcUrl}: {e.Message}", e);
        }
        var definition = ToDefinition(snapshot);
        try
        {
            ConsortiumFile.Validate(definition);
        }
        catch (ConsortiumFormatException e)
        {
            throw new NodeConfigurationException(label + ":" + e.Field, e.Rule, e.Message, e);
        }
        return definition;
    }

    /// <summary>How errors name the source: <c>registry 0x…</c>.</summary>
    public static string SourceLabel(Address registry) => "registry " + registry;
}
