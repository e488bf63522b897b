using Ledger.Engine.Consortium;
using Ledger.Protocol.Consortium;
using Ledger.Engine.Lane;
using Ledger.Node.Parties;
using Microsoft.Extensions.Logging;

namespace Ledger.Node;

/// <summary>The node's ledger: the consortium it runs in, the parties it hosts, and its lane engine.</summary>
public sealed class LedgerService : IAsyncDisposable
{
    /// <summary>The consortium file in the data folder.</summary>
    public const string ConsortiumFileName = "consortium.json";

    /// <summary>The lane store's folder in the data folder.</summary>
    public const string LedgerDirectoryName = "ledger";

    private LedgerService(LedgerEngine engine, ConsortiumDirectory consortium, HostedParties parties, NodeIdentity identity)
    {
        Identity = identity;
        Engine = engine;
        Consortium = consortium;
        Parties = parties;
    }

    /// <summary>The node's identity (its key authors verifications for unauthenticated callers).</summary>
    public NodeIdentity Identity { get; }

    /// <summary>The lane engine.</summary>
    public LedgerEngine Engine { get; }

    /// <summary>The consortium.</summary>
    public ConsortiumDirectory Consortium { get; }

    /// <summary>The parties this node hosts (their keys and API tokens).</summary>
    public HostedParties Parties { get; }

    /// <summary>
    /// Opens the ledger in the identity's data folder; on first run writes a single-node consortium (this node, no parties:
    /// add them with <c>ledger node init</c> / <c>add-party</c>).
    /// </summary>
    /// <exception cref="NodeConfigurationException">The consortium file is invalid or does not list this node.</exception>
    public static LedgerService Open(NodeIdentity identity, LaneOptions lane, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(loggers);
        var path = Path.Combine(identity.DataDirectory, ConsortiumFileName);
        ConsortiumDefinition definition;
        try
        {
            if (!File.Exists(path))
                ConsortiumStore.Save(path, new ConsortiumDefinition("local", 1, [new ConsortiumNode("node-1", identity.Address, "")], []));
            definition = ConsortiumStore.Load(path);
        }
        catch (ConsortiumFormatException e)
        {
            throw new NodeConfigurationException(ConsortiumFileName + ":" + e.Field, e.Rule, e.Message, e);
        }
        if (definition.Nodes.All(n => n.Address != identity.Address))
            throw new NodeConfigurationException(ConsortiumFileName + ":nodes", "this-node", $"the consortium does not list this node ({identity.Address})");
        // The node itself authors the verifications it records for unauthenticated callers: a party without roles,
        // GLNs or prefixes, known to the rules but not written to the consortium file.
        var self = definition.Nodes.First(n => n.Address == identity.Address);
        var withSelf = definition.Parties.Any(p => p.Address == identity.Address)
            ? definition
            : definition with { Parties = [.. definition.Parties, new Party(self.Name, identity.Address, Ledger.Protocol.Custody.PartyRoles.None, [], [], [], identity.Address)] };
        var directory = new ConsortiumDirectory(withSelf);
        var parties = HostedParties.Load(identity.DataDirectory, directory, identity.Address);
        var engine = LedgerEngine.Open(Path.Combine(identity.DataDirectory, LedgerDirectoryName), identity.Key, directory, lane, time,
            loggers.CreateLogger<LedgerEngine>());
        return new LedgerService(engine, directory, parties, identity);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Engine.DisposeAsync();
}
