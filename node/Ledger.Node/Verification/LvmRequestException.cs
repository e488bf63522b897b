namespace Ledger.Node.Verification;

/// <summary>
/// A GS1 Lightweight Verification Messaging request is malformed (HTTP 400). <see cref="Field"/> names the query
/// parameter (<c>reqGLN</c>, <c>corrUUID</c>, <c>context</c>, <c>linkType</c>, <c>exp</c>) or the path part
/// (<c>path</c> for the URI structure, or the GS1 AI of a path segment: <c>01</c>, <c>10</c>, <c>21</c>, ...);
/// <see cref="Rule"/> is a short stable id (docs/spec/verification.md lists them).
/// </summary>
public sealed class LvmRequestException : FormatException
{
    /// <summary>Creates the exception; the message is <c>field: detail [rule]</c>.</summary>
    public LvmRequestException(string field, string rule, string detail, Exception? innerException = null)
        : base($"{field}: {detail} [{rule}]", innerException)
    {
        Field = field;
        Rule = rule;
        Detail = detail;
    }

    /// <summary>Not for general use; always carries a field and a rule.</summary>
    public LvmRequestException() : this("request", "syntax", "malformed verification request") { }

    /// <summary>Not for general use; always carries a field and a rule.</summary>
    public LvmRequestException(string message) : this("request", "syntax", message) { }

    /// <summary>Not for general use; always carries a field and a rule.</summary>
    public LvmRequestException(string message, Exception innerException) : this("request", "syntax", message, innerException) { }

    /// <summary>The query parameter or path part that is wrong.</summary>
    public string Field { get; }

    /// <summary>The rule broken, a short stable id (e.g. <c>required</c>, <c>check-digit</c>, <c>uuid</c>, <c>verificationService</c>).</summary>
    public string Rule { get; }

    /// <summary>The human-readable detail without the field prefix.</summary>
    public string Detail { get; }
}
