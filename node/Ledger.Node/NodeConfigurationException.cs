namespace Ledger.Node;

/// <summary>
/// The node cannot start as configured: names the <see cref="Field"/> that is wrong (a setting such as
/// <c>Urls</c>, or a file such as <c>node.key</c>) and the <see cref="Rule"/> broken, a short stable id.
/// </summary>
public sealed class NodeConfigurationException : Exception
{
    /// <summary>Creates the exception; the message is <c>field: detail [rule]</c>.</summary>
    public NodeConfigurationException(string field, string rule, string detail, Exception? innerException = null)
        : base($"{field}: {detail} [{rule}]", innerException)
    {
        Field = field;
        Rule = rule;
        Detail = detail;
    }

    /// <summary>Not for general use; always carries a field and a rule.</summary>
    public NodeConfigurationException() : this("node", "configuration", "invalid node configuration") { }

    /// <summary>Not for general use; always carries a field and a rule.</summary>
    public NodeConfigurationException(string message) : this("node", "configuration", message) { }

    /// <summary>Not for general use; always carries a field and a rule.</summary>
    public NodeConfigurationException(string message, Exception innerException) : this("node", "configuration", message, innerException) { }

    /// <summary>The setting or file that is wrong.</summary>
    public string Field { get; }

    /// <summary>The rule broken, a short stable id (e.g. <c>url</c>, <c>mode</c>, <c>format</c>, <c>mismatch</c>).</summary>
    public string Rule { get; }

    /// <summary>The human-readable detail without the field prefix.</summary>
    public string Detail { get; }
}
