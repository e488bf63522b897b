using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Ledger.Sdk.Provenance;

namespace Ledger.Sdk.Verification;

/// <summary>One check of a verification (docs/spec/verifier.md).</summary>
/// <param name="Name">The check's stable name, e.g. <c>seal</c>, <c>inclusion</c>, <c>certificate</c>.</param>
/// <param name="Subject">What was checked, e.g. <c>records[3]</c> or the header.</param>
/// <param name="Passed">True when the check held.</param>
/// <param name="Reason">"ok", or the failure: a stable code, a colon, and what was seen.</param>
public sealed record VerificationCheck(string Name, string Subject, bool Passed, string Reason)
{
    /// <summary>The stable failure code (the text before the first colon of <see cref="Reason"/>), or "ok".</summary>
    public string Code => Passed ? "ok" : Reason.Split(':', 2)[0];

    /// <inheritdoc/>
    public override string ToString() => $"{(Passed ? "ok  " : "FAIL")} {Name} {Subject}{(Passed ? "" : ": " + Reason)}";
}

/// <summary>
/// What a passed verification proved (docs/spec/verifier.md §4): every member is derived from proven records, never
/// copied from the answer's readable text.
/// </summary>
/// <param name="Item">The item.</param>
/// <param name="Known">True when the ledger knows the item at the header (false: its absence is proven).</param>
/// <param name="Status">The status the proven records give at <paramref name="At"/> (null when unknown).</param>
/// <param name="At">The verification time the status holds at.</param>
/// <param name="AtSource"><c>caller</c> (<see cref="ProvenanceVerifierOptions.At"/>) or <c>answer</c> (the answer's <c>state.statusAt</c>, checked).</param>
/// <param name="Custodian">The custodian the records give.</param>
/// <param name="Location">The location the records give.</param>
/// <param name="LastRecord">The item's latest record (proven by the state proof).</param>
/// <param name="Header">The certified header every proof is against.</param>
/// <param name="Anchor">The anchor linked to the header, when the answer carries one.</param>
public sealed record ProvenSummary(ItemId Item, bool Known, ItemStatus? Status, DateTimeOffset? At, string? AtSource, Address? Custodian,
    string? Location, Hash32? LastRecord, SignedHeader? Header, ProvenanceAnchor? Anchor)
{
    /// <summary>True when the anchor's root was also compared with the chain (an anchor source was given).</summary>
    public bool AnchorChecked { get; init; }

    /// <summary>
    /// For an answer across lanes (<c>v3</c>): every lane's header the answer was proven against, in the consortium's
    /// order (a lane the node held no header of is absent: nothing of it is proven); empty for a <c>v2</c> answer.
    /// <see cref="Header"/> is then the header of the lane that holds the item's latest record.
    /// </summary>
    public IReadOnlyList<SignedHeader> Lanes { get; init; } = [];
}

/// <summary>Every check of a verification, in order.</summary>
public sealed record VerificationReport(IReadOnlyList<VerificationCheck> Checks)
{
    /// <summary>What the verification proved; null unless every check passed.</summary>
    public ProvenSummary? Summary { get; init; }

    /// <summary>True only when there is at least one check and every check passed.</summary>
    public bool Passed => Checks.Count > 0 && Checks.All(c => c.Passed);

    /// <summary>The first failed check, or null.</summary>
    public VerificationCheck? FirstFailure => Checks.FirstOrDefault(c => !c.Passed);

    /// <summary>"&lt;name&gt; &lt;subject&gt;: &lt;reason&gt;" of the first failure, or null when passed.</summary>
    public string? FailureReason => FirstFailure is { } f ? $"{f.Name} {f.Subject}: {f.Reason}" : null;
}

/// <summary>Where the verifier reads anchored lane-log roots (an anchor contract on a chain; in memory in tests).</summary>
public interface IAnchorSource
{
    /// <summary>The root anchored for <paramref name="lane"/> at log size <paramref name="size"/>, or null when none is.</summary>
    Task<Hash32?> RootAtAsync(Address lane, ulong size, CancellationToken cancellationToken);
}

/// <summary>An <see cref="IAnchorSource"/> over a dictionary (tests, or roots obtained elsewhere).</summary>
public sealed class InMemoryAnchorSource : IAnchorSource
{
    private readonly Dictionary<(Address, ulong), Hash32> _roots = [];

    /// <summary>Records a root.</summary>
    public InMemoryAnchorSource Add(Address lane, ulong size, Hash32 root)
    {
        _roots[(lane, size)] = root;
        return this;
    }

    /// <inheritdoc/>
    public Task<Hash32?> RootAtAsync(Address lane, ulong size, CancellationToken cancellationToken) =>
        Task.FromResult(_roots.TryGetValue((lane, size), out var r) ? r : (Hash32?)null);
}

/// <summary>Options of <see cref="ProvenanceVerifier"/>.</summary>
public sealed record ProvenanceVerifierOptions
{
    /// <summary>When set (async verification only), the anchor's root is compared with the root the chain holds.</summary>
    public IAnchorSource? AnchorSource { get; init; }

    /// <summary>
    /// The verification time the proven status is given at (expiry). Null: the answer's own <c>state.statusAt</c>, whose
    /// stated status is checked either way; the report's <see cref="ProvenSummary.AtSource"/> names which. No clock is read.
    /// </summary>
    public DateTimeOffset? At { get; init; }
}
