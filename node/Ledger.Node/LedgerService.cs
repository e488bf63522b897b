using Ledger.Engine.Anchoring;
using Ledger.Engine.Consortium;
using Ledger.Protocol.Consortium;
using Ledger.Engine.Lane;
using Ledger.Node.Parties;
using Microsoft.Extensions.Logging;

namespace Ledger.Node;

/// <summary>The node's ledger: the consortium it runs in, the parties it hosts, and its lane engine.</summary>
public sealed partial class LedgerService : IAsyncDisposable
{
    /// <summary>The consortium file in the data folder.</summary>
    public const string ConsortiumFileName = "consortium.json";

    /// <summary>The lane store's folder in the data folder.</summary>
    public const string LedgerDirectoryName = "ledger";

    private LedgerService(LedgerEngine engine, ConsortiumDirectory consortium, HostedParties parties, NodeIdentity identity, AnchorStore anchors)
    {
        CaptureJobs = new Ledger.Engine.Epcis.CaptureJobStore(engine.Store);
        Anchors = anchors;
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

    /// <summary>Every anchor this node submitted or saw (<c>&lt;data&gt;/evm/anchors.jsonl</c>; empty when anchoring is off).</summary>
    public AnchorStore Anchors { get; }

    /// <summary>EPCIS capture jobs, in the lane store (pruned by <see cref="Api.CaptureJobPruner"/>).</summary>
    public Ledger.Engine.Epcis.CaptureJobStore CaptureJobs { get; }

    /// <summary>The parties this node hosts (their keys and API tokens).</summary>
    public HostedParties Parties { get; }

    /// <summary>
    /// Opens the ledger in the identity's data folder; on first run writes a single-node consortium (this node, no parties:
    /// add them with <c>ledger node init</c> / <c>add-party</c>).
    /// </summary>
    /// <exception cref="NodeConfigurationException">The consortium file is invalid or does not list this node.</exception>
    public static LedgerService Open(NodeIdentity identity, LaneOptions lane, TimeProvider time, ILoggerFactory loggers) =>
        Open(identity, lane, time, loggers, null, ConsortiumFileName);

    /// <summary>
    /// Opens the ledger with the consortium <paramref name="consortium"/> (already validated, e.g. read from the Registry
    /// contract) instead of the file; <paramref name="source"/> prefixes errors. Null reads the file as above.
    /// </summary>
    /// <exception cref="NodeConfigurationException">The consortium file is invalid or the consortium does not list this node.</exception>
    public static LedgerService Open(NodeIdentity identity, LaneOptions lane, TimeProvider time, ILoggerFactory loggers, ConsortiumDefinition? consortium, string source)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(loggers);
        var path = Path.Combine(identity.DataDirectory, ConsortiumFileName);
        ConsortiumDefinition definition;
        try
        {
            if (consortium is not null)
                definition = consortium;
            else
            {
                if (!File.Exists(path))
                    ConsortiumStore.Save(path, new ConsortiumDefinition("local", 1, [new ConsortiumNode("node-1", identity.Address, "")], []));
                definition = ConsortiumStore.Load(path);
            }
        }
        catch (ConsortiumFormatException e)
        {
            throw new NodeConfigurationException(ConsortiumFileName + ":" + e.Field, e.Rule, e.Message, e);
        }
        if (definition.Nodes.All(n => n.Address != identity.Address))
            throw new NodeConfigurationException(source + ":nodes", "this-node", $"the consortium does not list this node ({identity.Address})");
        var directory = WithNodeParties(definition);
        var parties = HostedParties.Load(identity.DataDirectory, directory, identity.Address);
        LedgerEngine engine;
        try
        {
            engine = LedgerEngine.Open(Path.Combine(identity.DataDirectory, LedgerDirectoryName), identity.Key, directory, lane, time,
                loggers.CreateLogger<LedgerEngine>());
        }
        catch (StoreDamagedException e)
        {
            // A damaged index: one line naming it and what to do, no stack trace (damaged segments open read-only instead).
            throw new NodeConfigurationException(e.File, "storage-damaged", e.Message, e);
        }
        catch (LaneWritesRefusedException e)
        {
            // No space to open the index: one line, nothing changed; the node starts once space is freed.
            throw new NodeConfigurationException(e.State.Path, e.State.Code ?? "storage-full", e.Message, e);
        }
        AnchorStore anchors;
        try
        {
            anchors = AnchorStore.Open(Path.Combine(identity.DataDirectory, EvmDirectoryName, AnchorStore.FileName));
        }
        catch
        {
            engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        var service = new LedgerService(engine, directory, parties, identity, anchors);
        try
        {
            // Job files of a node before capture jobs lived in the store: moved in once (docs/spec/lane.md §2).
            var import = service.CaptureJobs.ImportLegacyFiles(identity.DataDirectory);
            var log = loggers.CreateLogger<LedgerService>();
            if (import.Imported > 0)
                LogJobsImported(log, import.Imported);
            if (import.Skipped.Count > 0)
                LogJobsSkipped(log, import.Skipped.Count, Path.Combine(identity.DataDirectory, Ledger.Engine.Epcis.CaptureJobStore.LegacyDirectoryName), string.Join(", ", import.Skipped.Take(5)));
        }
        catch
        {
            service.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        return service;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "moved {Count} capture job files into the store")]
    private static partial void LogJobsImported(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} files in {Directory} are not capture jobs and were left there (e.g. {Names})")]
    private static partial void LogJobsSkipped(ILogger logger, int count, string directory, string names);

    /// <summary>
    /// The consortium as every node runs it: each node authors the verifications it records for unauthenticated callers,
    /// so every node of the consortium is a party without roles, GLNs or prefixes, hosted on itself — known to the rules
    /// (a peer's block with its node's verification applies everywhere) but not written to the consortium file.
    /// </summary>
    public static ConsortiumDirectory WithNodeParties(ConsortiumDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var missing = definition.Nodes.Where(n => definition.Parties.All(p => p.Address != n.Address)).ToList();
        if (missing.Count == 0)
            return new ConsortiumDirectory(definition);
        return new ConsortiumDirectory(definition with
        {
            Parties = [.. definition.Parties, .. missing.Select(n => new Party(n.Name, n.Address, Ledger.Protocol.Custody.PartyRoles.None, [], [], [], n.Address))],
        });
    }

    /// <summary>The folder in the data folder for the EVM side: anchors, the transaction nonce file.</summary>
    public const string EvmDirectoryName = "evm";

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        Anchors.Dispose();
    }
}
