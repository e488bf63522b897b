namespace Ledger.Protocol.Gs1;

/// <summary>
/// Malformed GS1 data: names the <see cref="Field"/> that is wrong (e.g. <c>AI (01)</c>, <c>gtin</c>,
/// <c>digital-link</c>) and the <see cref="Rule"/> broken, a short stable id such as <c>check-digit</c>,
/// <c>cset82</c>, <c>length</c>, <c>date</c>, <c>requires</c>, <c>excludes</c>, <c>duplicate</c>,
/// <c>unknown-ai</c> or <c>syntax</c> (the full list is in docs/spec/gs1-identifiers.md).
/// </summary>
public sealed class Gs1FormatException : FormatException
{
    /// <summary>Creates the exception; the message is prefixed with the field.</summary>
    public Gs1FormatException(string field, string rule, string detail, string? linterCode = null)
        : base($"{field}: {detail} [{rule}]")
    {
        Field = field;
        Rule = rule;
        Detail = detail;
        LinterCode = linterCode;
    }

    /// <summary>What was wrong: an AI as <c>AI (nn)</c>, or a part of the input such as <c>gtin</c> or <c>digital-link</c>.</summary>
    public string Field { get; }

    /// <summary>The rule broken, a short stable id.</summary>
    public string Rule { get; }

    /// <summary>The human-readable detail without the field prefix.</summary>
    public string Detail { get; }

    /// <summary>For linter failures, the GS1 Syntax Engine result name (e.g. <c>GS1_LINTER_INCORRECT_CHECK_DIGIT</c>).</summary>
    public string? LinterCode { get; }

    /// <summary>Not for general use; always carries a field and a rule.</summary>
    public Gs1FormatException() : this("gs1", "syntax", "malformed GS1 data") { }

    /// <summary>Not for general use; always carries a field and a rule.</summary>
    public Gs1FormatException(string message) : this("gs1", "syntax", message) { }

    /// <summary>Not for general use; always carries a field and a rule.</summary>
    public Gs1FormatException(string message, Exception innerException) : base(message, innerException)
    {
        Field = "gs1";
        Rule = "syntax";
        Detail = message;
    }
}
