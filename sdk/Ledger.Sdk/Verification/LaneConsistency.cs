using Ledger.Protocol.Blocks;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Merkle;
using Ledger.Sdk.Client;
using Ledger.Sdk.Provenance;

namespace Ledger.Sdk.Verification;

/// <summary>
/// Two signed headers of one lane that cannot both be of one history: the lane's node signed both, so the pair is
/// evidence that the node showed two histories (docs/spec/verifier.md §5).
/// </summary>
/// <param name="Lane">The lane (the node that signed both headers).</param>
/// <param name="First">The first header.</param>
/// <param name="Second">The second header.</param>
/// <param name="Reason">Why the two cannot be of one history.</param>
public sealed record ForkEvidence(Address Lane, SignedHeader First, SignedHeader Second, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"lane {Lane} signed two histories: height {First.Header.Height} (log {First.Header.LogSize}, root {First.Header.LogRoot}, hash {First.Hash()}) " +
        $"and height {Second.Header.Height} (log {Second.Header.LogSize}, root {Second.Header.LogRoot}, hash {Second.Hash()}): {Reason}";
}

/// <summary>The result of a consistency check between two headers of one lane.</summary>
/// <param name="Consistent">True when the older header's log is a prefix of the newer one's (proven).</param>
/// <param name="Code"><c>ok</c>, or a stable failure code: <c>header-signature</c>, <c>lane-unknown</c>, <c>different-lanes</c>,
/// <c>no-header</c> or <c>no-head</c> (nothing to compare; not evidence), or <c>fork</c> (two histories; <see cref="Evidence"/> holds both headers).</param>
/// <param name="Detail">What was seen, in words.</param>
/// <param name="Evidence">Both signed headers, when the node showed two histories.</param>
public sealed record ConsistencyReport(bool Consistent, string Code, string Detail, ForkEvidence? Evidence)
{
    /// <inheritdoc/>
    public override string ToString() => Consistent ? $"consistent: {Detail}" : $"{Code}: {Detail}";
}

/// <summary>
/// Checks that two answers (or an answer and a later head) of one lane are of one history: both headers signed by the
/// lane's node, and a consistency proof from the smaller log to the larger (RFC 6962 §2.1.2), carried or fetched.
/// </summary>
public static class LaneConsistency
{
    /// <summary>Checks two signed headers with a consistency proof between their logs (null when the logs are the same size).</summary>
    public static ConsistencyReport Check(SignedHeader first, SignedHeader second, ConsistencyProof? proof, ConsortiumDefinition consortium)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(consortium);
        var nodes = new ConsortiumDirectory(consortium).NodeAddresses;
        foreach (var h in new[] { first, second })
        {
            if (!nodes.Contains(h.Header.Lane))
                return new(false, "lane-unknown", $"the header at height {h.Header.Height} is of lane {h.Header.Lane}, not a consortium node", null);
            var signature = h.Verify();
            if (!signature.IsValid)
                return new(false, "header-signature", $"the header at height {h.Header.Height}: {signature.Reason}", null);
        }
        if (first.Header.Lane != second.Header.Lane)
            return new(false, "different-lanes", $"the headers are of lanes {first.Header.Lane} and {second.Header.Lane}; only one lane's history can be compared", null);
        var (older, newer) = first.Header.Height <= second.Header.Height ? (first, second) : (second, first);
        var (o, n) = (older.Header, newer.Header);
        ConsistencyReport Fork(string reason) => new(false, "fork", reason, new ForkEvidence(o.Lane, older, newer, reason));
        if (o.Height == n.Height)
            return o.Hash() == n.Hash()
                ? new(true, "ok", $"the same header (height {o.Height})", null)
                : Fork($"two different headers at height {o.Height}");
        if (n.Height == o.Height + 1 && n.Parent != o.Hash())
            return Fork($"the header at height {n.Height} names parent {n.Parent}, not the header {o.Hash()} at height {o.Height}");
        if (o.LogSize > n.LogSize)
            return Fork($"the log shrank from {o.LogSize} records at height {o.Height} to {n.LogSize} at height {n.Height}");
        if (o.LogSize == n.LogSize)
            return o.LogRoot == n.LogRoot
                ? new(true, "ok", $"heights {o.Height} and {n.Height} have the same log ({o.LogSize} records)", null)
                : Fork($"the same log size {o.LogSize} with two roots");
        if (o.LogSize == 0)
            return new(true, "ok", $"an empty log is a prefix of any log (heights {o.Height} and {n.Height})", null);
        if (proof is null)
            return Fork($"no consistency proof from log size {o.LogSize} to {n.LogSize}");
        if (proof.OldSize != o.LogSize || proof.NewSize != n.LogSize)
            return Fork($"the consistency proof is from {proof.OldSize} to {proof.NewSize}, the headers' logs are {o.LogSize} and {n.LogSize}");
        var result = MerkleTree.VerifyConsistency(proof, o.LogRoot, n.LogRoot);
        return result.IsValid
            ? new(true, "ok", $"the log at height {o.Height} ({o.LogSize} records) is a prefix of the log at height {n.Height} ({n.LogSize} records)", null)
            : Fork($"no valid consistency proof from log size {o.LogSize} (root {o.LogRoot}) to {n.LogSize} (root {n.LogRoot}): {result.Reason}");
    }

    /// <summary>Checks two answers of one lane, fetching the consistency proof from <paramref name="client"/> (any node of the lane).</summary>
    public static async Task<ConsistencyReport> CheckAsync(ProvenanceDocument first, ProvenanceDocument second, LedgerClient client,
        ConsortiumDefinition consortium, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(client);
        if (first.Lanes is not null || second.Lanes is not null)
        {
            // Answers across lanes: compare their sections of the lane of the node asked (the only log it can prove).
            var lane = (await client.GetHeadAsync(cancellationToken).ConfigureAwait(false))?.Header.Header.Lane;
            if (HeaderOf(first, lane) is not { } x || HeaderOf(second, lane) is not { } y)
                return new(false, "no-header", $"an answer carries no header of lane {lane?.ToString() ?? "(the node shows no block)"}: nothing to compare", null);
            return await CheckAsync(x, y, client, consortium, cancellationToken).ConfigureAwait(false);
        }
        if (first.Header is not { } a || second.Header is not { } b)
            return new(false, "no-header", "an answer carries no header: nothing to compare", null);
        return await CheckAsync(a.SignedHeader, b.SignedHeader, client, consortium, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks an answer against the lane's head as <paramref name="client"/>'s node shows it now.</summary>
    public static async Task<ConsistencyReport> CheckWithHeadAsync(ProvenanceDocument answer, LedgerClient client, ConsortiumDefinition consortium,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(client);
        if (answer.Lanes is null && answer.Header is null)
            return new(false, "no-header", "the answer carries no header: nothing to compare", null);
        var head = await client.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        // An answer across lanes is compared in its section of the lane of the node asked.
        if (HeaderOf(answer, head?.Header.Header.Lane) is not { } a)
            return new(false, "no-header", $"the answer carries no header of lane {head?.Header.Header.Lane}: nothing to compare", null);
        if (head is null)
            return new(false, "no-head", $"the node shows no block, the answer shows height {a.Header.Height} (one signed header: no evidence)", null);
        return await CheckAsync(a, head.Header, client, consortium, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A v2 answer's header, or a v3 answer's header of <paramref name="lane"/>.</summary>
    private static SignedHeader? HeaderOf(ProvenanceDocument answer, Address? lane) => answer.Lanes is { } lanes
        ? lanes.FirstOrDefault(l => l.Lane == lane)?.Header?.SignedHeader
        : answer.Header?.SignedHeader;

    private static async Task<ConsistencyReport> CheckAsync(SignedHeader first, SignedHeader second, LedgerClient client, ConsortiumDefinition consortium,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var (small, large) = first.Header.LogSize <= second.Header.LogSize ? (first.Header.LogSize, second.Header.LogSize) : (second.Header.LogSize, first.Header.LogSize);
        ConsistencyProof? proof = null;
        if (small > 0 && small < large)
        {
            try
            {
                proof = (await client.GetConsistencyProofAsync(small, large, cancellationToken).ConfigureAwait(false)).Proof;
            }
            catch (LedgerRequestException)
            {
                // A node that cannot prove the two logs one history: the check below reports the missing proof.
            }
        }
        return Check(first, second, proof, consortium);
    }
}
