namespace Ledger.Protocol.Epcis;

/// <summary>
/// An EPCIS document breaks a rule of the standard. <see cref="Field"/> is a JSON-pointer-like path
/// (e.g. <c>epcisBody.eventList[2].action</c>; XML documents use the same path names) and <see cref="Rule"/>
/// a stable rule id: <c>syntax</c>, <c>required</c>, <c>type</c>, <c>enum</c>, <c>pattern</c>, <c>format</c>,
/// <c>unknown-field</c>, <c>order</c>, <c>namespace</c>, <c>unsupported</c>.
/// </summary>
public sealed class EpcisFormatException : FormatException
{
    /// <summary>Creates the exception; the message names the field and the rule.</summary>
    public EpcisFormatException(string field, string rule, string detail, Exception? inner = null)
        : base($"{field}: {detail} (rule: {rule})", inner)
    {
        Field = field;
        Rule = rule;
        Detail = detail;
    }

    /// <summary>The offending field path.</summary>
    public string Field { get; }

    /// <summary>The stable rule id.</summary>
    public string Rule { get; }

    /// <summary>The human explanation without field and rule.</summary>
    public string Detail { get; }
}

/// <summary>
/// A writer was asked to express something the target binding cannot carry
/// (e.g. an AssociationEvent or sensor data in EPCIS 1.2 XML).
/// </summary>
public sealed class EpcisUnsupportedFeatureException : NotSupportedException
{
    /// <summary>Creates the exception.</summary>
    public EpcisUnsupportedFeatureException(string field, string feature, string binding)
        : base($"{field}: {feature} cannot be written as {binding} (rule: unsupported)")
    {
        Field = field;
        Feature = feature;
    }

    /// <summary>Path of the event member that cannot be written.</summary>
    public string Field { get; }

    /// <summary>The EPCIS feature (e.g. "AssociationEvent", "sensorElementList").</summary>
    public string Feature { get; }
}
