using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;

namespace Ledger.Sdk.Provenance;

/// <summary>The Ship an in-transit item travels under (stated; the custody check compares it with the replayed records).</summary>
/// <param name="Party">The party that may receive it.</param>
/// <param name="Location">The GLN it is sent to.</param>
/// <param name="Ship">The Ship record id.</param>
public sealed record ProvenanceTransit(Address Party, string Location, Hash32 Ship);

/// <summary>
/// An item's state as the node states it. In <see cref="ProvenanceDocument.State"/> every member is checked by the verifier
/// (custody replay, status derivation); in <see cref="ProvenanceUnverified.Children"/> nothing is.
/// </summary>
/// <param name="Item">The item.</param>
/// <param name="Status">Its effective status at <paramref name="StatusAt"/> (lot recalls, withdrawals and expiry applied).</param>
/// <param name="StoredStatus">The status its records set.</param>
/// <param name="Custodian">The party with custody (the shipper while in transit).</param>
/// <param name="Location">The GLN where it is.</param>
/// <param name="Gtin">GTIN-14 from its commission; null for an SSCC.</param>
/// <param name="Lot">Lot from its commission.</param>
/// <param name="Expiry">Expiry YYMMDD from its commission.</param>
/// <param name="Parent">The item it is packed in.</param>
/// <param name="Children">The items packed directly in it.</param>
/// <param name="LatestRecord">Id of the last record that touched it.</param>
/// <param name="InTransitTo">The Ship it travels under, when in transit.</param>
/// <param name="StatusAt">The time the node evaluated <paramref name="Status"/> at (null in the states of children).</param>
public sealed record ProvenanceState(
    ItemId Item,
    ItemStatus Status,
    ItemStatus StoredStatus,
    Address Custodian,
    string Location,
    string? Gtin,
    string? Lot,
    string? Expiry,
    ItemId? Parent,
    IReadOnlyList<ItemId> Children,
    Hash32 LatestRecord,
    ProvenanceTransit? InTransitTo,
    DateTimeOffset? StatusAt = null);

/// <summary>One record of the item's history with its proofs, decoded from their canonical encodings.</summary>
/// <param name="Record">The record (from <c>record.encoded</c>).</param>
/// <param name="LogIndex">Its index in the lane log (proven by the inclusion proof).</param>
/// <param name="Seal">Its batch header, the author's batch signature and its path in the batch (from <c>seal</c>).</param>
/// <param name="InclusionProof">Its inclusion proof in the lane log at the answer's header (from <c>inclusionProof</c>).</param>
/// <param name="Unverified">What the node says of it that no proof covers (the block height).</param>
public sealed record ProvenanceRecord(LedgerRecord Record, long LogIndex, RecordSeal Seal, InclusionProof InclusionProof, ProvenanceRecordUnverified Unverified);

/// <summary>Members of a record entry that no proof of the answer covers (<c>records[i].unverified</c>).</summary>
/// <param name="Height">The block the node says holds the record: the inclusion proof proves its log index, not its block.</param>
public sealed record ProvenanceRecordUnverified(long Height);

/// <summary>
/// A lot's or a product's history (lot-level recalls and withdrawals) with the state proof of its chain head
/// (docs/spec/lane.md §3): <c>lot</c> and <c>product</c> of the answer.
/// </summary>
/// <param name="Gtin">The GTIN-14.</param>
/// <param name="Lot">The lot; null for a product's history.</param>
/// <param name="StateProof">Sparse Merkle proof of the key's chain head (or its absence) at the header's state root.</param>
/// <param name="Records">The key's records in lane order.</param>
public sealed record ProvenanceLotHistory(string Gtin, string? Lot, SparseMerkleProof StateProof, IReadOnlyList<ProvenanceRecord> Records)
{
    /// <summary>The state-map key (derived: <see cref="LotMap.LotKey"/> or <see cref="LotMap.ProductKey"/>).</summary>
    public Hash32 Key => Lot is null ? LotMap.ProductKey(Gtin) : LotMap.LotKey(Gtin, Lot);
}

/// <summary>
/// What the node says about the item that the answer does not prove (<c>unverified</c>): the states of the items inside
/// it, and alerts (alerts are not signed objects). Never use these as verified facts.
/// </summary>
/// <param name="Children">The states of the items directly inside it, as the node states them.</param>
/// <param name="Alerts">Alerts about the item, as the node states them.</param>
public sealed record ProvenanceUnverified(IReadOnlyList<ProvenanceState> Children, IReadOnlyList<ProvenanceAlert> Alerts)
{
    /// <summary>Nothing.</summary>
    public static readonly ProvenanceUnverified Empty = new([], []);
}

/// <summary>The signed header every proof of the answer is against, with its certificate.</summary>
/// <param name="SignedHeader">The header and the lane node's signature (from <c>header.encoded</c>).</param>
/// <param name="Certificate">The cosignatures (from <c>header.certificate.encoded</c>), or null when the answer has none.</param>
public sealed record ProvenanceHeader(SignedHeader SignedHeader, Certificate? Certificate);

/// <summary>An alert about the item (unverified: alerts are not signed objects).</summary>
/// <param name="Sequence">The node's alert sequence number.</param>
/// <param name="Kind">The alert kind name (e.g. <c>ScanByNonCustodian</c>).</param>
/// <param name="Item">The item concerned.</param>
/// <param name="Record">The record that raised it.</param>
/// <param name="RecordAccepted">True when that record was written.</param>
/// <param name="Author">The record's author.</param>
/// <param name="Time">The record's time.</param>
/// <param name="Evidence">What was seen, in words.</param>
/// <param name="RejectedRecord">Hex of the refused record's encoding, when the record was refused.</param>
public sealed record ProvenanceAlert(long Sequence, string Kind, ItemId? Item, Hash32 Record, bool RecordAccepted, Address Author,
    DateTimeOffset Time, string Evidence, string? RejectedRecord);

/// <summary>
/// Where the lane log was anchored on an Ethereum chain: the anchor contract holds (lane, size) → root, and the
/// consistency proof links (size, root) to the answer's header (logSize, logRoot). Lane, size and root are proven against
/// the header (and, with an anchor source, against the chain); where the node says it anchored them is not.
/// </summary>
/// <param name="Lane">The lane anchored.</param>
/// <param name="Size">The anchored log size.</param>
/// <param name="Root">The anchored log root.</param>
/// <param name="ConsistencyProof">From (Size, Root) to the header's (logSize, logRoot).</param>
/// <param name="Unverified">The chain, contract, transaction and block the node names (<c>anchor.unverified</c>).</param>
public sealed record ProvenanceAnchor(Address Lane, long Size, Hash32 Root, ConsistencyProof ConsistencyProof, ProvenanceAnchorUnverified Unverified);

/// <summary>Where the node says the anchor is (<c>anchor.unverified</c>): the verifier reads the chain the caller names, not these.</summary>
/// <param name="ChainId">The chain id.</param>
/// <param name="Contract">The anchor contract.</param>
/// <param name="TxHash">The anchoring transaction (null when the node did not record it).</param>
/// <param name="BlockNumber">The chain block that holds it.</param>
/// <param name="BlockHash">That block's hash (null when the node did not record it).</param>
public sealed record ProvenanceAnchorUnverified(ulong ChainId, Address Contract, Hash32? TxHash, ulong BlockNumber, Hash32? BlockHash);

/// <summary>
/// One lane's section of an answer across lanes (<c>ledger-provenance/v3</c>, docs/spec/verifier.md §7): the members of a
/// <c>v2</c> answer for that lane, every proof against the section's own header.
/// </summary>
/// <param name="Lane">The lane (a consortium node's address).</param>
/// <param name="Header">The lane's header with its certificate; null when the node holds no header of the lane.</param>
/// <param name="StateProof">Item → the lane's last record that touched it (or absence) at the header's state root.</param>
/// <param name="Records">The lane's records of the item, in lane-log order.</param>
/// <param name="Lot">The lane's history of the item's lot.</param>
/// <param name="Product">The lane's history of the item's product.</param>
/// <param name="Anchor">The lane's chain anchor linked to the section's header, when the node has one.</param>
public sealed record ProvenanceLaneSection(Address Lane, ProvenanceHeader? Header, SparseMerkleProof? StateProof, IReadOnlyList<ProvenanceRecord> Records,
    ProvenanceLotHistory? Lot = null, ProvenanceLotHistory? Product = null, ProvenanceAnchor? Anchor = null);
