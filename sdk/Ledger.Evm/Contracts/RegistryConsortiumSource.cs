using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;

namespace Ledger.Evm.Contracts;

/// <summary>
/// The consortium as the Registry contract holds it, named by <c>evm:&lt;rpc-url&gt;@&lt;registry-address&gt;</c>: read at one
/// block, mapped to a <see cref="ConsortiumDefinition"/> and checked with <see cref="ConsortiumFile.Validate"/> — the same
/// rules as a consortium file (the chain does not check names, GLNs or prefixes). Used by the node
/// (<c>--consortium evm:…</c>) and by the SDK's verifier (<c>ledger verify-proof --consortium evm:…</c>).
/// </summary>
public static class RegistryConsortiumSource
{
    /// <summary>The prefix of a Registry source.</summary>
    public const string Prefix = "evm:";

    /// <summary>True when <paramref name="source"/> names a Registry (starts with <c>evm:</c>).</summary>
    public static bool IsRegistrySource(string? source) => source is not null && source.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Splits <c>evm:&lt;rpc-url&gt;@&lt;registry-address&gt;</c> (the address after the last <c>@</c>); false with the reason otherwise.</summary>
    public static bool TryParse(string source, out Uri rpc, out Address registry, out string error)
    {
        ArgumentNullException.ThrowIfNull(source);
        rpc = null!;
        registry = Address.Zero;
        error = "";
        if (!IsRegistrySource(source))
        {
            error = $"'{source}' must be evm:<rpc-url>@<registry-address>";
            return false;
        }
        var rest = source[Prefix.Length..];
        var at = rest.LastIndexOf('@');
        if (at <= 0 || !Uri.TryCreate(rest[..at], UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            error = $"'{source}': the part before '@' must be an http(s) JSON-RPC URL";
            return false;
        }
        if (!Address.TryParse(rest[(at + 1)..], out var address) || address == Address.Zero)
        {
            error = $"'{source}': the part after '@' must be the Registry contract's 0x address";
            return false;
        }
        rpc = url;
        registry = address;
        return true;
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

    /// <summary>How errors name the source: <c>registry 0x…</c>.</summary>
    public static string Label(Address registry) => "registry " + registry;

    /// <summary>Reads the Registry at <paramref name="registry"/> at <paramref name="blockTag"/>, maps and validates it.</summary>
    /// <exception cref="ConsortiumFormatException">An entry breaks a consortium rule; the field is prefixed by <see cref="Label"/> (e.g. <c>registry 0x…:parties[2].glns[0]</c>).</exception>
    /// <exception cref="EthereumRpcException">The chain answered with an error (e.g. no contract at that address).</exception>
    /// <exception cref="EthereumUnavailableException">The chain could not be reached.</exception>
    public static async Task<ConsortiumDefinition> ReadAsync(EthereumRpcClient rpc, Address registry, string blockTag = "latest", CancellationToken cancellationToken = default)
    {
        var snapshot = await new RegistryContract(rpc, registry).ReadAllAsync(blockTag, cancellationToken).ConfigureAwait(false);
        var definition = ToDefinition(snapshot);
        try
        {
            ConsortiumFile.Validate(definition);
        }
        catch (ConsortiumFormatException e)
        {
            throw new ConsortiumFormatException(Label(registry) + ":" + e.Field, e.Rule, e.Detail, e);
        }
        return definition;
    }
}
