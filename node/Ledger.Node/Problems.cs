using Ledger.Protocol.Gs1;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Node;

/// <summary>
/// The stable RFC 9457 problem <c>type</c> URIs the node answers with. Clients may branch on them; they never change
/// meaning. Format errors carry the extension members <c>field</c> and <c>rule</c> of the library exception.
/// </summary>
public static class ProblemTypes
{
    /// <summary>The common prefix.</summary>
    public const string Base = "https://ledger.invalid/problems/";

    /// <summary>400: a GS1 identifier broke a rule (<c>field</c>, <c>rule</c> as in <see cref="Gs1FormatException"/>).</summary>
    public const string Gs1Format = Base + "gs1-format";

    /// <summary>400: an EPCIS document broke a rule (<c>field</c>, <c>rule</c> as in the EPCIS reader's errors).</summary>
    public const string EpcisFormat = Base + "epcis-format";

    /// <summary>400: the request itself is wrong (a missing parameter, a body that is not JSON); <c>field</c>, <c>rule</c>.</summary>
    public const string InvalidRequest = Base + "invalid-request";

    /// <summary>404: no such endpoint.</summary>
    public const string NotFound = Base + "not-found";

    /// <summary>405: the endpoint exists but not with this method.</summary>
    public const string MethodNotAllowed = Base + "method-not-allowed";

    /// <summary>413: the body is larger than the node accepts.</summary>
    public const string BodyTooLarge = Base + "body-too-large";

    /// <summary>415: the body's Content-Type is not one the endpoint reads.</summary>
    public const string UnsupportedMediaType = Base + "unsupported-media-type";

    /// <summary>503: the node is still starting.</summary>
    public const string NotReady = Base + "not-ready";

    /// <summary>500: a bug in the node; the detail is in the node's log, not in the response.</summary>
    public const string Internal = Base + "internal";

    /// <summary>Type of a request without valid credentials (401).</summary>
    public const string Unauthorized = Base + "unauthorized";

    /// <summary>Type of a request the authenticated party may not make (403).</summary>
    public const string Forbidden = Base + "forbidden";

    /// <summary>Type of a malformed record, batch or signature (400).</summary>
    public const string RecordFormat = Base + "record-format";

    /// <summary>Type of a submission the custody rules refused (422); <c>code</c> carries the rule's stable code.</summary>
    public const string CustodyRejected = Base + "custody-rejected";

    /// <summary>Type of a request refused by a rate limit (429 with Retry-After); <c>rule</c> names the limit.</summary>
    public const string RateLimited = Base + "rate-limited";

    /// <summary>Type of an overloaded node (429 / 503 with Retry-After).</summary>
    public const string Overloaded = Base + "overloaded";

    /// <summary>507: the lane refuses writes because free space is below <c>Lane:MinFreeMb</c>; <c>path</c>, <c>freeBytes</c>, Retry-After. It resumes by itself.</summary>
    public const string StorageFull = Base + "storage-full";

    /// <summary>507: a write to the store failed; <c>path</c>, <c>freeBytes</c>; Retry-After when the lane retries by itself.</summary>
    public const string StorageFailed = Base + "storage-failed";

    /// <summary>507 for a write, 503 for a read: the store is damaged; <c>path</c> (or <c>file</c>, <c>offset</c>, <c>height</c>) names what.</summary>
    public const string StorageDamaged = Base + "storage-damaged";

    /// <summary>The type for a status code that has no more specific type.</summary>
    public static string ForStatus(int status) => status switch
    {
        400 => InvalidRequest,
        404 => NotFound,
        405 => MethodNotAllowed,
        413 => BodyTooLarge,
        415 => UnsupportedMediaType,
        503 => NotReady,
        >= 500 => Internal,
        _ => Base + "http-" + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Gives every problem the node writes (including the framework's 404/405/500) a stable type.</summary>
    internal static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        problem.Status = status;
        if (problem.Type is null || !(problem.Type.StartsWith(Base, StringComparison.Ordinal) || problem.Type.StartsWith(Api.EpcisHttp.ExceptionPrefix, StringComparison.Ordinal)))
            problem.Type = ForStatus(status);
        // The EPCIS binding answers with the standard's exception types (the node's type stays in ledgerType).
        if (Api.EpcisHttp.IsEpcis(context.HttpContext))
            Api.EpcisHttp.Translate(problem, context.HttpContext);
        problem.Instance ??= context.HttpContext.Request.Path;
    }

    /// <summary>A problem with the <c>field</c> and <c>rule</c> extension members.</summary>
    internal static ProblemDetails Create(int status, string type, string title, string detail, string? field = null, string? rule = null)
    {
        var problem = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail };
        if (field is not null)
            problem.Extensions["field"] = field;
        if (rule is not null)
            problem.Extensions["rule"] = rule;
        return problem;
    }
}

/// <summary>
/// A refusal raised by the transport-free service layer (<see cref="Api.LedgerOperations"/>): the HTTP endpoints answer it
/// as RFC 9457 problem details, the gRPC service as a status with the same problem in its trailers.
/// </summary>
public sealed class ApiProblemException : Exception
{
    /// <summary>Creates the refusal.</summary>
    public ApiProblemException(int status, string type, string title, string detail, string? field = null, string? rule = null, TimeSpan? retryAfter = null)
        : base(detail)
    {
        Problem = ProblemTypes.Create(status, type, title, detail, field, rule);
        RetryAfter = retryAfter;
    }

    /// <summary>The problem as answered.</summary>
    public ProblemDetails Problem { get; }

    /// <summary>For 429/503: when to retry.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>Turns the library's format exceptions and Kestrel's request errors into problem details.</summary>
internal sealed class NodeExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => BodyTooLarge(httpContext),
            Ledger.Storage.RocksDb.RocksDbException e => Damaged(httpContext, e),
            BadHttpRequestException e => ProblemTypes.Create(e.StatusCode, ProblemTypes.ForStatus(e.StatusCode), "Bad request", e.Message, "request", "http"),
            _ => null,
        };
        if (problem is null && Describe(exception) is var (described, retryAfter))
        {
            problem = described;
            if (retryAfter is { } ra)
                httpContext.Response.Headers.RetryAfter = RetryAfterSeconds(ra);
        }
        if (problem is null)
            return false;
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// The problem an exception of the service layer or the libraries stands for, and for 429/503 when to retry; null for
    /// anything else (a bug: 500). One mapping for both transports (the gRPC service uses it too).
    /// </summary>
    internal static (ProblemDetails Problem, TimeSpan? RetryAfter)? Describe(Exception exception) => exception switch
    {
        ApiProblemException e => (e.Problem, e.RetryAfter),
        Api.BatchRefusedException e => (e.Problem.Problem, null),
        Gs1FormatException e => (ProblemTypes.Create(StatusCodes.Status400BadRequest, ProblemTypes.Gs1Format, "Invalid GS1 identifier", e.Message, e.Field, e.Rule), null),
        Ledger.Protocol.Epcis.EpcisFormatException e => (ProblemTypes.Create(StatusCodes.Status400BadRequest, ProblemTypes.EpcisFormat, "Invalid EPCIS document", e.Message, e.Field, e.Rule), null),
        Verification.LvmRequestException e => (ProblemTypes.Create(StatusCodes.Status400BadRequest, ProblemTypes.InvalidRequest, "Invalid verification request", e.Message, e.Field, e.Rule), null),
        Api.AuthenticationException e => (ProblemTypes.Create(StatusCodes.Status401Unauthorized, ProblemTypes.Unauthorized, "Unauthorized", e.Message, e.Field, e.Rule), null),
        Ledger.Engine.Lane.SubmissionRejectedException e => (ProblemTypes.Create(StatusCodes.Status400BadRequest, ProblemTypes.RecordFormat, "Invalid batch", e.Message, e.Field, e.Rule), null),
        Ledger.Protocol.Records.RecordFormatException e => (ProblemTypes.Create(StatusCodes.Status400BadRequest, ProblemTypes.RecordFormat, "Invalid record", e.Message, e.Field, e.Rule), null),
        Ledger.Protocol.Rlp.RlpException e => (ProblemTypes.Create(StatusCodes.Status400BadRequest, ProblemTypes.RecordFormat, "Invalid encoding", e.Message, e.Field, e.Rule), null),
        Ledger.Protocol.Mapping.EpcisMappingException e => (ProblemTypes.Create(StatusCodes.Status400BadRequest, ProblemTypes.EpcisFormat, "EPCIS event cannot be mapped", e.Message, e.Field, e.Rule), null),
        Ledger.Engine.Lane.LaneOverloadedException e => (OverloadedProblem(StatusCodes.Status503ServiceUnavailable, e.Message), e.RetryAfter),
        ObjectDisposedException e when e.ObjectName == nameof(Ledger.Engine.Lane.LedgerEngine) => (OverloadedProblem(StatusCodes.Status503ServiceUnavailable, "the node is shutting down; retry against it after it restarts"), TimeSpan.FromSeconds(5)),
        Ledger.Engine.Lane.LaneFailedException e => (OverloadedProblem(StatusCodes.Status503ServiceUnavailable, e.Message), TimeSpan.FromSeconds(30)),
        Ledger.Engine.Lane.LaneWritesRefusedException e => (WritesRefused(e), e.RetryAfter),
        Ledger.Engine.Lane.StoreDamagedException e => (Damaged(e), null),
        _ => null,
    };

    /// <summary>A Retry-After value in whole seconds, at least 1.</summary>
    internal static string RetryAfterSeconds(TimeSpan retryAfter) =>
        Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static ProblemDetails Overloaded(HttpContext httpContext, int status, TimeSpan retryAfter, string detail)
    {
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds(retryAfter);
        return OverloadedProblem(status, detail);
    }

    private static ProblemDetails OverloadedProblem(int status, string detail) =>
        ProblemTypes.Create(status, ProblemTypes.Overloaded, status == 429 ? "Too many requests" : "Service unavailable", detail, "request", "capacity");

    /// <summary>507: the lane refuses writes (docs/spec/api.md, "Storage"); reads go on being served. Its Retry-After comes with <see cref="Describe"/>.</summary>
    internal static ProblemDetails WritesRefused(Ledger.Engine.Lane.LaneWritesRefusedException e)
    {
        var state = e.State;
        var type = state.Code switch
        {
            "storage-full" => ProblemTypes.StorageFull,
            "storage-damaged" => ProblemTypes.StorageDamaged,
            _ => ProblemTypes.StorageFailed,
        };
        var problem = ProblemTypes.Create(StatusCodes.Status507InsufficientStorage, type, "The node refuses writes", e.Message, "request", state.Code);
        problem.Extensions["path"] = state.Path;
        problem.Extensions["freeBytes"] = state.FreeBytes;
        return problem;
    }

    /// <summary>503: a read met damaged data; the problem names it and the data is not served.</summary>
    internal static ProblemDetails Damaged(Ledger.Engine.Lane.StoreDamagedException e)
    {
        var problem = ProblemTypes.Create(StatusCodes.Status503ServiceUnavailable, ProblemTypes.StorageDamaged, "The store is damaged", e.Message, "request", "storage-damaged");
        problem.Extensions["path"] = e.File;
        problem.Extensions["offset"] = e.Offset;
        if (e.Height is { } height)
            problem.Extensions["height"] = height;
        return problem;
    }

    /// <summary>503: RocksDB refused a read (a table block that fails its checksum); named relative to the data folder.</summary>
    internal static ProblemDetails Damaged(HttpContext httpContext, Ledger.Storage.RocksDb.RocksDbException e)
    {
        var data = httpContext.RequestServices.GetService(typeof(NodeOptions)) is NodeOptions o ? o.DataDirectory : null;
        var ledger = string.IsNullOrEmpty(data) ? "ledger" : Path.Combine(data, LedgerService.LedgerDirectoryName);
        return Damaged(Ledger.Engine.Lane.StoreDamagedException.ForIndex(e, ledger));
    }

    internal static ProblemDetails BodyTooLarge(HttpContext httpContext)
    {
        var limit = httpContext.RequestServices.GetService(typeof(NodeOptions)) is NodeOptions o ? o.MaxRequestBodyBytes : NodeOptions.DefaultMaxRequestBodyBytes;
        return ProblemTypes.Create(StatusCodes.Status413PayloadTooLarge, ProblemTypes.BodyTooLarge, "Request body too large",
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the node accepts request bodies up to {limit} bytes"), "body", "max-size");
    }
}
