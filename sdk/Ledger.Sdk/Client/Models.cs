using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Merkle;

namespace Ledger.Sdk.Client;

/// <summary>A signed block header with its certificate, decoded from the node's canonical encodings.</summary>
/// <param name="Height">The block height.</param>
/// <param name="Header">The signed header (decoded from <c>encoded</c>).</param>
/// <param name="Certificate">The quorum certificate, or null while the block is not certified.</param>
public sealed record LedgerHeader(long Height, SignedHeader Header, Certificate? Certificate)
{
    /// <summary>The header hash.</summary>
    public Hash32 Hash => Header.Hash();
}

/// <summary>The outcome of one record (or EPCIS event) of a submission.</summary>
/// <param name="Outcome"><c>accepted</c>, <c>duplicate</c> or <c>rejected</c>.</param>
/// <param name="RecordIds">The record ids.</param>
/// <param name="Block">The block holding them, when written.</param>
/// <param name="Code">The custody code when rejected.</param>
/// <param name="Message">A readable reason.</param>
public sealed record RecordOutcome(string Outcome, IReadOnlyList<Hash32> RecordIds, long? Block, string? Code, string? Message);

/// <summary>The answer to <see cref="LedgerClient.SubmitBatchAsync"/>: accepted (possibly as duplicates) once durable.</summary>
/// <param name="Accepted">True (a refused batch throws <see cref="LedgerRequestException"/> with code and outcomes).</param>
/// <param name="Block">The block height.</param>
/// <param name="Outcomes">One outcome per record.</param>
public sealed record SubmitBatchResult(bool Accepted, long? Block, IReadOnlyList<RecordOutcome> Outcomes)
{
    /// <summary>
    /// The state of the block the records are in, the same over HTTP and gRPC: <see cref="AcceptedState"/> (durable on
    /// the node) or <see cref="CertifiedState"/> (its certificate holds the quorum's cosignatures; a one-node consortium
    /// answers so at once); null when the records are in no block. From accepted to certified:
    /// <see cref="LedgerClient.WaitForCertificationAsync"/>.
    /// </summary>
    public string? State { get; init; }

    /// <summary>True when <see cref="State"/> is <see cref="CertifiedState"/>.</summary>
    public bool IsCertified => State == CertifiedState;

    /// <summary>The <see cref="State"/> of a durable block not yet certified.</summary>
    public const string AcceptedState = "accepted";

    /// <summary>The <see cref="State"/> of a certified block.</summary>
    public const string CertifiedState = "certified";
}

/// <summary>One event of an EPCIS capture job.</summary>
/// <param name="EventId">The event's eventID, if any.</param>
/// <param name="EventHashId">Its CBV 2.0 event hash ID.</param>
/// <param name="Outcome"><c>accepted</c>, <c>duplicate</c> or <c>rejected</c>.</param>
/// <param name="RecordIds">The ledger records written for it.</param>
/// <param name="Block">Their block.</param>
/// <param name="Code">The refusal code.</param>
/// <param name="Message">The refusal message.</param>
public sealed record CaptureEventOutcome(string? EventId, string? EventHashId, string Outcome, IReadOnlyList<Hash32> RecordIds, long? Block, string? Code, string? Message);

/// <summary>An EPCIS capture job (docs/spec/api.md §5).</summary>
/// <param name="CaptureId">The job id.</param>
/// <param name="Running">True while running (jobs finish before the node answers today).</param>
/// <param name="Success">True when no event was refused.</param>
/// <param name="ErrorBehaviour"><c>rollback</c> or <c>proceed</c>.</param>
/// <param name="Events">Per-event outcomes in document order.</param>
/// <param name="Json">The job JSON as received.</param>
public sealed record CaptureJob(string CaptureId, bool Running, bool Success, string ErrorBehaviour, IReadOnlyList<CaptureEventOutcome> Events, string Json);

/// <summary>How a capture treats refused events.</summary>
public enum CaptureErrorBehaviour
{
    /// <summary>Any refused event refuses the whole document.</summary>
    Rollback,

    /// <summary>The other events are written.</summary>
    Proceed,
}

/// <summary>A record in a certified block: what <see cref="LedgerClient.WaitForCertificationAsync"/> returns.</summary>
/// <param name="RecordId">The record id.</param>
/// <param name="Height">The block height.</param>
/// <param name="Header">The block's signed header and certificate.</param>
public sealed record CertifiedRecord(Hash32 RecordId, long Height, LedgerHeader Header);

/// <summary>An inclusion proof of a record in the lane log at the head.</summary>
/// <param name="RecordId">The record.</param>
/// <param name="Height">Its block.</param>
/// <param name="LogIndex">Its leaf index.</param>
/// <param name="Proof">The proof for the tree size of <paramref name="Header"/>.</param>
/// <param name="Header">The head the proof is against.</param>
public sealed record InclusionProofAnswer(Hash32 RecordId, long Height, long LogIndex, InclusionProof Proof, LedgerHeader Header);

/// <summary>A consistency proof between two log sizes.</summary>
/// <param name="From">The old size.</param>
/// <param name="To">The new size.</param>
/// <param name="Proof">The proof.</param>
public sealed record ConsistencyProofAnswer(long From, long To, ConsistencyProof Proof);

/// <summary>A custody alert.</summary>
/// <param name="Sequence">Its sequence (page with it).</param>
/// <param name="Kind">The alert kind.</param>
/// <param name="Item">The item, when one.</param>
/// <param name="RecordId">The record that raised it.</param>
/// <param name="RecordAccepted">Whether that record was written.</param>
/// <param name="Author">The record's author.</param>
/// <param name="Time">The record's time.</param>
/// <param name="Evidence">Readable evidence.</param>
public sealed record LedgerAlertInfo(long Sequence, string Kind, string? Item, Hash32 RecordId, bool RecordAccepted, Address Author, DateTimeOffset Time, string Evidence);

/// <summary>A page of alerts.</summary>
/// <param name="Alerts">The alerts.</param>
/// <param name="Next">The <c>after</c> value for the next page.</param>
public sealed record AlertPage(IReadOnlyList<LedgerAlertInfo> Alerts, long Next);

/// <summary>A page of signed headers, newest first (GET /v1/headers/recent).</summary>
/// <param name="Headers">The headers, newest first.</param>
/// <param name="Next">The <c>before</c> of the following page; null when the page reaches height 1.</param>
public sealed record HeaderPage(IReadOnlyList<LedgerHeader> Headers, long? Next);

/// <summary>A GS1 Lightweight Verification Messaging answer.</summary>
/// <param name="VerificationTimestamp">When the node verified.</param>
/// <param name="ResponderGln">The responder's GLN.</param>
/// <param name="Verified">Whether the product identifier verified.</param>
/// <param name="FailureReason">The LVM failure reason when not verified.</param>
/// <param name="AdditionalInfo">The LVM additional information, if any.</param>
/// <param name="CorrUuid">The correlation UUID echoed.</param>
public sealed record ProductVerification(DateTimeOffset VerificationTimestamp, string? ResponderGln, bool Verified, string? FailureReason, string? AdditionalInfo, string? CorrUuid);

/// <summary>A page of an EPCIS query.</summary>
/// <param name="Json">The EPCIS query document as received.</param>
/// <param name="NextPageToken">The next page's token, or null on the last page.</param>
public sealed record EpcisQueryResult(string Json, string? NextPageToken);
