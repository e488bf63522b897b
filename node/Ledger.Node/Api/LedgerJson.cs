using Ledger.Engine.Anchoring;
using Ledger.Engine.Lane;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;

namespace Ledger.Node.Api;

/// <summary>
/// JSON shapes of the /v1 API. Every signed or proven object travels as the hex of its canonical encoding (what a
/// verifier checks) next to a readable summary (what a person reads); docs/spec/api.md.
/// </summary>
public static class LedgerJson
{
    /// <summary>A signed header with its certificate.</summary>
    public static object Header(SignedHeader header, Certificate? certificate) => new
    {
        lane = header.Header.Lane.ToString(),
        height = header.Header.Height,
        hash = header.Hash().ToString(),
        parent = header.Header.Parent.ToString(),
        time = DateTimeOffset.FromUnixTimeMilliseconds(header.Header.TimeMs).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        recordsRoot = header.Header.RecordsRoot.ToString(),
        recordCount = header.Header.RecordCount,
        logSize = header.Header.LogSize,
        logRoot = header.Header.LogRoot.ToString(),
        stateRoot = header.Header.StateRoot.ToString(),
        encoded = Hex.Encode0x(header.Encode()),
        certificate = certificate is null ? null : new
        {
            cosigners = certificate.Cosignatures.Select(c => c.Node.ToString()).ToList(),
            encoded = Hex.Encode0x(certificate.Encode()),
        },
    };

    /// <summary>A record: readable fields and its canonical encoding.</summary>
    public static object Record(LedgerRecord r) => new
    {
        id = r.Id.ToString(),
        kind = r.Kind.ToString(),
        author = r.Author.ToString(),
        time = DateTimeOffset.FromUnixTimeMilliseconds(r.TimeMs).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        items = r.Payload.Items.Select(i => i.ToString()).ToList(),
        deps = r.Deps.Select(d => d.ToString()).ToList(),
        encoded = Hex.Encode0x(r.Encode()),
    };

    /// <summary>An item state.</summary>
    public static object? State(ItemState? s, ItemStatus? status) => s is null ? null : new
    {
        item = s.Item.ToString(),
        status = (status ?? s.Status).ToString(),
        storedStatus = s.Status.ToString(),
        custodian = s.Custodian.ToString(),
        location = s.Location,
        gtin = s.Gtin,
        lot = s.Lot,
        expiry = s.Expiry,
        parent = s.Parent?.ToString(),
        children = s.Children.Select(c => c.ToString()).ToList(),
        latestRecord = s.LatestRecord.ToString(),
        inTransitTo = s.PendingShip is { } p ? new { party = p.ToParty.ToString(), location = p.ToLocation, ship = p.Ship.ToString() } : null,
    };

    /// <summary>An alert.</summary>
    public static object Alert(LedgerAlert a) => new
    {
        sequence = a.Sequence,
        kind = a.Kind.ToString(),
        item = a.Item?.ToString(),
        record = a.Record.ToString(),
        recordAccepted = a.Accepted,
        author = a.Author.ToString(),
        time = DateTimeOffset.FromUnixTimeMilliseconds(a.TimeMs).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        evidence = a.Evidence,
        rejectedRecord = a.RejectedRecord is null ? null : Hex.Encode0x(a.RejectedRecord),
    };

    /// <summary>The format name of a provenance answer (docs/spec/api.md §6).</summary>
    public const string ProvenanceFormat = "ledger-provenance/v2";

    /// <summary>
    /// A provenance answer with every proof (<c>ledger-provenance/v2</c>): every member is derived from an encoding, proven,
    /// or under a member named <c>unverified</c> (docs/spec/verifier.md §1).
    /// </summary>
    public static object Provenance(ProvenanceAnswer a, AnchorWithProof? anchor = null) => new
    {
        format = ProvenanceFormat,
        item = a.Item.ToString(),
        itemKey = a.Item.StateKey().ToString(),
        known = a.State is not null,
        state = ProvenanceState(a),
        header = a.Header is null ? null : Header(a.Header, a.Certificate),
        stateProof = a.StateProof is null ? null : Hex.Encode0x(a.StateProof.Encode()),
        records = a.Records.Select(Entry).ToList(),
        lot = a.Lot is { } lot ? LotHistory(lot) : null,
        product = a.Product is { } product ? LotHistory(product) : null,
        anchor = Anchor(anchor),
        unverified = new
        {
            children = a.Children.Select(c => State(c, null)).ToList(),
            alerts = a.Alerts.Select(Alert).ToList(),
        },
    };

    /// <summary>The format name of a provenance answer across lanes (docs/spec/verifier.md §7).</summary>
    public const string ProvenanceAcrossLanesFormat = "ledger-provenance/v3";

    /// <summary>
    /// A provenance answer across lanes (<c>ledger-provenance/v3</c>): one section per consortium lane, each the members of
    /// a <c>v2</c> answer for that lane at its own header; <paramref name="ownAnchor"/> is the own lane's anchor (the only
    /// lane this node anchors).
    /// </summary>
    public static object Provenance(CrossLaneProvenance a, Ledger.Protocol.Crypto.Address ownLane, AnchorWithProof? ownAnchor = null) => new
    {
        format = ProvenanceAcrossLanesFormat,
        item = a.Item.ToString(),
        itemKey = a.Item.StateKey().ToString(),
        known = a.State is not null,
        state = ProvenanceState(a.State, a.Status, a.StatusAt),
        lanes = a.Lanes.Select(l => new
        {
            lane = l.Lane.ToString(),
            header = l.Header is null ? null : Header(l.Header, l.Certificate),
            stateProof = l.StateProof is null ? null : Hex.Encode0x(l.StateProof.Encode()),
            records = l.Records.Select(Entry).ToList(),
            lot = l.Lot is { } lot ? LotHistory(lot) : null,
            product = l.Product is { } product ? LotHistory(product) : null,
            anchor = l.Lane == ownLane ? Anchor(ownAnchor) : null,
        }).ToList(),
        unverified = new
        {
            children = a.Children.Select(c => State(c, null)).ToList(),
            alerts = a.Alerts.Select(Alert).ToList(),
        },
    };

    private static object? Anchor(AnchorWithProof? anchor) => anchor is null ? null : new
    {
        lane = anchor.Anchor.Lane.ToString(),
        size = anchor.Anchor.Size,
        root = anchor.Anchor.Root.ToString(),
        consistencyProof = Hex.Encode0x(anchor.Proof.Encode()),
        unverified = new
        {
            chainId = anchor.Anchor.ChainId,
            contract = anchor.Anchor.Contract.ToString(),
            txHash = anchor.Anchor.TransactionHash?.ToString(),
            blockNumber = anchor.Anchor.BlockNumber,
            blockHash = anchor.Anchor.BlockHash?.ToString(),
        },
    };

    private static object? ProvenanceState(ProvenanceAnswer a) => ProvenanceState(a.State, a.Status, a.StatusAt);

    private static object? ProvenanceState(ItemState? state, ItemStatus? status, DateTimeOffset statusAt) => state is not { } s ? null : new
    {
        item = s.Item.ToString(),
        status = (status ?? s.Status).ToString(),
        statusAt = statusAt.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        storedStatus = s.Status.ToString(),
        custodian = s.Custodian.ToString(),
        location = s.Location,
        gtin = s.Gtin,
        lot = s.Lot,
        expiry = s.Expiry,
        parent = s.Parent?.ToString(),
        children = s.Children.Select(c => c.ToString()).ToList(),
        latestRecord = s.LatestRecord.ToString(),
        inTransitTo = s.PendingShip is { } p ? new { party = p.ToParty.ToString(), location = p.ToLocation, ship = p.Ship.ToString() } : null,
    };

    private static object Entry(ProvenanceEntry e) => new
    {
        record = Record(e.Record),
        logIndex = e.LogIndex,
        seal = Hex.Encode0x(Ledger.Protocol.Rlp.Rlp.Encode(e.Seal.ToRlp())),
        inclusionProof = Hex.Encode0x(e.Proof.Encode()),
        unverified = new { height = e.Height },
    };

    private static object LotHistory(LotHistory h) => new
    {
        gtin = h.Gtin,
        lot = h.Lot,
        key = h.Key.ToString(),
        stateProof = Hex.Encode0x(h.Proof.Encode()),
        records = h.Records.Select(Entry).ToList(),
    };

    /// <summary>An anchor as stored by the node (GET /v1/anchors).</summary>
    public static object Anchor(AnchorRecord r) => new
    {
        sequence = r.Sequence,
        lane = r.Lane.ToString(),
        size = r.Size,
        root = r.Root.ToString(),
        headerHeight = r.HeaderHeight,
        headerHash = r.HeaderHash.ToString(),
        chainId = r.ChainId,
        contract = r.Contract.ToString(),
        txHash = r.TransactionHash?.ToString(),
        txNonce = r.TransactionNonce,
        status = AnchorStore.StatusName(r.Status),
        blockNumber = r.BlockNumber,
        blockHash = r.BlockHash?.ToString(),
        confirmations = r.Confirmations,
    };

    /// <summary>The outcome of a submission.</summary>
    public static object Outcome(RecordOutcome o) => new
    {
        outcome = o.Status.ToString().ToLowerInvariant(),
        recordIds = o.RecordIds.Select(i => i.ToString()).ToList(),
        block = o.Height,
        code = o.Code,
        message = o.Message,
        alerts = o.Alerts.Select(a => new { kind = a.Kind.ToString(), item = a.Item?.ToString(), evidence = a.Evidence }).ToList(),
        verification = o.Verification is { } v ? new { verified = v.Verified, failureReason = v.FailureCode, additionalInfo = v.AdditionalInfo.ToString() } : null,
    };
}
