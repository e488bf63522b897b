using System.Globalization;
using System.Text.Encodings.Web;
using Ledger.Node.Api;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
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

    /// <summary>Authenticates the request: no result without credentials, a failure from <see cref="Fail"/>, or <see cref="Success"/>.</summary>
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

    /// <summary>A failure naming the header part at fault and the rule it broke.</summary>
    protected static AuthenticateResult Fail(string field, string rule, string message) =>
        AuthenticateResult.Fail(new AuthenticationException(field, rule, message));

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
        if (!header.StartsWith(LedgerAuthentication.BearerScheme + " ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(Fail("Authorization", "scheme", "use 'Bearer <token>' or 'Ledger-Signature address=…, time=…, signature=…'"));
        var token = header[(LedgerAuthentication.BearerScheme.Length + 1)..].Trim();
        if (!ledger.Parties.TryAuthenticate(token, out var hosted))
            return Task.FromResult(Fail("Authorization", "token", "the bearer token is not a token of a party hosted by this node"));
        return Task.FromResult(Success(new Caller(hosted.Party, hosted)));
    }
}

/// <summary>
/// <c>Authorization: Ledger-Signature address=0x…, time=&lt;unix ms&gt;, signature=0x…</c> (docs/spec/api.md §3): the
/// party's signature over the method, the request target as sent, the time and the body's SHA-256, within
/// <see cref="CallerResolver.MaxSkew"/> of the node's clock. A gRPC call (<c>Content-Type: application/grpc…</c>) signs
/// the empty body: its body is a stream of messages that the service reads, not the handler.
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
        var groups = header[(LedgerAuthentication.SignatureScheme.Length + 1)..]
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim().ToLowerInvariant(), StringComparer.Ordinal).ToList();
        if (groups.FirstOrDefault(g => g.Count() > 1) is { } repeated)
            return Fail("Authorization." + repeated.Key, "duplicate", $"{repeated.Key}= appears more than once");
        var parts = groups.ToDictionary(g => g.Key, g => g.Single()[1].Trim().Trim('"'), StringComparer.Ordinal);
        if (!parts.TryGetValue("address", out var a) || !Address.TryParse(a, out var address))
            return Fail("Authorization.address", "address", "address= must be the party's 0x address");
        if (!parts.TryGetValue("time", out var t) || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var timeMs))
            return Fail("Authorization.time", "time", "time= must be the request time in Unix milliseconds");
        if (Math.Abs(Time.GetUtcNow().ToUnixTimeMilliseconds() - timeMs) > CallerResolver.MaxSkew.TotalMilliseconds)
            return Fail("Authorization.time", "skew", $"the request time is more than {CallerResolver.MaxSkew.TotalMinutes:0} minutes from the node's clock");
        if (!parts.TryGetValue("signature", out var sig) || !Hex.TryDecode(sig, out var sigBytes) || !Signature.TryFromBytes(sigBytes, out var signature))
            return Fail("Authorization.signature", "signature", "signature= must be 65 bytes of hex (r || s || v)");
        if (ledger.Consortium.Find(address) is not { } party)
            return Fail("Authorization.address", "unknown-party", $"{address} is not a party of the consortium");
        var body = IsGrpc(Request) ? [] : await ReadBodyAsync();
        // The path and query exactly as sent (still percent-encoded), so a client signs what it puts on the wire.
        var target = Context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? Request.PathBase + Request.Path + Request.QueryString;
        var digest = CallerResolver.RequestDigest(Request.Method, target, timeMs, body);
        if (Secp256k1.RecoverAddress(digest, signature) != address)
            return Fail("Authorization.signature", "signature", "the signature does not verify for the address over this request");
        return Success(new Caller(party, ledger.Parties.Find(address)));
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

    private static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);
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
