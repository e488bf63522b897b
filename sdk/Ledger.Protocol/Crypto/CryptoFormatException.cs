namespace Ledger.Protocol.Crypto;

/// <summary>Malformed key, signature or address input: carries the field and the rule it broke.</summary>
public sealed class CryptoFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="field"/> and the broken <paramref name="rule"/>.</summary>
    public CryptoFormatException(string field, string rule)
        : base($"{field}: {rule}")
    {
        Field = field;
        Rule = rule;
    }

    /// <summary>Creates the exception with no field context.</summary>
    public CryptoFormatException() : this("input", "malformed") { }

    /// <summary>Creates the exception with a message.</summary>
    public CryptoFormatException(string message) : this("input", message) { }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public CryptoFormatException(string message, Exception innerException) : base(message, innerException)
    {
        Field = "input";
        Rule = message;
    }

    /// <summary>The input that is wrong (e.g. "address", "privateKey", "signature").</summary>
    public string Field { get; }

    /// <summary>The rule that was broken.</summary>
    public string Rule { get; }
}
