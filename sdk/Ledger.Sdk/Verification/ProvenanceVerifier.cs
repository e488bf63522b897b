using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Sdk.Provenance;

namespace Ledger.Sdk.Verification;

/// <summary>
/// Checks a provenance answer offline from the consortium's public keys alone (docs/spec/verifier.md): the readable
/// summary against the encodings, seals, inclusion proofs, header signature, certificate quorum, completeness (state
/// proof), order, the custody sequence replayed through <see cref="CustodyRules"/>, the lot's and product's histories
/// (state proofs), the status derived from all of them at a stated time, and the chain anchor. No I/O except the
/// optional <see cref="IAnchorSource"/>; no clock: the time is the caller's (<see cref="ProvenanceVerifierOptions.At"/>)
/// or the answer's own <c>state.statusAt</c>, and the report names which.
/// </summary>
public static class ProvenanceVerifier
{
    /// <summary>Check names (report order: header-signature, certificate, seal…, inclusion…, completeness, order, custody, lot, product, status, anchor, summary…, anchor-chain).</summary>
    public const string Summary = "summary", LanesCheck = "lanes", HeaderSignature = "header-signature", CertificateCheck = "certificate", Seal = "seal", Inclusion = "inclusion",
        Completeness = "completeness", Order = "order", Custody = "custody", LotCheck = "lot", ProductCheck = "product", Status = "status",
        Anchor = "anchor", AnchorChain = "anchor-chain";

    /// <summary>Runs every offline check.</summary>
    /// <exception cref="ArgumentException">The options carry an anchor source: use <see cref="VerifyAsync"/>.</exception>
    public static VerificationReport Verify(ProvenanceDocument answer, ConsortiumDefinition consortium, ProvenanceVerifierOptions? options = null)
    {
        if (options?.AnchorSource is not null)
            throw new ArgumentException("an anchor source is read asynchronously: call VerifyAsync", nameof(options));
        var (checks, summary) = Offline(answer, consortium, options);
        return Report(checks, summary);
    }

    /// <summary>Runs every offline check and, when the options carry an anchor source, checks the anchor against it.</summary>
    public static async Task<VerificationReport> VerifyAsync(ProvenanceDocument answer, ConsortiumDefinition consortium,
        ProvenanceVerifierOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (checks, summary) = Offline(answer, consortium, options);
        if (options?.AnchorSource is { } source)
            checks.Add(await ChainAsync(AnchorOf(answer), source, cancellationToken).ConfigureAwait(false));
        return Report(checks, summary);
    }

    private static VerificationReport Report(List<VerificationCheck> checks, ProvenSummary? summary)
    {
        var report = new VerificationReport(checks);
        return report.Passed && summary is not null
            ? report with { Summary = summary with { AnchorChecked = checks.Any(c => c.Name == AnchorChain) } }
            : report;
    }

    private static VerificationCheck Ok(string name, string subject) => new(name, subject, true, "ok");

    private static VerificationCheck Fail(string name, string subject, string code, string detail) => new(name, subject, false, $"{code}: {detail}");

    private static (List<VerificationCheck>, ProvenSummary?) Offline(ProvenanceDocument answer, ConsortiumDefinition consortium, ProvenanceVerifierOptions? options)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(consortium);
        var directory = new ConsortiumDirectory(consortium);
        if (answer.Lanes is { } lanes)
            return AcrossLanes(answer, lanes, directory, options);
        var checks = new List<VerificationCheck>();
        var header = answer.Header?.SignedHeader.Header;
        // Trust flows from the consortium's node keys to the header, and from the header to everything proven against it.
        checks.Add(CheckHeader(answer, directory));
        checks.Add(CheckCertificate(answer, directory));
        var all = AllRecords(answer).ToList();
        foreach (var (e, path) in all)
            checks.Add(CheckSeal(e, path, directory));
        foreach (var (e, path) in all)
            checks.Add(CheckInclusion(e, path, header));
        checks.Add(CheckCompleteness(answer));
        checks.Add(CheckOrder(answer));
        var (custody, replayed) = CustodyReplay.Replay(answer, directory);
        checks.Add(custody);
        var lots = LotFacts.Empty;
        var lotsProven = true;
        if (replayed is { Gtin: { } gtin })
        {
            var lot = CheckLot(answer, answer.Lot, LotCheck, gtin, replayed.Lot ?? "", header, directory, ref lots);
            var product = CheckLot(answer, answer.Product, ProductCheck, gtin, null, header, directory, ref lots);
            checks.Add(lot);
            checks.Add(product);
            lotsProven = lot.Passed && product.Passed;
        }
        else
        {
            checks.Add(NoLot(answer, LotCheck, answer.Lot, replayed));
            checks.Add(NoLot(answer, ProductCheck, answer.Product, replayed));
        }
        var (status, summary) = CheckStatus(answer, replayed, lots, lotsProven, custody.Passed, options?.At);
        checks.Add(status);
        if (answer.Anchor is { } anchor)
            checks.Add(CheckAnchor(anchor, header));
        // Last: the readable text against what the encodings say (a changed encoding fails its own check first).
        checks.AddRange(CheckSummary(answer));
        return (checks, summary);
    }

    private static IEnumerable<(ProvenanceRecord Record, string Path)> AllRecords(ProvenanceDocument answer)
    {
        for (var i = 0; i < answer.Records.Count; i++)
            yield return (answer.Records[i], $"records[{i}]");
        if (answer.Lot is { } lot)
            for (var i = 0; i < lot.Records.Count; i++)
                yield return (lot.Records[i], $"lot.records[{i}]");
        if (answer.Product is { } product)
            for (var i = 0; i < product.Records.Count; i++)
                yield return (product.Records[i], $"product.records[{i}]");
    }

    private static IEnumerable<VerificationCheck> CheckSummary(ProvenanceDocument answer)
    {
        if (answer.SourceJson is not { } source)
        {
            yield return Ok(Summary, "answer (built from its encodings)");
            yield break;
        }
        var differences = SummaryCheck.Differences(source, answer.ToJson());
        if (differences.Count == 0)
            yield return Ok(Summary, "answer");
        foreach (var (path, detail) in differences)
            yield return Fail(Summary, path, "summary", $"{path} {detail}");
    }

    private static string Subject(ProvenanceRecord e, string path) => $"{path} {e.Record.Id}";

    private static VerificationCheck CheckSeal(ProvenanceRecord e, string path, ConsortiumDirectory directory)
    {
        var subject = Subject(e, path);
        var author = e.Record.Author;
        if (directory.Find(author) is null && !directory.NodeAddresses.Contains(author))
            return Fail(Seal, subject, "author-unknown", $"the record's author {author} is neither a consortium party nor a consortium node");
        var result = e.Seal.Verify(e.Record);
        return result.IsValid ? Ok(Seal, subject) : Fail(Seal, subject, result.Code, result.Reason);
    }

    private static VerificationCheck CheckInclusion(ProvenanceRecord e, string path, BlockHeader? header)
    {
        var subject = Subject(e, path);
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
        var result = c.Verify(h.SignedHeader.Header, directory.NodeAddresses, directory.Definition.Quorum);
        return result.IsValid ? Ok(CertificateCheck, subject) : Fail(CertificateCheck, subject, result.Code, result.Reason);
    }

    private static VerificationCheck CheckCompleteness(ProvenanceDocument answer)
    {
        var subject = answer.Item.ToString();
        if (answer.Header is not { } h)
            return Fail(Completeness, subject, "no-header", "the answer carries no header whose state root could prove the latest record");
        if (answer.StateProof is not { } proof)
            return Fail(Completeness, subject, "no-state-proof", "the answer carries no state proof");
        // An item the ledger never commissioned has no entry in the state map, even when it was scanned: a Verify of an
        // unknown item changes no state (custody.md §4). An answer that states no item and whose records are all Verifies
        // holds such scans, and proves absence. (A known item's lane section of scans only — scans outside its custody
        // chain, v3 — has the lane's last scan as its entry.)
        Hash32? last = answer.Records.Count == 0 || (!answer.Known && answer.Records.All(r => r.Record.Kind == RecordKind.Verify))
            ? null : answer.Records[^1].Record.Id;
        var result = SparseMerkleTree.Verify(h.SignedHeader.Header.StateRoot, answer.ItemKey, last, proof);
        if (result.IsValid)
            return Ok(Completeness, subject);
        var claim = last is { } l ? $"that the item's latest record is {l} (the answer's last record)" : "that the item is absent (the answer has no records but scans of an unknown item)";
        return Fail(Completeness, subject, "state-proof", $"the state proof does not prove {claim} at state root {h.SignedHeader.Header.StateRoot}: {result.Reason}");
    }

    private static VerificationCheck? CheckSequence(string name, string subject, string path, IReadOnlyList<ProvenanceRecord> records)
    {
        var seen = new HashSet<Hash32>();
        for (var i = 0; i < records.Count; i++)
        {
            var e = records[i];
            if (!seen.Add(e.Record.Id))
                return Fail(name, subject, "duplicate", $"{path}[{i}] repeats record {e.Record.Id}");
            if (i > 0 && e.LogIndex <= records[i - 1].LogIndex)
                return Fail(name, subject, "log-order", $"{path}[{i}] has log index {e.LogIndex}, not after {path}[{i - 1}]'s {records[i - 1].LogIndex}");
        }
        return null;
    }

    private static VerificationCheck CheckOrder(ProvenanceDocument answer)
    {
        var subject = answer.Item.ToString();
        return CheckSequence(Order, subject, "records", answer.Records) ?? Ok(Order, subject);
    }

    private static VerificationCheck NoLot(ProvenanceDocument answer, string name, ProvenanceLotHistory? history, ItemState? replayed)
    {
        var subject = answer.Item.ToString();
        if (history is null)
            return Ok(name, replayed is null ? $"{subject} (not on the ledger: no {name})" : $"{subject} (no GTIN: no {name})");
        return Fail(name, subject, "unexpected", $"the answer carries a {name} history ({history.Gtin}) for an item {(replayed is null ? "its records do not create" : "without a GTIN")}");
    }

    /// <summary>A lot's or product's history: the item's own GTIN and lot, lot records only, in order, and the chain head proven at the state root.</summary>
    private static VerificationCheck CheckLot(ProvenanceDocument answer, ProvenanceLotHistory? history, string name, string gtin, string? lot,
        BlockHeader? header, ConsortiumDirectory directory, ref LotFacts facts)
    {
        var subject = lot is null ? $"product {gtin}" : $"lot {gtin} {lot}";
        if (history is null)
            return Fail(name, subject, $"no-{name}",
                $"the answer carries no {name} history for {gtin}{(lot is null ? "" : " lot " + lot)}: a {(lot is null ? "withdrawal of the product" : "recall or withdrawal of the lot")} cannot be ruled out");
        if (history.Gtin != gtin || history.Lot != lot)
            return Fail(name, subject, $"{name}-mismatch", $"{name} is for {history.Gtin}{(history.Lot is null ? "" : " lot " + history.Lot)}, the item's commission says {gtin}{(lot is null ? "" : " lot " + lot)}");
        if (header is null)
            return Fail(name, subject, "no-header", $"the answer carries no header whose state root could prove the {name} history");
        if (CheckSequence(name, subject, name + ".records", history.Records) is { } bad)
            return bad;
        var context = new LotContext(directory, facts);
        for (var i = 0; i < history.Records.Count; i++)
        {
            var r = history.Records[i].Record;
            if (LotMap.KeyOf(r) != history.Key)
                return Fail(name, subject, "not-lot-record", $"{name}.records[{i}] {r.Kind} {r.Id} is not a {(lot is null ? "withdrawal of product " + gtin : "recall or withdrawal of lot " + lot + " of " + gtin)}");
            var outcome = CustodyRules.Apply(r, context);
            if (!outcome.IsAccepted)
                return Fail(name, subject, "step-rejected", $"{name}.records[{i}] {r.Kind} {r.Id} is not allowed: {outcome.ErrorCode}: {outcome.Message}");
            context.Lots = outcome.Lots ?? context.Lots;
        }
        var chain = LotMap.Fold(history.Records.Select(e => e.Record.Id));
        var result = SparseMerkleTree.Verify(header.StateRoot, history.Key, chain, history.StateProof);
        if (!result.IsValid)
            return Fail(name, subject, "state-proof", chain is { } c
                ? $"the state proof does not prove the chain head {c} of the {history.Records.Count} records at state root {header.StateRoot}: {result.Reason}"
                : $"the state proof does not prove that the {name} has no record at state root {header.StateRoot}: {result.Reason}");
        facts = context.Lots;
        return Ok(name, subject);
    }

    /// <summary>The status the proven records give at a time: the item's stored status, lot facts, then the expiry date.</summary>
    public static ItemStatus DeriveStatus(ItemState state, LotFacts lots, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(lots);
        var status = CustodyRules.EffectiveStatus(state, lots);
        return status is ItemStatus.Active or ItemStatus.InTransit && CustodyRules.IsExpired(state, at.ToUnixTimeMilliseconds())
            ? ItemStatus.Expired
            : status;
    }

    private static (VerificationCheck, ProvenSummary?) CheckStatus(ProvenanceDocument answer, ItemState? replayed, LotFacts lots, bool lotsProven,
        bool custodyProven, DateTimeOffset? callerAt)
    {
        var subject = answer.Item.ToString();
        var header = answer.Header?.SignedHeader;
        var lastRecord = answer.Records.Count == 0 ? (Hash32?)null : answer.Records[^1].Record.Id;
        if (!custodyProven || !lotsProven)
            return (Fail(Status, subject, "unproven", "the status cannot be derived: " + (custodyProven ? "the lot's or product's history is not proven" : "the custody replay failed")), null);
        if (replayed is null || answer.State is not { } stated)
        {
            var unknown = new ProvenSummary(answer.Item, false, null, callerAt, callerAt is null ? null : "caller", null, null, null,
                header, answer.Anchor);
            return (Ok(Status, $"{subject}: not on the ledger at the header"), unknown);
        }
        if (stated.StatusAt is not { } statedAt)
            return (Fail(Status, subject, "no-status-time", "state.statusAt is missing: the stated status names no time it holds at"), null);
        var atStated = DeriveStatus(replayed, lots, statedAt);
        if (atStated != stated.Status)
            return (Fail(Status, subject, "status-mismatch",
                $"state.status is {stated.Status}, the proven records make it {atStated} at state.statusAt {statedAt:O}"), null);
        var at = callerAt ?? statedAt;
        var proven = callerAt is { } c ? DeriveStatus(replayed, lots, c) : atStated;
        var summary = new ProvenSummary(answer.Item, true, proven, at, callerAt is null ? "answer" : "caller", replayed.Custodian, replayed.Location,
            lastRecord, header, answer.Anchor);
        return (Ok(Status, $"{subject}: {proven} at {at:O} ({(callerAt is null ? "the answer's statusAt" : "the caller's time")})"), summary);
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

    private static async Task<VerificationCheck> ChainAsync(ProvenanceAnchor? answerAnchor, IAnchorSource source, CancellationToken cancellationToken)
    {
        if (answerAnchor is not { } anchor)
            return Fail(AnchorChain, "anchor", "no-anchor", "an anchor source was given but the answer carries no anchor");
        var subject = $"anchor {anchor.Lane} size {anchor.Size}";
        var root = await source.RootAtAsync(anchor.Lane, (ulong)anchor.Size, cancellationToken).ConfigureAwait(false);
        if (root is not { } r)
            return Fail(AnchorChain, subject, "not-anchored", $"the chain holds no root for lane {anchor.Lane} at size {anchor.Size}");
        return r == anchor.Root
            ? Ok(AnchorChain, subject)
            : Fail(AnchorChain, subject, "root-mismatch", $"the chain's root {r} differs from the answer's anchor root {anchor.Root}");
    }

    /// <summary>The anchor a chain check reads: a v2 answer's, or in a v3 answer that of the lane holding the item's latest record, else the first section's that has one.</summary>
    private static ProvenanceAnchor? AnchorOf(ProvenanceDocument answer) => answer.Lanes is not { } lanes
        ? answer.Anchor
        : LatestSection(answer, lanes)?.Anchor ?? lanes.Select(l => l.Anchor).FirstOrDefault(a => a is not null);

    private static ProvenanceLaneSection? LatestSection(ProvenanceDocument answer, IReadOnlyList<ProvenanceLaneSection> lanes) =>
        answer.State is { } s ? lanes.FirstOrDefault(l => l.Records.Any(r => r.Record.Id == s.LatestRecord)) : null;

    private static VerificationCheck In(string prefix, VerificationCheck check) => check with { Subject = $"{prefix} {check.Subject}" };

    /// <summary>A v2-shaped view of one lane's section, for the per-lane checks.</summary>
    private static ProvenanceDocument Section(ProvenanceDocument answer, ProvenanceLaneSection s) =>
        new(answer.Item, answer.State, s.Header, s.StateProof, s.Records, s.Lot, s.Product, s.Anchor);

    /// <summary>The checks of an answer across lanes (docs/spec/verifier.md §7).</summary>
    private static (List<VerificationCheck>, ProvenSummary?) AcrossLanes(ProvenanceDocument answer, IReadOnlyList<ProvenanceLaneSection> lanes,
        ConsortiumDirectory directory, ProvenanceVerifierOptions? options)
    {
        var checks = new List<VerificationCheck> { CheckLanes(lanes, directory) };
        var merged = new List<(ProvenanceRecord Record, string Path, Address Lane)>();
        for (var k = 0; k < lanes.Count; k++)
        {
            var s = lanes[k];
            var prefix = $"lanes[{k}]";
            for (var i = 0; i < s.Records.Count; i++)
                merged.Add((s.Records[i], $"{prefix}.records[{i}]", s.Lane));
            if (s.Header is null)
                continue; // nothing of the lane is proven (the lanes check fails when the section carries anything)
            var doc = Section(answer, s);
            var header = s.Header.SignedHeader.Header;
            checks.Add(In(prefix, CheckHeader(doc, directory)));
            checks.Add(In(prefix, CheckCertificate(doc, directory)));
            var all = AllRecords(doc).Select(x => (x.Record, Path: $"{prefix}.{x.Path}")).ToList();
            foreach (var (e, path) in all)
                checks.Add(CheckSeal(e, path, directory));
            foreach (var (e, path) in all)
                checks.Add(CheckInclusion(e, path, header));
            checks.Add(In(prefix, CheckCompleteness(doc)));
            checks.Add(In(prefix, CheckOrder(doc)));
            if (s.Anchor is { } anchor)
                checks.Add(In(prefix, CheckAnchor(anchor, header)));
        }
        var (order, ordered) = CausalOrder(answer, merged);
        checks.Add(order);
        var chain = new ProvenanceDocument(answer.Item, answer.State, null, null, [.. ordered.Select(o => o.Record)]);
        var (custody, replayed, marked) = order.Passed
            ? CustodyReplay.ReplayAcrossLanes(chain, [.. ordered.Select(o => o.Lane)], [.. ordered.Select(o => o.Path)], directory)
            : (new VerificationCheck(Custody, answer.Item.ToString(), false, "replay: the records have no causal order to replay"), null, false);
        checks.Add(custody);
        var lots = LotFacts.Empty;
        var lotsProven = true;
        for (var k = 0; k < lanes.Count; k++)
        {
            if (lanes[k].Header is not { } h)
                continue;
            var doc = Section(answer, lanes[k]);
            var header = h.SignedHeader.Header;
            VerificationCheck lot, product;
            if (replayed is { Gtin: { } gtin })
            {
                lot = CheckLot(doc, doc.Lot, LotCheck, gtin, replayed.Lot ?? "", header, directory, ref lots);
                product = CheckLot(doc, doc.Product, ProductCheck, gtin, null, header, directory, ref lots);
            }
            else
            {
                lot = NoLot(doc, LotCheck, doc.Lot, replayed);
                product = NoLot(doc, ProductCheck, doc.Product, replayed);
            }
            checks.Add(In($"lanes[{k}]", lot));
            checks.Add(In($"lanes[{k}]", product));
            lotsProven &= lot.Passed && product.Passed;
        }
        // A recall mark (an out-of-chain per-serial Recall) makes the item Recalled unless it is destroyed, stolen or recalled already.
        var forStatus = marked && replayed is { Status: not (ItemStatus.Destroyed or ItemStatus.Stolen or ItemStatus.Recalled) }
            ? replayed with { Status = ItemStatus.Recalled }
            : replayed;
        var (status, summary) = CheckStatus(chain, forStatus, lots, lotsProven, custody.Passed, options?.At);
        checks.Add(status);
        // Last: the readable text against what the encodings say (a changed encoding fails its own check first).
        checks.AddRange(CheckSummary(answer));
        if (summary is not null)
        {
            var latest = LatestSection(answer, lanes);
            summary = summary with
            {
                Custodian = replayed?.Custodian,
                LastRecord = replayed?.LatestRecord,
                Header = latest?.Header?.SignedHeader ?? lanes.Select(l => l.Header?.SignedHeader).FirstOrDefault(h => h is not null),
                Anchor = AnchorOf(answer),
                Lanes = [.. lanes.Select(l => l.Header?.SignedHeader).OfType<SignedHeader>()],
            };
        }
        return (checks, summary);
    }

    /// <summary>One section per consortium node, in the file's order, each for its own lane; a section without a header carries nothing.</summary>
    private static VerificationCheck CheckLanes(IReadOnlyList<ProvenanceLaneSection> lanes, ConsortiumDirectory directory)
    {
        const string subject = "lanes";
        var seen = new HashSet<Address>();
        for (var k = 0; k < lanes.Count; k++)
        {
            var s = lanes[k];
            if (!directory.NodeAddresses.Contains(s.Lane))
                return Fail(LanesCheck, subject, "lane-unknown", $"lanes[{k}] is for {s.Lane}, which is not a consortium node");
            if (!seen.Add(s.Lane))
                return Fail(LanesCheck, subject, "duplicate", $"lanes[{k}] repeats lane {s.Lane}");
            if (s.Header is { } h && h.SignedHeader.Header.Lane != s.Lane)
                return Fail(LanesCheck, subject, "lane-mismatch", $"lanes[{k}] is for lane {s.Lane} but its header is of lane {h.SignedHeader.Header.Lane}");
            if (s.Header is null && (s.Records.Count > 0 || s.StateProof is not null || s.Lot is not null || s.Product is not null || s.Anchor is not null))
                return Fail(LanesCheck, subject, "no-header", $"lanes[{k}] (lane {s.Lane}) has no header but carries records, a state proof, a history or an anchor that nothing proves");
        }
        var nodes = directory.Definition.Nodes.Select(n => n.Address).ToList();
        if (nodes.Where(n => !seen.Contains(n)).ToList() is [var missing, ..])
            return Fail(LanesCheck, subject, "lane-missing", $"the answer has no section for lane {missing}: its records of the item cannot be ruled out");
        if (!lanes.Select(l => l.Lane).SequenceEqual(nodes))
            return Fail(LanesCheck, subject, "lane-order", "the sections are not in the consortium file's node order");
        return Ok(LanesCheck, $"{subject} ({lanes.Count(l => l.Header is not null)} of {lanes.Count} with a header)");
    }

    /// <summary>Every section's records in a causal order: a topological order of their deps among the answer's records, ties by section then log index.</summary>
    private static (VerificationCheck, List<(ProvenanceRecord Record, string Path, Address Lane)>) CausalOrder(ProvenanceDocument answer,
        List<(ProvenanceRecord Record, string Path, Address Lane)> merged)
    {
        var subject = answer.Item.ToString();
        var index = new Dictionary<Hash32, int>();
        for (var i = 0; i < merged.Count; i++)
        {
            if (!index.TryAdd(merged[i].Record.Record.Id, i))
                return (Fail(Order, subject, "duplicate", $"{merged[i].Path} repeats record {merged[i].Record.Record.Id} of {merged[index[merged[i].Record.Record.Id]].Path}"), []);
        }
        var waiting = new int[merged.Count];
        var next = new List<int>[merged.Count];
        for (var i = 0; i < merged.Count; i++)
        {
            next[i] = [];
        }
        for (var i = 0; i < merged.Count; i++)
        {
            foreach (var d in merged[i].Record.Record.Deps.Distinct())
            {
                if (index.TryGetValue(d, out var j))
                {
                    waiting[i]++;
                    next[j].Add(i);
                }
            }
        }
        var ready = new SortedSet<int>(Enumerable.Range(0, merged.Count).Where(i => waiting[i] == 0));
        var ordered = new List<(ProvenanceRecord, string, Address)>();
        while (ready.Count > 0)
        {
            var i = ready.Min;
            ready.Remove(i);
            ordered.Add(merged[i]);
            foreach (var n in next[i])
            {
                if (--waiting[n] == 0)
                    ready.Add(n);
            }
        }
        if (ordered.Count < merged.Count)
            return (Fail(Order, subject, "replay", $"the deps of {merged.Count - ordered.Count} records form no order"), []);
        return (Ok(Order, $"{subject} (across lanes)"), ordered);
    }

    /// <summary>The custody context of a lot's records: the consortium's parties (authority) and the lot facts so far; no items.</summary>
    private sealed class LotContext(ConsortiumDirectory directory, LotFacts lots) : ICustodyContext
    {
        public LotFacts Lots { get; set; } = lots;

        public IReadOnlyCollection<string> CompanyPrefixes(Address party) => directory.CompanyPrefixes(party);

        public IReadOnlyCollection<string> DelegatedGtins(Address party) => directory.DelegatedGtins(party);

        public IReadOnlyCollection<string> Glns(Address party) => directory.Glns(party);

        public PartyRoles Roles(Address party) => directory.Roles(party);

        public bool IsShipCertified(Hash32 shipRecord) => false;

        public ItemState? Get(ItemId item) => null;
    }
}
