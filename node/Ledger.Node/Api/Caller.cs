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
/// <see cref="MaxSkew"/> of the node's clock. The node checks it in <see cref="Security.SignedRequestHandler"/>.
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
}
