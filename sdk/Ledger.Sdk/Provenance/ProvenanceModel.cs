using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;

namespace Ledger.Sdk.Provenance;

/// <summary>The Ship an in-transit item travels under (readable summary).</summary>
/// <param name="Party">The party that may receive it.</param>
/// <param name="Location">The GLN it is sent to.</param>
/// <param name="Ship">The Ship record id.</param>
public sealed record ProvenanceTransit(Address Party, string Location, Hash32 Ship);

/// <summary>An item's state as the node states it (readable summary; the verifier replays the records to check it).</summary>
/// <param name="Item">The item.</param>
/// <param name="Status">Its effective status at the time of the answer (lot recalls, withdrawals and expiry applied).</param>
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
    ProvenanceTransit? InTransitTo);

/// <summary>One record of the item's history with its proofs, decoded from their canonical encodings.</summary>
/// <param name="Record">The record (from <c>record.encoded</c>).</param>
/// <param name="Height">The block that holds it.</param>
/// <param name="LogIndex">Its index in the lane log.</param>
/// <param name="Seal">Its batch header, the author's batch signature and its path in the batch (from <c>seal</c>).</param>
/// <param name="InclusionProof">Its inclusion proof in the lane log at the answer's header (from <c>inclusionProof</c>).</param>
public sealed record ProvenanceRecord(LedgerRecord Record, long Height, long LogIndex, RecordSeal Seal, InclusionProof InclusionProof);

/// <summary>The signed header every proof of the answer is against, with its certificate.</summary>
/// <param name="SignedHeader">The header and the lane node's signature (from <c>header.encoded</c>).</param>
/// <param name="Certificate">The cosignatures (from <c>header.certificate.encoded</c>), or null when the answer has none.</param>
public sealed record ProvenanceHeader(SignedHeader SignedHeader, Certificate? Certificate);

/// <summary>An alert about the item (readable; alerts are not signed objects and are not verified).</summary>
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
/// consistency proof links (size, root) to the answer's header (logSize, logRoot).
/// </summary>
/// <param name="ChainId">The chain id.</param>
/// <param name="Contract">The anchor contract.</param>
/// <param name="Lane">The lane anchored.</param>
/// <param name="Size">The anchored log size.</param>
/// <param name="Root">The anchored log root.</param>
/// <param name="TxHash">The anchoring transaction (null when the node did not record it).</param>
/// <param name="BlockNumber">The chain block that holds it.</param>
/// <param name="BlockHash">That block's hash (null when the node did not record it).</param>
/// <param name="ConsistencyProof">From (Size, Root) to the header's (logSize, logRoot).</param>
public sealed record ProvenanceAnchor(ulong ChainId, Address Contract, Address Lane, long Size, Hash32 Root, Hash32? TxHash,
    ulong BlockNumber, Hash32? BlockHash, ConsistencyProof ConsistencyProof);
