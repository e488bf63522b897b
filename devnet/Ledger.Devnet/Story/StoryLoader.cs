using System.Diagnostics;
using System.Globalization;
using Ledger.Protocol;
using Ledger.Protocol.Records;
using Ledger.Sdk.Client;

namespace Ledger.Devnet.Story;

/// <summary>How the loader waits.</summary>
/// <param name="CertificationTimeout">How long each stage's records may take to be certified and reach the next stage's node.</param>
/// <param name="PollInterval">How often it asks while waiting.</param>
public sealed record StoryLoadOptions(TimeSpan CertificationTimeout, TimeSpan PollInterval);

/// <summary>What loading did: records written and records the ledger held already.</summary>
public sealed record StoryLoadResult(bool AlreadyLoaded, int Accepted, int Duplicates);

/// <summary>
/// Writes a <see cref="StoryScript"/> into a running devnet through the SDK: before a stage, it waits until the node of
/// the stage's author holds every earlier record the stage names (its deps, the Ships it receives) that another node
/// wrote; each stage's batches are signed with the author's key and submitted to the node that hosts it; then the stage
/// waits until its last records are certified there. One progress line per stage. A story already on the ledger is
/// detected by its last record and skipped; a partly loaded one goes on where it stopped (the node answers the records
/// it holds <c>duplicate</c>).
/// </summary>
public sealed class StoryLoader(DevnetDirectory devnet, StoryLoadOptions options, TextWriter progress)
{
    private readonly Dictionary<string, LedgerClient> _clients = [];

    /// <summary>Loads the story (or finds it loaded).</summary>
    /// <exception cref="StoryFailedException">A node refused a batch, did not answer, or did not certify in time.</exception>
    public async Task<StoryLoadResult> LoadAsync(StoryScript script, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        try
        {
            var last = script.Stages[^1];
            if (await FindAsync(last, cancellationToken).ConfigureAwait(false))
            {
                progress.WriteLine($"story: already loaded (its last record {last.Last.Id} is on {Host(last.Author).NodeName}); nothing to write");
                return new StoryLoadResult(true, 0, 0);
            }
            int accepted = 0, duplicates = 0;
            var writtenOn = new Dictionary<Hash32, Uri>();
            for (var s = 0; s < script.Stages.Count; s++)
            {
                var stage = script.Stages[s];
                await WaitForReferencesAsync(stage, writtenOn, cancellationToken).ConfigureAwait(false);
                var (a, d) = await RunStageAsync(stage, s + 1, script.Stages.Count, cancellationToken).ConfigureAwait(false);
                foreach (var r in stage.Batches.SelectMany(b => b))
                    writtenOn[r.Id] = Host(stage.Author).NodeUrl;
                accepted += a;
                duplicates += d;
            }
            return new StoryLoadResult(false, accepted, duplicates);
        }
        finally
        {
            foreach (var c in _clients.Values)
                c.Dispose();
            _clients.Clear();
        }
    }

    /// <summary>True when the stage's last record is on its author's node.</summary>
    private async Task<bool> FindAsync(StoryStage stage, CancellationToken cancellationToken)
    {
        var host = Host(stage.Author);
        try
        {
            return await Client(stage.Author).GetRecordAsync(stage.Last.Id, cancellationToken).ConfigureAwait(false) is not null;
        }
        catch (HttpRequestException e)
        {
            throw new StoryFailedException($"story: cannot reach {host.NodeName} at {host.NodeUrl}: {e.Message} (devnet/status shows what runs)");
        }
        catch (LedgerRequestException e)
        {
            throw new StoryFailedException($"story: {host.NodeName} ({host.NodeUrl}) refused {stage.Author.Name}'s read: {e.Status} {e.ProblemName}: {e.Detail} (is {host.TokenFile} the token of a running devnet?)");
        }
    }

    private async Task<(int Accepted, int Duplicates)> RunStageAsync(StoryStage stage, int number, int of, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var host = Host(stage.Author);
        var client = Client(stage.Author);
        var key = client.PrivateKey!;
        int accepted = 0, duplicates = 0;
        long block = 0;
        var certified = true;
        for (var b = 0; b < stage.Batches.Count; b++)
        {
            SubmitBatchResult result;
            try
            {
                result = await client.SubmitBatchAsync(SignedBatch.Sign(stage.Batches[b], key), cancellationToken).ConfigureAwait(false);
            }
            catch (LedgerRequestException e)
            {
                var hint = e.Code is "already-commissioned" or "duplicate-record" or "stale-dependency"
                    ? " (is another story, e.g. of another --packs, loaded? devnet/up --fresh starts over)"
                    : "";
                throw new StoryFailedException($"story: {stage.Title}: {host.NodeName} ({host.NodeUrl}) refused batch {b + 1} of {stage.Batches.Count} from {stage.Author.Name}: " +
                    $"{e.Status} {e.ProblemName} {e.Code ?? e.Rule}: {e.Detail}{hint}");
            }
            catch (HttpRequestException e)
            {
                throw new StoryFailedException($"story: {stage.Title}: cannot reach {host.NodeName} at {host.NodeUrl}: {e.Message} (devnet/status shows what runs)");
            }
            accepted += result.Outcomes.Count(o => o.Outcome == "accepted");
            duplicates += result.Outcomes.Count(o => o.Outcome == "duplicate");
            block = Math.Max(block, result.Block ?? 0);
            certified &= result.IsCertified;
        }
        if (!certified)
            block = await WaitCertifiedAsync(stage, client, host, cancellationToken).ConfigureAwait(false);

        var written = duplicates == stage.RecordCount ? "already on the ledger" : $"certified at block {block.ToString(CultureInfo.InvariantCulture)}";
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"story: [{number}/{of}] {stage.Title} ({stage.Author.Name} on {host.NodeName}): {stage.Counts}; {stage.RecordCount:N0} records in {stage.Batches.Count} batch(es), {written} ({clock.Elapsed.TotalSeconds:F1} s)"));
        return (accepted, duplicates);
    }

    private async Task<long> WaitCertifiedAsync(StoryStage stage, LedgerClient client, DevnetParty host, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.CertificationTimeout);
        long height = 0;
        foreach (var batch in stage.Batches)
        {
            try
            {
                height = Math.Max(height, (await client.WaitForCertificationAsync(batch[^1].Id, options.PollInterval, timeout.Token).ConfigureAwait(false)).Height);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new StoryFailedException($"story: {stage.Title}: record {batch[^1].Id} is not certified on {host.NodeName} ({host.NodeUrl}) within " +
                    $"{options.CertificationTimeout.TotalSeconds:F0} s: a block is certified once a quorum of the consortium's nodes cosigned it — " +
                    "are they all running and connected? (devnet/status; their logs are in the devnet's logs/ folder)");
            }
        }
        return height;
    }

    /// <summary>Waits until the stage's node holds the earlier records the stage names that other nodes wrote.</summary>
    private async Task WaitForReferencesAsync(StoryStage stage, Dictionary<Hash32, Uri> writtenOn, CancellationToken cancellationToken)
    {
        var there = Host(stage.Author);
        var remote = stage.Batches.SelectMany(b => b)
            .SelectMany(r => r.Payload is ReceivePayload receive ? r.Deps.Append(receive.Ship) : r.Deps)
            .Distinct()
            .Where(id => writtenOn.TryGetValue(id, out var node) && node != there.NodeUrl)
            .ToList();
        if (remote.Count == 0)
            return;
        var client = Client(stage.Author);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.CertificationTimeout);
        try
        {
            foreach (var id in remote)
                while (await client.GetRecordAsync(id, timeout.Token).ConfigureAwait(false) is null)
                    await Task.Delay(options.PollInterval, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StoryFailedException($"story: {stage.Title}: {there.NodeName} ({there.NodeUrl}), which hosts {stage.Author.Name}, does not have the " +
                $"{remote.Count} earlier record(s) of other nodes the stage names within {options.CertificationTimeout.TotalSeconds:F0} s: do the nodes replicate each other's lanes? (devnet/status)");
        }
        catch (LedgerRequestException e)
        {
            throw new StoryFailedException($"story: {stage.Title}: {there.NodeName} ({there.NodeUrl}) refused to show {stage.Author.Name} a record it names: {e.Status} {e.ProblemName}: {e.Detail}");
        }
    }

    private DevnetParty Host(Ledger.Protocol.Consortium.Party party) =>
        devnet.Find(party.Address) ?? throw new DevnetInputException("party", $"{party.Name} is hosted by no node of the devnet (no tokens/{party.Name}.token in a node's data folder)", "not-hosted");

    private LedgerClient Client(Ledger.Protocol.Consortium.Party party)
    {
        if (!_clients.TryGetValue(party.Name, out var client))
            _clients[party.Name] = client = Host(party).Connect();
        return client;
    }
}
