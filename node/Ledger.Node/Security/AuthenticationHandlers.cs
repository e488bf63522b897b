using System.Text.Encodings.Web;
using Ledger.Node.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Ledger.Node.Security;

/// <summary>
/// What both schemes share: no <c>Authorization</c> header is no result (anonymous), a header that fails is a failure
/// carrying an <see cref="AuthenticationException"/> (field, rule), and a challenge is the node's 401 problem with
/// <c>WWW-Authenticate</c> naming both schemes.
/// </summary>
public abstract class LedgerAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The open ledger, or null while the node starts (then nobody authenticates).</summary>
    protected LedgerService? Ledger => Context.RequestServices.GetService<NodeState>()?.Ledger;

    /// <summary>The node's clock.</summary>
    protected TimeProvider Time => Context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;

    /// <summary>Authenticates the request: no result without credentials, a failure (<see cref="Authenticate"/>), or <see cref="Success"/>.</summary>
    protected abstract Task<AuthenticateResult> AuthenticateRequestAsync();

    /// <inheritdoc/>
    protected sealed override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var result = await AuthenticateRequestAsync();
        // The framework keeps only a success on the request; the policies and the rate limiter need the failure too.
        if (result.Failure is AuthenticationException failure)
            Context.Features.Set(new CredentialsFailure(failure));
        return result;
    }

    /// <summary>The result of resolving the caller with <paramref name="resolve"/>: success, or a failure naming the field and the rule.</summary>
    protected AuthenticateResult Authenticate(Func<Caller> resolve)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        try
        {
            var caller = resolve();
            return caller.IsAuthenticated ? Success(caller) : AuthenticateResult.NoResult();
        }
        catch (AuthenticationException e)
        {
            return AuthenticateResult.Fail(e);
        }
    }

    /// <summary>Success for <paramref name="caller"/>.</summary>
    protected AuthenticateResult Success(Caller caller) =>
        AuthenticateResult.Success(new AuthenticationTicket(LedgerAuthentication.Principal(caller, Scheme.Name), Scheme.Name));

    /// <inheritdoc/>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        await Unauthorized.WriteAsync(Context, result.Failure as AuthenticationException);
    }
}

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c>: a hosted party's API token (compared by hash in constant time,
/// <see cref="Parties.HostedParties.TryAuthenticate"/>). Also answers for a header of no known scheme (rule <c>scheme</c>).
/// The credentials are parsed by <see cref="CallerResolver.Resolve"/>, the one parser of both schemes.
/// </summary>
public sealed class BearerTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : LedgerAuthenticationHandler(options, logger, encoder)
{
    /// <inheritdoc/>
    protected override Task<AuthenticateResult> AuthenticateRequestAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrWhiteSpace(header) || Ledger is not { } ledger)
            return Task.FromResult(AuthenticateResult.NoResult());
        // A token signs nothing: the request's method, target and body play no part.
        return Task.FromResult(Authenticate(() => CallerResolver.Resolve(header, Request.Method, "", [], ledger, Time)));
    }
}

/// <summary>
/// <c>Authorization: Ledger-Signature address=0x…, time=&lt;unix ms&gt;, signature=0x…</c> (docs/spec/api.md §3): the
/// party's signature over the method, the request target as sent, the time and the SHA-256 of the signed body, within
/// <see cref="CallerResolver.MaxSkew"/> of the node's clock, checked by <see cref="CallerResolver.Resolve"/>. The signed
/// body is the request body; for a gRPC call (<c>Content-Type: application/grpc…</c>) it is the one the
/// <see cref="GrpcSignedBody"/> rule gives (docs/spec/grpc.md §2).
/// </summary>
public sealed class SignedRequestHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : LedgerAuthenticationHandler(options, logger, encoder)
{
    /// <inheritdoc/>
    protected override async Task<AuthenticateResult> AuthenticateRequestAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrWhiteSpace(header) || Ledger is not { } ledger)
            return AuthenticateResult.NoResult();
        byte[] body;
        try
        {
            body = GrpcSignedBody.IsGrpc(Request) ? await GrpcSignedBody.ReadAsync(Context) : await ReadBodyAsync();
        }
        catch (AuthenticationException e)
        {
            return AuthenticateResult.Fail(e);
        }
        // The path and query exactly as sent (still percent-encoded), so a client signs what it puts on the wire.
        var target = Context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? Request.PathBase + Request.Path + Request.QueryString;
        return Authenticate(() => CallerResolver.Resolve(header, Request.Method, target, body, ledger, Time));
    }

    private async Task<byte[]> ReadBodyAsync()
    {
        // Buffered so that the endpoint reads the same bytes again.
        Request.EnableBuffering();
        using var buffer = new MemoryStream();
        await Request.Body.CopyToAsync(buffer, Context.RequestAborted);
        Request.Body.Position = 0;
        return buffer.ToArray();
    }
}

/// <summary>
/// What a signed gRPC call signs as its body (docs/spec/grpc.md §2): for a unary or server-streaming method, the request
/// message's protobuf encoding (the one length-prefixed message of the call's body, uncompressed); for a client- or
/// bidirectional-streaming method, nothing (the empty body: its messages are read by the service as they come, and a
/// batch is signed by its author itself).
/// </summary>
public static class GrpcSignedBody
{
    /// <summary>True for a gRPC call (<c>Content-Type: application/grpc</c> or <c>application/grpc+…</c>).</summary>
    public static bool IsGrpc(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Reads the signed body of a gRPC call, leaving the request body for the gRPC service to read again.</summary>
    /// <exception cref="AuthenticationException">The body is not one uncompressed length-prefixed message.</exception>
    public static async Task<byte[]> ReadAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var method = context.GetEndpoint()?.Metadata.GetMetadata<global::Grpc.AspNetCore.Server.GrpcMethodMetadata>()?.Method;
        if (method is null || method.Type is global::Grpc.Core.MethodType.ClientStreaming or global::Grpc.Core.MethodType.DuplexStreaming)
            return [];
        var request = context.Request;
        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        request.Body.Position = 0;
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        // gRPC's length-prefixed message: a compressed flag byte, a 4-byte big-endian length, the message.
        if (bytes.Length < 5 || bytes.Length - 5 != System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[1..5]))
            throw new AuthenticationException("body", "grpc-message", "the body of a signed unary or server-streaming call must be exactly one length-prefixed message");
        if (bytes[0] != 0)
            throw new AuthenticationException("grpc-encoding", "compressed", "a signed call's request message must not be compressed: the signature covers its protobuf encoding");
        return bytes[5..].ToArray();
    }
}

/// <summary>The request feature recording that the request's credentials failed, and why.</summary>
public sealed class CredentialsFailure(AuthenticationException failure)
{
    /// <summary>The header part at fault and the rule it broke.</summary>
    public AuthenticationException Failure { get; } = failure;
}

/// <summary>The node's 401: <c>WWW-Authenticate</c> naming both schemes and a problem naming the field and the rule.</summary>
internal static class Unauthorized
{
    public static async Task WriteAsync(HttpContext context, AuthenticationException? failure)
    {
        if (context.Response.HasStarted)
            return;
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        // RFC 9110 §11.6.1: one challenge per scheme the node accepts; RFC 6750 §3.1 names a refused token.
        var bearer = failure?.Rule == "token"
            ? $"{LedgerAuthentication.BearerScheme} realm=\"ledger\", error=\"invalid_token\""
            : $"{LedgerAuthentication.BearerScheme} realm=\"ledger\"";
        context.Response.Headers.WWWAuthenticate = new StringValues([bearer, $"{LedgerAuthentication.SignatureScheme} realm=\"ledger\""]);
        var problem = failure is null
            ? ProblemTypes.Create(StatusCodes.Status401Unauthorized, ProblemTypes.Unauthorized, "Unauthorized",
                "authenticate with 'Authorization: Bearer <token>' or a signed request; unauthenticated callers may only verify a product identifier", "Authorization", "required")
            : ProblemTypes.Create(StatusCodes.Status401Unauthorized, ProblemTypes.Unauthorized, "Unauthorized", failure.Message, failure.Field, failure.Rule);
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
