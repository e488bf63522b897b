using System.Globalization;
using Ledger.Protocol.Consortium;
using Ledger.Node.Parties;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;

namespace Ledger.Node.Api;

/// <summary>Who is calling: a party (by API token or a signed request) or nobody. Read it with <c>HttpContext.GetCaller()</c> (<see cref="Security.LedgerAuthentication"/>).</summary>
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
/// The signed-request scheme's digest and header (docs/spec/api.md §3): <c>Authorization: Ledger-Signature
/// address=0x…, time=&lt;unix ms&gt;, signature=0x&lt;65 bytes&gt;</c>, the party's secp256k1 signature over
/// H("ledger/request/v1" || 0x00 || RLP([method, path-and-query, time, SHA-256(body)])), accepted within
/// <see cref="MaxSkew"/> of the node's clock. The node checks it with <see cref="Resolve"/> in <see cref="Security.SignedRequestHandler"/>.
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
    /// <summary>
    /// Resolves the caller from an <c>Authorization</c> value, whatever the transport: the one credential parser behind
    /// both authentication handlers (<see cref="Security.BearerTokenHandler"/>, <see cref="Security.SignedRequestHandler"/>),
    /// which run for HTTP/JSON requests and gRPC calls alike. <paramref name="method"/>, <paramref name="target"/> and
    /// <paramref name="body"/> are what a signed request signs: the request's method, its target as sent and its body
    /// (for a gRPC call: <c>POST</c>, the call's path and the signed body of docs/spec/grpc.md §2).
    /// </summary>
    /// <returns><see cref="Caller.Anonymous"/> without credentials, else the authenticated party.</returns>
    /// <exception cref="AuthenticationException">Credentials are present but invalid (the field and the rule).</exception>
    public static Caller Resolve(string? header, string method, string target, ReadOnlySpan<byte> body, LedgerService ledger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(time);
        if (string.IsNullOrWhiteSpace(header))
            return Caller.Anonymous;
        if (header.StartsWith(Security.LedgerAuthentication.BearerScheme + " ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header[(Security.LedgerAuthentication.BearerScheme.Length + 1)..].Trim();
            if (!ledger.Parties.TryAuthenticate(token, out var hosted))
                throw new AuthenticationException("Authorization", "token", "the bearer token is not a token of a party hosted by this node");
            return new Caller(hosted.Party, hosted);
        }
        if (IsSigned(header))
            return VerifySigned(header[(Security.LedgerAuthentication.SignatureScheme.Length + 1)..], method, target, body, ledger, time);
        throw new AuthenticationException("Authorization", "scheme", "use 'Bearer <token>' or 'Ledger-Signature address=…, time=…, signature=…'");
    }

    /// <summary>True for an <c>Authorization: Ledger-Signature …</c> value (the request's body is then part of what is checked).</summary>
    public static bool IsSigned(string? header) =>
        header is not null && header.StartsWith(Security.LedgerAuthentication.SignatureScheme + " ", StringComparison.OrdinalIgnoreCase);

    private static Caller VerifySigned(string parameters, string method, string target, ReadOnlySpan<byte> body, LedgerService ledger, TimeProvider time)
    {
        var groups = parameters.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim().ToLowerInvariant(), StringComparer.Ordinal).ToList();
        if (groups.FirstOrDefault(g => g.Count() > 1) is { } repeated)
            throw new AuthenticationException("Authorization." + repeated.Key, "duplicate", $"{repeated.Key}= appears more than once");
        var parts = groups.ToDictionary(g => g.Key, g => g.Single()[1].Trim().Trim('"'), StringComparer.Ordinal);
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
