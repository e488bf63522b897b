namespace Ledger.Protocol.Rlp;

/// <summary>Malformed or non-canonical RLP, or an RLP structure that does not match the expected shape.</summary>
public sealed class RlpException : FormatException
{
    /// <summary>Creates the exception for <paramref name="field"/> and the broken <paramref name="rule"/>.</summary>
    public RlpException(string field, string rule)
        : base($"{field}: {rule}")
    {
        Field = field;
        Rule = rule;
    }

    /// <summary>Creates the exception with no field context.</summary>
    public RlpException() : this("rlp", "malformed") { }

    /// <summary>Creates the exception with a message.</summary>
    public RlpException(string message) : this("rlp", message) { }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public RlpException(string message, Exception innerException) : base(message, innerException)
    {
        Field = "rlp";
        Rule = message;
    }

    /// <summary>Where the problem is (a field name, or "rlp@offset" for byte-level errors).</summary>
    public string Field { get; }

    /// <summary>The rule that was broken.</summary>
    public string Rule { get; }
}
