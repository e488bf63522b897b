namespace Ledger.Protocol.Records;

/// <summary>A record, batch, header or certificate that breaks a rule of the v1 format (docs/spec/records.md).</summary>
public sealed class RecordFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="field"/> and the broken <paramref name="rule"/>.</summary>
    public RecordFormatException(string field, string rule, string detail)
        : base($"{field}: {detail} ({rule})")
    {
        Field = field;
        Rule = rule;
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public RecordFormatException() : this("record", "format", "malformed") { }

    /// <summary>Creates the exception with a message.</summary>
    public RecordFormatException(string message) : this("record", "format", message) { }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public RecordFormatException(string message, Exception innerException) : base(message, innerException)
    {
        Field = "record";
        Rule = "format";
    }

    /// <summary>The field, as a path such as <c>payload.serials[3]</c>.</summary>
    public string Field { get; }

    /// <summary>A stable rule id: check-digit, cset82, length, digits, date, sorted-set, count, version, kind, value, utf8, shape.</summary>
    public string Rule { get; }
}
