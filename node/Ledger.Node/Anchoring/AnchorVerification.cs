using System.Globalization;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Merkle;

namespace Ledger.Node.Anchoring;

/// <summary>One anchor as read from the chain.</summary>
/// <param name="Size">The anchored log size.</param>
/// <param name="Root">The anchored log root.</param>
/// <param name="BlockNumber">The block that recorded it.</param>
public sealed record ChainAnchor(long Size, Hash32 Root, ulong BlockNumber);

/// <summary>The check of one anchored size against a node's lane.</summary>
/// <param name="Size">The anchored size.</param>
/// <param name="Root">The chain's root at that size.</param>
/// <param name="BlockNumber">The chain block of the anchor.</param>
/// <param name="Ok">True when the node's signed header at that size has the chain's root and the log is consistent up to the head.</param>
/// <param name="Reason">Why not (null when ok).</param>
public sealed record AnchorCheck(long Size, Hash32 Root, ulong BlockNumber, bool Ok, string? Reason);

/// <summary>The whole check of a lane against its anchors.</summary>
/// <param name="Lane">The lane.</param>
/// <param name="Head">The node's head header (null when the node has none or it is unusable).</param>
/// <param name="HeadError">Why the head cannot be trusted (null when it can).</param>
/// <param name="Anchors">One check per anchored size, in chain order.</param>
public sealed record AnchorVerificationReport(Address Lane, SignedHeader? Head, string? HeadError, IReadOnlyList<AnchorCheck> Anchors)
{
    /// <summary>True when the head is usable and every anchored size matches.</summary>
    public bool Ok => HeadError is null && Anchors.All(a => a.Ok);
}

/// <summary>
/// Checks a lane served by a node against the anchors on the chain: the head must be signed by the lane's key; for each
/// anchored size, the node's signed header with exactly that log size must carry the chain's root, and the consistency
/// proof from that size to the head must verify from the chain's root to the head's root. No I/O: the callers fetch.
/// </summary>
public static class AnchorVerification
{
    /// <summary>Checks the head header: signed by the lane's key and of that lane. Returns the reason it fails, or null.</summary>
    public static string? CheckHeader(SignedHeader header, Address lane)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header.Header.Lane != lane)
            return $"the header is of lane {header.Header.Lane}, not {lane}";
        var signature = header.Verify();
        return signature.IsValid ? null : "the header signature does not verify: " + signature.Reason;
    }

    /// <summary>Checks one anchored size given what the node served (<paramref name="header"/> at that size, <paramref name="proof"/> to the head).</summary>
    public static AnchorCheck CheckAnchor(ChainAnchor anchor, Address lane, SignedHeader head, SignedHeader? header, ConsistencyProof? proof)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        ArgumentNullException.ThrowIfNull(head);
        AnchorCheck Bad(string reason) => new(anchor.Size, anchor.Root, anchor.BlockNumber, false, reason);
        if (anchor.Size > head.Header.LogSize)
            return Bad(string.Create(CultureInfo.InvariantCulture, $"the node's head has log size {head.Header.LogSize}, below the anchored size"));
        if (header is null)
            return Bad("the node has no header with this log size");
        if (header.Header.LogSize != anchor.Size)
            return Bad(string.Create(CultureInfo.InvariantCulture, $"the node served a header with log size {header.Header.LogSize}"));
        if (CheckHeader(header, lane) is { } headerError)
            return Bad(headerError);
        if (header.Header.LogRoot != anchor.Root)
            return Bad($"the node's header at height {header.Header.Height} has logRoot {header.Header.LogRoot}, the chain has {anchor.Root}");
        if (proof is null)
            return Bad("the node served no consistency proof to its head");
        if (proof.OldSize != anchor.Size || proof.NewSize != head.Header.LogSize)
            return Bad(string.Create(CultureInfo.InvariantCulture, $"the consistency proof is from {proof.OldSize} to {proof.NewSize}, not to the head's {head.Header.LogSize}"));
        var consistent = MerkleTree.VerifyConsistency(proof, anchor.Root, head.Header.LogRoot);
        return consistent.IsValid
            ? new AnchorCheck(anchor.Size, anchor.Root, anchor.BlockNumber, true, null)
            : Bad("the log at the head is not consistent with the anchored root: " + consistent.Reason);
    }
}
