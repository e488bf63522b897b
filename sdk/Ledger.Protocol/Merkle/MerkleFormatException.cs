namespace Ledger.Protocol.Merkle;

/// <summary>
/// An encoded Merkle proof, frontier or node could not be decoded. Carries the field and the rule it broke.
/// </summary>
public sealed class MerkleFormatException : FormatException
{
    /// <summary>Creates the exception; the message is "&lt;field&gt;: &lt;rule&gt;".</summary>
    public MerkleFormatException(string field, string rule)
        : base($"{field}: {rule}")
    {
        Field = field;
        Rule = rule;
    }

    /// <summary>Creates the exception with a default message.</summary>
    public MerkleFormatException()
        : this("merkle", "malformed encoding")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MerkleFormatException(string message)
        : this("merkle", message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public MerkleFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "merkle";
        Rule = message;
    }

    /// <summary>The field that was malformed, e.g. "inclusion proof path count".</summary>
    public string Field { get; }

    /// <summary>The rule the field broke.</summary>
    public string Rule { get; }
}
