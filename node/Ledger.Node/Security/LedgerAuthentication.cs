using System.Security.Claims;
using Ledger.Node.Api;
using Ledger.Protocol.Consortium;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Node.Security;

/// <summary>
/// How callers authenticate (docs/spec/api.md §2): ASP.NET Core authentication handlers for the hosted parties' API
/// tokens (<see cref="BearerScheme"/>) and for signed requests (<see cref="SignatureScheme"/>), behind one default
/// scheme (<see cref="Scheme"/>) that picks the handler by the <c>Authorization</c> header. They work on any
/// <see cref="HttpContext"/>: HTTP/JSON requests and gRPC calls alike (gRPC metadata <c>authorization</c> is the same
/// header). Endpoints state who may call them with a policy of <see cref="LedgerPolicies"/>; handlers read the caller
/// with <see cref="GetCaller(HttpContext)"/>.
/// </summary>
public static class LedgerAuthentication
{
    /// <summary>The default scheme: forwards to <see cref="SignatureScheme"/> for <c>Authorization: Ledger-Signature …</c>, else to <see cref="BearerScheme"/>.</summary>
    public const string Scheme = "Ledger";

    /// <summary><c>Authorization: Bearer &lt;token&gt;</c>: the API token of a party hosted by this node.</summary>
    public const string BearerScheme = "Bearer";

    /// <summary><c>Authorization: Ledger-Signature address=…, time=…, signature=…</c>: a request signed by a party's key (docs/spec/api.md §3).</summary>
    public const string SignatureScheme = "Ledger-Signature";

    /// <summary>The claim naming how the party authenticated: <see cref="BearerScheme"/> (a hosted party) or <see cref="SignatureScheme"/>.</summary>
    public const string HostedClaim = "ledger:hosted";

    /// <summary>The caller of this request: the authenticated party, or <see cref="Caller.Anonymous"/>.</summary>
    public static Caller GetCaller(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.User.GetCaller();
    }

    /// <summary>The caller a principal made by these handlers stands for, or <see cref="Caller.Anonymous"/>.</summary>
    public static Caller GetCaller(this ClaimsPrincipal? principal) =>
        principal?.Identities.OfType<CallerIdentity>().FirstOrDefault(i => i.IsAuthenticated)?.Caller ?? Caller.Anonymous;

    /// <summary>True when the request carried credentials and they failed (the answer is 401, and it counts against the client's failed-authentication limit).</summary>
    public static bool CredentialsFailed(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<CredentialsFailure>() is not null;
    }

    /// <summary>Registers the schemes, the policies and the 401/403 answers.</summary>
    public static IServiceCollection AddLedgerAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = Scheme;
            })
            .AddPolicyScheme(Scheme, "Bearer token or signed request", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith(SignatureScheme + " ", StringComparison.OrdinalIgnoreCase)
                    ? SignatureScheme
                    : BearerScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerScheme, "Hosted party API token", null)
            .AddScheme<AuthenticationSchemeOptions, SignedRequestHandler>(SignatureScheme, "Signed request (ledger/request/v1)", null);
        LedgerPolicies.Add(services);
        return services;
    }

    /// <summary>The principal of an authenticated party.</summary>
    internal static ClaimsPrincipal Principal(Caller caller, string scheme)
    {
        var party = caller.Party!;
        var identity = new CallerIdentity(caller, scheme);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, party.Address.ToString()));
        identity.AddClaim(new Claim(ClaimTypes.Name, party.Name));
        foreach (var role in ConsortiumFile.RoleNamesOf(party.Roles))
            identity.AddClaim(new Claim(ClaimTypes.Role, role));
        if (caller.Hosted is not null)
            identity.AddClaim(new Claim(HostedClaim, "true"));
        return new ClaimsPrincipal(identity);
    }
}

/// <summary>The identity of an authenticated party; carries the <see cref="Api.Caller"/> the endpoints work with.</summary>
internal sealed class CallerIdentity(Caller caller, string scheme) : ClaimsIdentity(scheme)
{
    public Caller Caller { get; } = caller;
}
