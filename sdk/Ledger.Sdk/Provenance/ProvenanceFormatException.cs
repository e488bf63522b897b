namespace Ledger.Sdk.Provenance;

/// <summary>A provenance answer that is not well formed: names the JSON path of the member and the rule it breaks.</summary>
public sealed class ProvenanceFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="field"/> (a JSON path such as <c>records[2].seal</c>).</summary>
    public ProvenanceFormatException(string field, string rule, string detail, Exception? innerException = null)
        : base($"{field}: {detail}", innerException)
    {
        Field = field;
        Rule = rule;
    }

    /// <summary>Creates a generic exception.</summary>
    public ProvenanceFormatException() : this("answer", "format", "malformed") { }

    /// <summary>Creates a generic exception with a message.</summary>
    public ProvenanceFormatException(string message) : this("answer", "format", message) { }

    /// <summary>Creates a generic exception with a message and a cause.</summary>
    public ProvenanceFormatException(string message, Exception innerException) : this("answer", "format", message, innerException) { }

    /// <summary>The JSON path of the member at fault.</summary>
    public string Field { get; }

    /// <summary>The rule broken: <c>required</c>, <c>type</c>, <c>hex</c>, <c>encoding</c>, <c>value</c>, <c>format</c>.</summary>
    public string Rule { get; }
}
