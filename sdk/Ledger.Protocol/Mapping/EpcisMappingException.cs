namespace Ledger.Protocol.Mapping;

/// <summary>An EPCIS event that cannot become a ledger record (or a record that cannot become an event), naming the field and the rule.</summary>
public sealed class EpcisMappingException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public EpcisMappingException(string field, string rule, string detail, Exception? inner = null)
        : base($"{field}: {detail} ({rule})", inner)
    {
        Field = field;
        Rule = rule;
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public EpcisMappingException() : this("event", "unmapped", "cannot be mapped") { }

    /// <summary>Creates the exception with a message.</summary>
    public EpcisMappingException(string message) : this("event", "unmapped", message) { }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public EpcisMappingException(string message, Exception innerException) : this("event", "unmapped", message, innerException) { }

    /// <summary>The field, e.g. <c>eventList[2].destinationList</c>.</summary>
    public string Field { get; }

    /// <summary>A stable rule id: unmapped, required, identifier, party-unknown, ship-unknown, value.</summary>
    public string Rule { get; }
}
