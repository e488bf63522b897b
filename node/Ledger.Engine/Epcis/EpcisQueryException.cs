namespace Ledger.Engine.Epcis;

/// <summary>
/// A query that cannot be run: names the <see cref="Parameter"/> at fault, the <see cref="Rule"/> it breaks
/// (a short stable id: <c>unknown</c>, <c>unsupported</c>, <c>empty</c>, <c>single-valued</c>, <c>enum</c>,
/// <c>timestamp</c>, <c>integer</c>, <c>range</c>, <c>uri</c>, <c>epc</c>, <c>epc-pattern</c>, <c>token-format</c>,
/// <c>token-query</c>, <c>token-integrity</c>; docs/spec/epcis-query.md has the list) and the EPCIS exception name
/// the REST binding reports (<see cref="ExceptionType"/>, e.g. <c>QueryParameterException</c>).
/// </summary>
public sealed class EpcisQueryException : FormatException
{
    /// <summary>The EPCIS exception for an invalid query parameter.</summary>
    public const string QueryParameterException = "QueryParameterException";

    /// <summary>Creates the exception; the message is prefixed with the parameter and ends with the rule.</summary>
    public EpcisQueryException(string parameter, string rule, string detail, string exceptionType = QueryParameterException)
        : base($"{parameter}: {detail} [{rule}]")
    {
        Parameter = parameter;
        Rule = rule;
        Detail = detail;
        ExceptionType = exceptionType;
    }

    /// <summary>The query parameter at fault, as the client wrote its name (e.g. <c>GE_eventTime</c>, <c>nextPageToken</c>).</summary>
    public string Parameter { get; }

    /// <summary>The rule broken, a short stable id.</summary>
    public string Rule { get; }

    /// <summary>The human-readable detail without the parameter prefix.</summary>
    public string Detail { get; }

    /// <summary>The EPCIS exception name for the problem type (<c>epcisException:{ExceptionType}</c>).</summary>
    public string ExceptionType { get; }

    /// <summary>Not for general use; always carries a parameter and a rule.</summary>
    public EpcisQueryException() : this("query", "syntax", "invalid query") { }

    /// <summary>Not for general use; always carries a parameter and a rule.</summary>
    public EpcisQueryException(string message) : this("query", "syntax", message) { }

    /// <summary>Not for general use; always carries a parameter and a rule.</summary>
    public EpcisQueryException(string message, Exception innerException) : base(message, innerException)
    {
        Parameter = "query";
        Rule = "syntax";
        Detail = message;
        ExceptionType = QueryParameterException;
    }
}
