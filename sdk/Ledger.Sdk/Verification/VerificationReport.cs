using Ledger.Protocol;
using Ledger.Protocol.Crypto;

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

/// <summary>Every check of a verification, in order.</summary>
public sealed record VerificationReport(IReadOnlyList<VerificationCheck> Checks)
{
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
}
