using System.Globalization;
using Ledger.Protocol.Consortium;
using Ledger.Node.Parties;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Microsoft.AspNetCore.Http;

namespace Ledger.Node.Api;

/// <summary>Who is calling: a party (by API token or a signed request) or nobody.</summary>
/// <param name="Party">The consortium party, or null for an unauthenticated caller.</param>
/// <param name="Hosted">The hosted party when authenticated by its token (the node can sign as it).</param>
public sealed record Caller(Party? Party, HostedParty? Hosted)
{
    /// <summary>An unauthenticated caller: may only verify a product identifier.</summary>
    public static readonly Caller Anonymous = new(null, null);

    /// <summary>True when a party authenticated.</summary>
    public bool IsAuthenticated => Party is not null;

    /// <summary>True for a regulator: reads everything.</summary>
    public bool IsRegulator => Party is { } p && p.Roles.HasFlag(PartyRoles.Regulator);
}

/// <summary>A caller's credentials are present but wrong (401).</summary>
public sealed class AuthenticationException(string field, string rule, string message) : Exception(message)
{
    /// <summary>The header at fault.</summary>
    public string Field { get; } = field;

    /// <summary>The rule broken.</summary>
    public string Rule { get; } = rule;
}

/// <summary>
/// Resolves the caller from <c>Authorization: Bearer &lt;token&gt;</c> (a hosted party's API token) or
/// <c>Authorization: Ledger-Signature address=0x…, time=&lt;unix ms&gt;, signature=0x&lt;65 bytes&gt;</c>: the party's
/// secp256k1 signature over H("ledger/request/v1" || 0x00 || RLP([method, path-and-query, time, SHA-256(body)])),
/// accepted within <see cref="MaxSkew"/> of the node's clock (docs/spec/crypto.md).
/// </summary>
public static class CallerResolver
{
    /// <summary>How far a signed request's time may be from the node's clock.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(5);

    /// <summary>The digest a request signature signs.</summary>
    public static Hash32 RequestDigest(string method, string pathAndQuery, long timeMs, ReadOnlySpan<byte> body) =>
        SignedRequest.Digest(method, pathAndQuery, timeMs, body);

    /// <summary>The Authorization header value for a signed request.</summary>
    public static string SignRequest(PrivateKey key, string method, string pathAndQuery, long timeMs, ReadOnlySpan<byte> body)
        => SignedRequest.AuthorizationHeader(key, method, pathAndQuery, timeMs, body);

    /// <summary>Resolves the caller; throws <see cref="AuthenticationException"/> for present but invalid credentials.</summary>
    public static async Task<Caller> ResolveAsync(HttpContext context, LedgerService ledger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(ledger);
        string? header = context.Request.Headers.Authorization;
        byte[] body = [];
        if (IsSigned(header))
        {
            context.Request.EnableBuffering();
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            context.Request.Body.Position = 0;
            body = buffer.ToArray();
        }
        // The path and query exactly as sent (still percent-encoded), so a client signs what it puts on the wire.
        var target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget
            ?? context.Request.PathBase + context.Request.Path + context.Request.QueryString;
        return Resolve(header, context.Request.Method, target, body, ledger, time);
    }

    /// <summary>
    /// Resolves the caller from an <c>Authorization</c> value, whatever the transport: the HTTP endpoints pass the request's
    /// method, raw target and body; the gRPC service passes <c>POST</c>, the call's path and the request message's encoding.
    /// </summary>
    /// <exception cref="AuthenticationException">Credentials are present but invalid.</exception>
    public static Caller Resolve(string? header, string method, string target, ReadOnlySpan<byte> body, LedgerService ledger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(time);
        if (string.IsNullOrWhiteSpace(header))
            return Caller.Anonymous;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header[7..].Trim();
            if (!ledger.Parties.TryAuthenticate(token, out var hosted))
                throw new AuthenticationException("Authorization", "token", "the bearer token is not a token of a party hosted by this node");
            return new Caller(hosted.Party, hosted);
        }
        if (IsSigned(header))
            return VerifySigned(header[17..], method, target, body, ledger, time);
        throw new AuthenticationException("Authorization", "scheme", "use 'Bearer <token>' or 'Ledger-Signature address=…, time=…, signature=…'");
    }

    private static bool IsSigned(string? header) => header is not null && header.StartsWith("Ledger-Signature ", StringComparison.OrdinalIgnoreCase);

    private static Caller VerifySigned(string parameters, string method, string target, ReadOnlySpan<byte> body, LedgerService ledger, TimeProvider time)
    {
        var parts = parameters.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].ToLowerInvariant(), p => p[1].Trim('"'), StringComparer.Ordinal);
        if (!parts.TryGetValue("address", out var a) || !Address.TryParse(a, out var address))
            throw new AuthenticationException("Authorization.address", "address", "address= must be the party's 0x address");
        if (!parts.TryGetValue("time", out var t) || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var timeMs))
            throw new AuthenticationException("Authorization.time", "time", "time= must be the request time in Unix milliseconds");
        if (Math.Abs(time.GetUtcNow().ToUnixTimeMilliseconds() - timeMs) > MaxSkew.TotalMilliseconds)
            throw new AuthenticationException("Authorization.time", "skew", $"the request time is more than {MaxSkew.TotalMinutes:0} minutes from the node's clock");
        if (!parts.TryGetValue("signature", out var sig) || !Hex.TryDecode(sig, out var sigBytes) || !Signature.TryFromBytes(sigBytes, out var signature))
            throw new AuthenticationException("Authorization.signature", "signature", "signature= must be 65 bytes of hex (r || s || v)");
        var party = ledger.Consortium.Find(address)
            ?? throw new AuthenticationException("Authorization.address", "unknown-party", $"{address} is not a party of the consortium");
        var digest = RequestDigest(method, target, timeMs, body);
        if (Secp256k1.RecoverAddress(digest, signature) != address)
            throw new AuthenticationException("Authorization.signature", "signature", "the signature does not verify for the address over this request");
        return new Caller(party, ledger.Parties.Find(address));
    }
}
