namespace Ledger.Protocol.Consortium;

/// <summary>
/// A <c>consortium.json</c> (or a definition about to be written) that breaks a rule: <see cref="Field"/> is the JSON path
/// of the member at fault (e.g. <c>parties[1].glns[0]</c>), <see cref="Rule"/> a short stable rule id (docs/spec/consortium.md).
/// The message is <c>field: detail [rule]</c>.
/// </summary>
public sealed class ConsortiumFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConsortiumFormatException(string field, string rule, string detail, Exception? innerException = null)
        : base($"{field}: {detail} [{rule}]", innerException)
    {
        Field = field;
        Rule = rule;
        Detail = detail;
    }

    /// <summary>Not for general use; always carries a field and a rule.</summary>
    public ConsortiumFormatException() : this("$", "format", "invalid consortium definition") { }

    /// <summary>Not for general use; always carries a field and a rule.</summary>
    public ConsortiumFormatException(string message) : this("$", "format", message) { }

    /// <summary>Not for general use; always carries a field and a rule.</summary>
    public ConsortiumFormatException(string message, Exception innerException) : this("$", "format", message, innerException) { }

    /// <summary>The JSON path of the member at fault (<c>$</c> for the document, <c>file</c> for the file itself).</summary>
    public string Field { get; }

    /// <summary>The rule broken: a short stable id such as <c>check-digit</c>, <c>unique</c>, <c>unknown-member</c>.</summary>
    public string Rule { get; }

    /// <summary>What is wrong, without the field and rule.</summary>
    public string Detail { get; }
}
