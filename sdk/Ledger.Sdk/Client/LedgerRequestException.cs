using System.Net;
using System.Text.Json;

namespace Ledger.Sdk.Client;

/// <summary>
/// The node refused a request: an RFC 9457 problem (docs/spec/api.md §4). Branch on <see cref="Type"/>, <see cref="Rule"/>
/// and <see cref="Code"/>, never on <see cref="Detail"/>.
/// </summary>
public sealed class LedgerRequestException : Exception
{
    /// <summary>Creates the exception from the parts of a problem answer.</summary>
    public LedgerRequestException(HttpStatusCode status, string? type, string? title, string? detail, string? field, string? rule, string? code, string rawJson, Exception? inner = null)
        : base(FormatMessage(status, title, detail, field, rule), inner)
    {
        Status = status;
        Type = type;
        Title = title;
        Detail = detail;
        Field = field;
        Rule = rule;
        Code = code;
        RawJson = rawJson;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>
    /// The node's problem type URI, e.g. <c>https://ledger.invalid/problems/custody-rejected</c>. On the EPCIS binding the
    /// answer's <c>type</c> is the standard's exception (<see cref="EpcisExceptionType"/>) and the node's own type travels
    /// in <c>ledgerType</c>; this property is the node's type in both cases.
    /// </summary>
    public string? Type { get; }

    /// <summary>The EPCIS exception type (e.g. <c>epcisException:ValidationException</c>) when an EPCIS route refused.</summary>
    public string? EpcisExceptionType { get; private init; }

    /// <summary>The problem title.</summary>
    public string? Title { get; }

    /// <summary>The human-readable detail.</summary>
    public string? Detail { get; }

    /// <summary>The request part at fault (parameter, member or header), when known.</summary>
    public string? Field { get; }

    /// <summary>The stable id of the rule broken, when known.</summary>
    public string? Rule { get; }

    /// <summary>The custody code of a refused batch (e.g. <c>stale-dependency</c>), when given.</summary>
    public string? Code { get; }

    /// <summary>The problem document as received (empty when the body was not JSON).</summary>
    public string RawJson { get; }

    /// <summary>The problem name: the last segment of <see cref="Type"/> (e.g. <c>not-found</c>).</summary>
    public string? ProblemName => Type is null ? null : Type[(Type.LastIndexOf('/') + 1)..];

    internal static LedgerRequestException FromResponse(HttpStatusCode status, string body)
    {
        string? Get(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                var r = doc.RootElement;
                var type = Get(r, "type");
                var own = Get(r, "ledgerType");
                return new LedgerRequestException(status, own ?? type, Get(r, "title"), Get(r, "detail"), Get(r, "field"), Get(r, "rule"), Get(r, "code"), body)
                {
                    EpcisExceptionType = own is null ? null : type,
                };
            }
        }
        catch (JsonException)
        {
            // Not a problem document: report the status and the text.
        }
        return new LedgerRequestException(status, null, status.ToString(), body.Length > 500 ? body[..500] : body, null, null, null, "");
    }

    private static string FormatMessage(HttpStatusCode status, string? title, string? detail, string? field, string? rule)
    {
        var where = field is null ? "" : field + ": ";
        var why = rule is null ? "" : $" [{rule}]";
        return $"{(int)status} {title}: {where}{detail}{why}";
    }
}
