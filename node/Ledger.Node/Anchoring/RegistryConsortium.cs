using Ledger.Evm;
using Ledger.Evm.Contracts;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;

namespace Ledger.Node.Anchoring;

/// <summary>
/// The node's consortium read from the Registry contract (<c>--consortium evm:&lt;rpc-url&gt;@&lt;registry-address&gt;</c>):
/// <see cref="RegistryConsortiumSource"/> maps the snapshot and checks it with <see cref="ConsortiumFile.Validate"/>, the
/// same rules as a consortium file; failures become configuration errors naming the field and the rule.
/// </summary>
public static class RegistryConsortium
{
    /// <summary>The prefix of a Registry source.</summary>
    public const string Prefix = RegistryConsortiumSource.Prefix;

    /// <summary>Splits <c>evm:&lt;rpc-url&gt;@&lt;registry-address&gt;</c> (the address after the last <c>@</c>).</summary>
    /// <exception cref="NodeConfigurationException">Not of that form.</exception>
    public static (Uri Rpc, Address Registry) ParseSource(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!RegistryConsortiumSource.TryParse(source, out var rpc, out var registry, out var error))
            throw new NodeConfigurationException("Consortium", "source", RegistryConsortiumSource.IsRegistrySource(source) ? error : error + " (or leave it out to use consortium.json)");
        return (rpc, registry);
    }

    /// <summary>The definition a Registry snapshot describes (not validated yet).</summary>
    public static ConsortiumDefinition ToDefinition(RegistrySnapshot snapshot) => RegistryConsortiumSource.ToDefinition(snapshot);

    /// <summary>Reads the Registry at <paramref name="source"/>, maps and validates it.</summary>
    /// <exception cref="NodeConfigurationException">The chain cannot be read, or an entry breaks a consortium rule (the field is prefixed by the source).</exception>
    public static async Task<ConsortiumDefinition> LoadAsync(string source, CancellationToken cancellationToken = default)
    {
        var (rpcUrl, registry) = ParseSource(source);
        try
        {
            using var rpc = new EthereumRpcClient(rpcUrl);
            return await RegistryConsortiumSource.ReadAsync(rpc, registry, "latest", cancellationToken);
        }
        catch (ConsortiumFormatException e)
        {
            throw new NodeConfigurationException(e.Field, e.Rule, e.Detail, e);
        }
        catch (Exception e) when (e is EthereumRpcException or EthereumUnavailableException or HttpRequestException or FormatException or InvalidOperationException)
        {
            throw new NodeConfigurationException("Consortium", "registry", $"cannot read the Registry {registry} at {rpcUrl}: {e.Message}", e);
        }
    }

    /// <summary>How errors name the source: <c>registry 0x…</c>.</summary>
    public static string SourceLabel(Address registry) => RegistryConsortiumSource.Label(registry);
}
