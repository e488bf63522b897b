using Ledger.Engine.Lane;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Merkle;

namespace Ledger.Engine.Anchoring;

/// <summary>An anchor attached to an answer: the confirmed anchor and the consistency proof from its size to the answer's header.</summary>
/// <param name="Anchor">The latest confirmed anchor whose size is at most the header's log size.</param>
/// <param name="Proof">Consistency of the log from <c>Anchor.Size</c> to the header's log size.</param>
public sealed record AnchorWithProof(AnchorRecord Anchor, ConsistencyProof Proof);

/// <summary>Anchor reads over a lane: the anchor for an answer, the header at a log size.</summary>
public static class LaneAnchors
{
    /// <summary>
    /// The latest confirmed anchor of the header's lane with size ≤ the header's log size, with a consistency proof from the
    /// anchored size to the header's, so a verifier that trusts only the chain links the chain's root to the signed header.
    /// Null when there is none.
    /// </summary>
    public static AnchorWithProof? ForHeader(LedgerEngine engine, AnchorStore anchors, SignedHeader? header)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(anchors);
        if (header is null)
            return null;
        if (anchors.LatestConfirmed(header.Header.Lane, header.Header.LogSize) is not { } anchor)
            return null;
        return new AnchorWithProof(anchor, engine.GetConsistencyProof(anchor.Size, header.Header.LogSize));
    }

    /// <summary>
    /// The signed header whose log size is exactly <paramref name="logSize"/> (binary search over heights: every block adds
    /// at least one record, so log sizes grow strictly with height), or null when no header has that size.
    /// </summary>
    public static SignedHeader? FindHeaderByLogSize(LaneStore store, long logSize)
    {
        ArgumentNullException.ThrowIfNull(store);
        long lo = 1, hi = store.Head.Height;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (store.GetHeader(mid) is not { } h)
                return null;
            if (h.Header.LogSize == logSize)
                return h;
            if (h.Header.LogSize < logSize)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return null;
    }
}
