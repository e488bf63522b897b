using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Merkle;
using Ledger.Sdk.Provenance;

namespace Ledger.Sdk.Verification;

/// <summary>
/// Checks a provenance answer offline from the consortium's public keys alone (docs/spec/verifier.md): seals,
/// inclusion proofs, header signature, certificate quorum, completeness (state proof), order, the custody sequence
/// replayed through <see cref="CustodyRules"/>, and the chain anchor. No I/O except the optional <see cref="IAnchorSource"/>.
/// </summary>
public static class ProvenanceVerifier
{
    /// <summary>Check names (report order: header-signature, certificate, seal…, inclusion…, completeness, order, custody, anchor, anchor-chain).</summary>
    public const string HeaderSignature = "header-signature", CertificateCheck = "certificate", Seal = "seal", Inclusion = "inclusion",
        Completeness = "completeness", Order = "order", Custody = "custody", Anchor = "anchor", AnchorChain = "anchor-chain";

    /// <summary>Runs every offline check.</summary>
    /// <exception cref="ArgumentException">The options carry an anchor source: use <see cref="VerifyAsync"/>.</exception>
    public static VerificationReport Verify(ProvenanceDocument answer, ConsortiumDefinition consortium, ProvenanceVerifierOptions? options = null)
    {
        if (options?.AnchorSource is not null)
            throw new ArgumentException("an anchor source is read asynchronously: call VerifyAsync", nameof(options));
        return new VerificationReport(Offline(answer, consortium));
    }

    /// <summary>Runs every offline check and, when the options carry an anchor source, checks the anchor against it.</summary>
    public static async Task<VerificationReport> VerifyAsync(ProvenanceDocument answer, ConsortiumDefinition consortium,
        ProvenanceVerifierOptions? options = null, CancellationToken cancellationToken = default)
    {
        var checks = Offline(answer, consortium);
        if (options?.AnchorSource is { } source)
            checks.Add(await ChainAsync(answer, source, cancellationToken).ConfigureAwait(false));
        return new VerificationReport(checks);
    }

    private static VerificationCheck Ok(string name, string subject) => new(name, subject, true, "ok");

    private static VerificationCheck Fail(string name, string subject, string code, string detail) => new(name, subject, false, $"{code}: {detail}");

    private static List<VerificationCheck> Offline(ProvenanceDocument answer, ConsortiumDefinition consortium)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(consortium);
        var directory = new ConsortiumDirectory(consortium);
        var checks = new List<VerificationCheck>();
        var header = answer.Header?.SignedHeader.Header;
        // Trust flows from the consortium's node keys to the header, and from the header to everything proven against it.
        checks.Add(CheckHeader(answer, directory));
        checks.Add(CheckCertificate(answer, directory));
        for (var i = 0; i < answer.Records.Count; i++)
            checks.Add(CheckSeal(answer.Records[i], i, directory));
        for (var i = 0; i < answer.Records.Count; i++)
            checks.Add(CheckInclusion(answer.Records[i], i, header));
        checks.Add(CheckCompleteness(answer));
        checks.Add(CheckOrder(answer));
        checks.Add(CustodyReplay.Check(answer, directory));
        if (answer.Anchor is { } anchor)
            checks.Add(CheckAnchor(anchor, header));
        return checks;
    }

    private static string Subject(ProvenanceRecord e, int i) => $"records[{i}] {e.Record.Id}";

    private static VerificationCheck CheckSeal(ProvenanceRecord e, int i, ConsortiumDirectory directory)
    {
        var subject = Subject(e, i);
        var author = e.Record.Author;
        if (directory.Find(author) is null && !directory.NodeAddresses.Contains(author))
            return Fail(Seal, subject, "author-unknown", $"the record's author {author} is neither a consortium party nor a consortium node");
        var result = e.Seal.Verify(e.Record);
        return result.IsValid ? Ok(Seal, subject) : Fail(Seal, subject, result.Code, result.Reason);
    }

    private static VerificationCheck CheckInclusion(ProvenanceRecord e, int i, BlockHeader? header)
    {
        var subject = Subject(e, i);
        if (header is null)
            return Fail(Inclusion, subject, "no-header", "the answer carries no header to prove the record against");
        var proof = e.InclusionProof;
        if (proof.LeafIndex != e.LogIndex)
            return Fail(Inclusion, subject, "log-index", $"the proof is for log index {proof.LeafIndex}, the answer says {e.LogIndex}");
        if (proof.TreeSize != header.LogSize)
            return Fail(Inclusion, subject, "tree-size", $"the proof is for a log of {proof.TreeSize}, the header's log size is {header.LogSize}");
        var result = MerkleTree.VerifyInclusion(proof, MerkleHash.Leaf(e.Record.Id), header.LogRoot);
        return result.IsValid ? Ok(Inclusion, subject) : Fail(Inclusion, subject, "log-root", result.Reason);
    }

    private static string HeaderSubject(ProvenanceDocument answer) => answer.Header is { } h
        ? $"header {h.SignedHeader.Header.Lane} height {h.SignedHeader.Header.Height}"
        : "header";

    private static VerificationCheck CheckHeader(ProvenanceDocument answer, ConsortiumDirectory directory)
    {
        var subject = HeaderSubject(answer);
        if (answer.Header is not { } h)
            return Fail(HeaderSignature, subject, "no-header", "the answer carries no header; nothing in it is proven");
        if (!directory.NodeAddresses.Contains(h.SignedHeader.Header.Lane))
            return Fail(HeaderSignature, subject, "lane-unknown", $"the header's lane {h.SignedHeader.Header.Lane} is not a consortium node");
        var result = h.SignedHeader.Verify();
        return result.IsValid ? Ok(HeaderSignature, subject) : Fail(HeaderSignature, subject, result.Code, result.Reason);
    }

    private static VerificationCheck CheckCertificate(ProvenanceDocument answer, ConsortiumDirectory directory)
    {
        var subject = HeaderSubject(answer);
        if (answer.Header is not { } h)
            return Fail(CertificateCheck, subject, "no-header", "the answer carries no header to certify");
        if (h.Certificate is not { } c)
            return Fail(CertificateCheck, subject, "no-certificate", "the header carries no certificate");
        if (directory.NodeAddresses.Count == 0)
            return Fail(CertificateCheck, subject, "no-nodes", "the consortium lists no nodes");
        var result = c.Verify(h.SignedHeader.Header, directory.NodeAddresses);
        return result.IsValid ? Ok(CertificateCheck, subject) : Fail(CertificateCheck, subject, result.Code, result.Reason);
    }

    private static VerificationCheck CheckCompleteness(ProvenanceDocument answer)
    {
        var subject = answer.Item.ToString();
        if (answer.Header is not { } h)
            return Fail(Completeness, subject, "no-header", "the answer carries no header whose state root could prove the latest record");
        if (answer.StateProof is not { } proof)
            return Fail(Completeness, subject, "no-state-proof", "the answer carries no state proof");
        Hash32? last = answer.Records.Count == 0 ? null : answer.Records[^1].Record.Id;
        var result = SparseMerkleTree.Verify(h.SignedHeader.Header.StateRoot, answer.ItemKey, last, proof);
        if (result.IsValid)
            return Ok(Completeness, subject);
        var claim = last is { } l ? $"that the item's latest record is {l} (the answer's last record)" : "that the item is absent (the answer has no records)";
        return Fail(Completeness, subject, "state-proof", $"the state proof does not prove {claim} at state root {h.SignedHeader.Header.StateRoot}: {result.Reason}");
    }

    private static VerificationCheck CheckOrder(ProvenanceDocument answer)
    {
        var subject = answer.Item.ToString();
        var seen = new HashSet<Hash32>();
        var height = answer.Header?.SignedHeader.Header.Height;
        for (var i = 0; i < answer.Records.Count; i++)
        {
            var e = answer.Records[i];
            if (!seen.Add(e.Record.Id))
                return Fail(Order, subject, "duplicate", $"records[{i}] repeats record {e.Record.Id}");
            if (i > 0 && e.LogIndex <= answer.Records[i - 1].LogIndex)
                return Fail(Order, subject, "log-order", $"records[{i}] has log index {e.LogIndex}, not after records[{i - 1}]'s {answer.Records[i - 1].LogIndex}");
            if (i > 0 && e.Height < answer.Records[i - 1].Height)
                return Fail(Order, subject, "height-order", $"records[{i}] is at height {e.Height}, before records[{i - 1}]'s {answer.Records[i - 1].Height}");
            if (height is { } top && (e.Height < 1 || e.Height > top))
                return Fail(Order, subject, "height", $"records[{i}] is at height {e.Height}, outside 1..{top} of the header");
        }
        return Ok(Order, subject);
    }

    private static VerificationCheck CheckAnchor(ProvenanceAnchor anchor, BlockHeader? header)
    {
        var subject = $"anchor {anchor.Lane} size {anchor.Size}";
        if (header is null)
            return Fail(Anchor, subject, "no-header", "the answer carries no header to link the anchor to");
        if (anchor.Lane != header.Lane)
            return Fail(Anchor, subject, "anchor-lane", $"the anchor is for lane {anchor.Lane}, the header's lane is {header.Lane}");
        var proof = anchor.ConsistencyProof;
        if (proof.OldSize != anchor.Size || proof.NewSize != header.LogSize)
            return Fail(Anchor, subject, "anchor-sizes", $"the consistency proof is from {proof.OldSize} to {proof.NewSize}, not from the anchored size {anchor.Size} to the header's log size {header.LogSize}");
        var result = MerkleTree.VerifyConsistency(proof, anchor.Root, header.LogRoot);
        return result.IsValid ? Ok(Anchor, subject) : Fail(Anchor, subject, "anchor-consistency", result.Reason);
    }

    private static async Task<VerificationCheck> ChainAsync(ProvenanceDocument answer, IAnchorSource source, CancellationToken cancellationToken)
    {
        if (answer.Anchor is not { } anchor)
            return Fail(AnchorChain, "anchor", "no-anchor", "an anchor source was given but the answer carries no anchor");
        var subject = $"anchor {anchor.Lane} size {anchor.Size}";
        var root = await source.RootAtAsync(anchor.Lane, (ulong)anchor.Size, cancellationToken).ConfigureAwait(false);
        if (root is not { } r)
            return Fail(AnchorChain, subject, "not-anchored", $"the chain holds no root for lane {anchor.Lane} at size {anchor.Size}");
        return r == anchor.Root
            ? Ok(AnchorChain, subject)
            : Fail(AnchorChain, subject, "root-mismatch", $"the chain's root {r} differs from the answer's anchor root {anchor.Root}");
    }
}
