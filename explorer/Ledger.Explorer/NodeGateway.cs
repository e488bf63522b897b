using System.Collections.Concurrent;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Records;
using Ledger.Sdk.Client;
using Ledger.Sdk.Provenance;
using Ledger.Sdk.Verification;

namespace Ledger.Explorer;

/// <summary>What one node shows now: up or down, and its lane's head (header signature checked against the consortium).</summary>
/// <param name="Url">The node's API URL.</param>
/// <param name="Up">True when it answered.</param>
/// <param name="Head">Its head (null before the first block or when down).</param>
/// <param name="HeadCheck">The header signature check of the head (lane and key of the consortium file).</param>
/// <param name="Error">Why it is shown as down.</param>
public sealed record NodeView(Uri Url, bool Up, LedgerHeader? Head, VerificationResult? HeadCheck, string? Error)
{
    /// <summary>The consortium node whose lane the head is of.</summary>
    public ConsortiumNode? Lane { get; init; }
}

/// <summary>A provenance answer and what the SDK's verifier made of it.</summary>
/// <param name="Item">The item asked for.</param>
/// <param name="Json">The answer exactly as the node sent it (null when no node answered).</param>
/// <param name="Document">The parsed answer (null when it does not read).</param>
/// <param name="Report">The verification report (null when the answer does not read).</param>
/// <param name="FormatError">Why the answer does not read: field and rule.</param>
/// <param name="Node">The node that answered.</param>
/// <param name="At">The verification time the proven status holds at (the explorer's clock when it verified).</param>
/// <param name="NodeErrors">Nodes that did not answer, and why.</param>
public sealed record PassportAnswer(ItemId Item, string? Json, ProvenanceDocument? Document, VerificationReport? Report, ProvenanceFormatException? FormatError,
    Uri? Node, DateTimeOffset At, IReadOnlyList<string> NodeErrors)
{
    /// <summary>What was proven; null unless every check passed.</summary>
    public ProvenSummary? Proven => Report?.Summary;
}

/// <summary>A record seen in a verified block (for lot, party and location views; the membership of a view is as read from those blocks).</summary>
/// <param name="Record">The record.</param>
/// <param name="Lane">The lane.</param>
/// <param name="Height">The block.</param>
public sealed record IndexedRecord(LedgerRecord Record, Address Lane, long Height);

/// <summary>
/// The explorer's only way to the ledger: one <see cref="LedgerClient"/> per node, the consortium file as the trust root,
/// and <see cref="ProvenanceVerifier"/> over every answer. Never reads a node's storage; shows nothing as proven that the
/// verifier did not prove. Nodes are asked in order; a node that is down or refuses is skipped and named.
/// </summary>
public sealed class NodeGateway : IDisposable
{
    private readonly List<(Uri Url, LedgerClient Client)> _nodes;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _indexLock = new(1, 1);
    private readonly ConcurrentDictionary<Address, long> _indexed = new();
    private readonly List<IndexedRecord> _records = [];

    /// <summary>Creates the gateway.</summary>
    public NodeGateway(ExplorerOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConsortiumJson = File.ReadAllText(options.ConsortiumPath);
        Consortium = ConsortiumFile.Parse(ConsortiumJson);
        _time = time ?? TimeProvider.System;
        var token = options.TokenFile is { } tf ? File.ReadAllText(tf).Trim() : null;
        var key = options.KeyFile is { } kf ? PartyKeyFile.Load(kf) : null;
        _nodes = [.. options.Nodes.Select(u => (u, new LedgerClient(new LedgerClientOptions
        {
            Node = u,
            ApiToken = token,
            PrivateKey = key,
            Retry = new LedgerRetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1) },
            RequestTimeout = TimeSpan.FromSeconds(20),
        })))];
    }

    /// <summary>The consortium file's text (shipped in every evidence archive).</summary>
    public string ConsortiumJson { get; }

    /// <summary>The consortium every answer is verified against.</summary>
    public ConsortiumDefinition Consortium { get; }

    /// <summary>The node URLs in the order they are asked.</summary>
    public IReadOnlyList<Uri> NodeUrls => [.. _nodes.Select(n => n.Url)];

    /// <summary>The party named by an address, or null.</summary>
    public Party? PartyOf(Address address) => Consortium.Parties.FirstOrDefault(p => p.Address == address);

    /// <summary>The party owning a GLN, or null.</summary>
    public Party? PartyOfGln(string gln) => Consortium.Parties.FirstOrDefault(p => p.Glns.Contains(gln, StringComparer.Ordinal));

    /// <summary>The consortium node of an address (a lane), or null.</summary>
    public ConsortiumNode? NodeOf(Address address) => Consortium.Nodes.FirstOrDefault(n => n.Address == address);

    /// <summary>Every node's head, asked in parallel; a node that does not answer is down.</summary>
    public async Task<IReadOnlyList<NodeView>> NodesAsync(CancellationToken cancellationToken)
    {
        var views = await Task.WhenAll(_nodes.Select(async n =>
        {
            try
            {
                var head = await n.Client.GetHeadAsync(cancellationToken).ConfigureAwait(false);
                if (head is null)
                    return new NodeView(n.Url, true, null, null, null);
                var lane = NodeOf(head.Header.Header.Lane);
                var check = lane is null
                    ? VerificationResult.Fail("lane-unknown", $"lane {head.Header.Header.Lane} is not a node of the consortium file")
                    : head.Header.Verify();
                return new NodeView(n.Url, true, head, check, null) { Lane = lane };
            }
            catch (Exception e) when (e is HttpRequestException or LedgerRequestException or TaskCanceledException or FormatException)
            {
                return new NodeView(n.Url, false, null, null, e.Message);
            }
        })).ConfigureAwait(false);
        return views;
    }

    /// <summary>
    /// The item's provenance from the first node that answers, verified offline against the consortium file at the
    /// explorer's current time.
    /// </summary>
    public async Task<PassportAnswer> PassportAsync(ItemId item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var at = _time.GetUtcNow();
        var errors = new List<string>();
        foreach (var (url, client) in _nodes)
        {
            string json;
            try
            {
                json = await client.GetProvenanceJsonAsync(ItemIdentifier.ToElementString(item), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or LedgerRequestException or TaskCanceledException)
            {
                errors.Add($"{url}: {e.Message}");
                continue;
            }
            if (!ProvenanceDocument.TryParse(json, out var doc, out var error))
                return new PassportAnswer(item, json, null, null, error, url, at, errors);
            var report = await ProvenanceVerifier.VerifyAsync(doc!, Consortium, new ProvenanceVerifierOptions { At = at }, cancellationToken).ConfigureAwait(false);
            return new PassportAnswer(item, json, doc, report, null, url, at, errors);
        }
        return new PassportAnswer(item, null, null, null, null, null, at, errors);
    }

    /// <summary>A block from the first node that serves it (regulators only), with what it proves about itself.</summary>
    public async Task<(Block? Block, Uri? Node, IReadOnlyList<string> Errors)> BlockAsync(Address lane, long height, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        foreach (var (url, client) in _nodes)
        {
            try
            {
                var block = await client.GetBlockAsync(height, cancellationToken).ConfigureAwait(false);
                if (block is not null && block.SignedHeader.Header.Lane == lane)
                    return (block, url, errors);
            }
            catch (Exception e) when (e is HttpRequestException or LedgerRequestException or TaskCanceledException)
            {
                errors.Add($"{url}: {e.Message}");
            }
        }
        return (null, null, errors);
    }

    /// <summary>A record's inclusion proof at a node's head, checked against that head's log root and its signature.</summary>
    public async Task<(InclusionProofAnswer? Proof, VerificationResult Check)> InclusionAsync(Hash32 record, CancellationToken cancellationToken)
    {
        foreach (var (_, client) in _nodes)
        {
            try
            {
                var p = await client.GetInclusionProofAsync(record, cancellationToken).ConfigureAwait(false);
                if (p is null)
                    continue;
                var header = p.Header.Header;
                var sig = NodeOf(header.Header.Lane) is null
                    ? VerificationResult.Fail("lane-unknown", "the header's lane is not a node of the consortium file")
                    : header.Verify();
                if (!sig.IsValid)
                    return (p, sig);
                if (p.Proof.TreeSize != header.Header.LogSize)
                    return (p, VerificationResult.Fail("tree-size", $"the proof is for size {p.Proof.TreeSize}, the header's log has {header.Header.LogSize}"));
                var r = Ledger.Protocol.Merkle.MerkleTree.VerifyInclusion(p.Proof, Ledger.Protocol.Merkle.MerkleHash.Leaf(record), header.Header.LogRoot);
                return (p, r.IsValid ? VerificationResult.Valid : VerificationResult.Fail("log-root", r.ToString() ?? "the proof does not lead to the log root"));
            }
            catch (Exception e) when (e is HttpRequestException or LedgerRequestException or TaskCanceledException)
            {
                continue;
            }
        }
        return (null, VerificationResult.Fail("not-found", "no node served an inclusion proof of this record"));
    }

    /// <summary>Alerts from the first node that serves them (alerts are not signed: shown as the node reports them).</summary>
    public async Task<(IReadOnlyList<LedgerAlertInfo> Alerts, Uri? Node)> AlertsAsync(int limit, CancellationToken cancellationToken)
    {
        foreach (var (url, client) in _nodes)
        {
            try
            {
                var all = new List<LedgerAlertInfo>();
                long after = 0;
                while (true)
                {
                    var page = await client.GetAlertsAsync(after, 500, cancellationToken).ConfigureAwait(false);
                    all.AddRange(page.Alerts);
                    if (page.Alerts.Count == 0 || page.Next <= after)
                        break;
                    after = page.Next;
                }
                return ([.. all.OrderByDescending(a => a.Sequence).Take(limit)], url);
            }
            catch (Exception e) when (e is HttpRequestException or LedgerRequestException or TaskCanceledException)
            {
                continue;
            }
        }
        return ([], null);
    }

    /// <summary>
    /// Reads every block not read yet from every node that is up (regulators only: <c>GET /v1/blocks/{h}</c>), keeps the
    /// blocks that verify (header signature by a consortium node, every batch signature, the records root), and returns
    /// the records seen, with the problems met. Lot, party and location views list what these blocks hold; each item's
    /// state shown there is proven by its own provenance answer.
    /// </summary>
    public async Task<(IReadOnlyList<IndexedRecord> Records, IReadOnlyList<string> Problems)> IndexAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        await _indexLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var (url, client) in _nodes)
            {
                LedgerHeader? head;
                try
                {
                    head = await client.GetHeadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or LedgerRequestException or TaskCanceledException)
                {
                    problems.Add($"{url}: {e.Message}");
                    continue;
                }
                if (head is null)
                    continue;
                var lane = head.Header.Header.Lane;
                var from = _indexed.GetValueOrDefault(lane) + 1;
                for (var h = from; h <= head.Height; h++)
                {
                    Block? block;
                    try
                    {
                        block = await client.GetBlockAsync(h, cancellationToken).ConfigureAwait(false);
                    }
                    catch (LedgerRequestException e)
                    {
                        problems.Add($"{url}: block {h}: {e.ProblemName} {e.Field}/{e.Rule}");
                        break;
                    }
                    if (block is null)
                        break;
                    var check = NodeOf(block.SignedHeader.Header.Lane) is null
                        ? VerificationResult.Fail("lane-unknown", "not a consortium lane")
                        : block.Verify();
                    if (!check.IsValid)
                    {
                        problems.Add($"{url}: block {h} does not verify: {check}");
                        break;
                    }
                    foreach (var r in block.Batches.SelectMany(b => b.Records))
                        _records.Add(new IndexedRecord(r, lane, h));
                    _indexed[lane] = h;
                }
            }
            return ([.. _records], problems);
        }
        finally
        {
            _indexLock.Release();
        }
    }

    /// <summary>
    /// The recent headers of a node's lane, newest first (for the overview's recent blocks and records per second), in
    /// one read of the node's <c>/v1/headers/recent</c> per hundred; empty or short when the node stops answering.
    /// </summary>
    public async Task<IReadOnlyList<LedgerHeader>> RecentHeadersAsync(Uri node, long head, int count, CancellationToken cancellationToken)
    {
        var client = _nodes.First(n => n.Url == node).Client;
        var list = new List<LedgerHeader>();
        long? before = head + 1;
        while (before is not null && list.Count < count)
        {
            try
            {
                var page = await client.GetRecentHeadersAsync(before, Math.Min(100, count - list.Count), cancellationToken).ConfigureAwait(false);
                list.AddRange(page.Headers);
                before = page.Headers.Count == 0 ? null : page.Next;
            }
            catch (Exception e) when (e is HttpRequestException or LedgerRequestException or TaskCanceledException)
            {
                break;
            }
        }
        return list;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var (_, c) in _nodes)
            c.Dispose();
        _indexLock.Dispose();
    }
}
