namespace Ledger.Protocol;

/// <summary>
/// The outcome of a verification: valid, or the first failure with a stable code and a reason a person can act on.
/// Verification outcomes are results, never exceptions.
/// </summary>
public sealed record VerificationResult
{
    private VerificationResult(bool isValid, string code, string reason)
    {
        IsValid = isValid;
        Code = code;
        Reason = reason;
    }

    /// <summary>The shared success value.</summary>
    public static readonly VerificationResult Valid = new(true, "ok", "valid");

    /// <summary>A failure with a stable <paramref name="code"/> (e.g. <c>signature</c>, <c>batch-root</c>) and a reason.</summary>
    public static VerificationResult Fail(string code, string reason) => new(false, code, reason);

    /// <summary>True when every check held.</summary>
    public bool IsValid { get; }

    /// <summary>A stable machine-readable code; <c>ok</c> when valid.</summary>
    public string Code { get; }

    /// <summary>What failed and why, or "valid".</summary>
    public string Reason { get; }

    /// <inheritdoc/>
    public override string ToString() => IsValid ? "valid" : $"{Code}: {Reason}";
}
