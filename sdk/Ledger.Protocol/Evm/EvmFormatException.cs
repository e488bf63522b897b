namespace Ledger.Protocol.Evm;

/// <summary>Malformed or invalid Ethereum input (transaction, ABI type or ABI data): carries the field and the rule it broke.</summary>
public sealed class EvmFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="field"/> and the broken <paramref name="rule"/>.</summary>
    public EvmFormatException(string field, string rule)
        : base($"{field}: {rule}")
    {
        Field = field;
        Rule = rule;
    }

    /// <summary>Creates the exception for <paramref name="field"/> and <paramref name="rule"/>, caused by <paramref name="innerException"/>.</summary>
    public EvmFormatException(string field, string rule, Exception innerException)
        : base($"{field}: {rule}", innerException)
    {
        Field = field;
        Rule = rule;
    }

    /// <summary>Creates the exception with no field context.</summary>
    public EvmFormatException() : this("input", "malformed") { }

    /// <summary>Creates the exception with a message.</summary>
    public EvmFormatException(string message) : this("input", message) { }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public EvmFormatException(string message, Exception innerException) : this("input", message, innerException) { }

    /// <summary>Where the problem is (e.g. "tx.nonce", "abi.arg[2]").</summary>
    public string Field { get; }

    /// <summary>The rule that was broken.</summary>
    public string Rule { get; }
}
