using Ledger.Node.Api;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Node.Security;

/// <summary>
/// The authorization policies an HTTP endpoint names (<c>.RequireAuthorization(LedgerPolicies.Party)</c>; the gRPC
/// service, whose refusals must be gRPC statuses, applies the same rules in the service layer instead:
/// <see cref="Api.LedgerGrpcService"/>). Every policy refuses credentials that are
/// present but fail (401); <see cref="Anyone"/> is also the fallback of an endpoint that names none. A caller without
/// credentials where a party is needed gets 401 (rule <c>required</c>); a party that may not call the endpoint gets 403
/// (rule <c>permission</c>). What a party may read of a resource (its own records, items it handled) is decided by the
/// endpoint, which knows the resource.
/// </summary>
public static class LedgerPolicies
{
    /// <summary>Anyone: no credentials, or valid ones.</summary>
    public const string Anyone = "anyone";

    /// <summary>An authenticated party (bearer token or signed request).</summary>
    public const string Party = "party";

    /// <summary>A party hosted by this node (the node signs for it): EPCIS capture.</summary>
    public const string HostedParty = "hosted-party";

    /// <summary>A party with the regulator role.</summary>
    public const string Regulator = "regulator";

    /// <summary>A GS1 Digital Link path: anyone for a verification request (a <c>linkType</c> query parameter), else a party (the product passport).</summary>
    public const string DigitalLink = "digital-link";

    private static readonly CallerRequirement ValidCredentials = new(
        (http, _) => http is null || !LedgerAuthentication.CredentialsFailed(http),
        (_, _) => "the credentials failed");

    private static readonly CallerRequirement AuthenticatedParty = new(
        (_, caller) => caller.IsAuthenticated,
        (_, _) => "a party must authenticate");

    private static readonly CallerRequirement Hosted = new(
        (_, caller) => caller.Hosted is not null,
        (_, caller) => $"this endpoint writes as a party hosted by this node (use its API token); {caller.Party?.Name} can submit signed batches to /v1/batches");

    private static readonly CallerRequirement RegulatorRole = new(
        (_, caller) => caller.IsRegulator,
        (http, caller) => $"{http?.Request.Path} is readable by regulators only; {caller.Party?.Name} is not one");

    private static readonly CallerRequirement PartyUnlessVerification = new(
        (http, caller) => caller.IsAuthenticated || (http is not null && http.Request.Query.ContainsKey("linkType")),
        (_, _) => "a party must authenticate");

    internal static void Add(IServiceCollection services)
    {
        var anyone = new AuthorizationPolicyBuilder().AddRequirements(ValidCredentials).Build();
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(anyone)
            .AddPolicy(Anyone, anyone)
            .AddPolicy(Party, p => p.AddRequirements(ValidCredentials, AuthenticatedParty))
            .AddPolicy(HostedParty, p => p.AddRequirements(ValidCredentials, AuthenticatedParty, Hosted))
            .AddPolicy(Regulator, p => p.AddRequirements(ValidCredentials, AuthenticatedParty, RegulatorRole))
            .AddPolicy(DigitalLink, p => p.AddRequirements(ValidCredentials, PartyUnlessVerification));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ForbiddenAnswer>();
    }

    /// <summary>A requirement on the caller (and the request, for gRPC calls too: the resource is the <see cref="HttpContext"/>).</summary>
    internal sealed class CallerRequirement(Func<HttpContext?, Caller, bool> allows, Func<HttpContext?, Caller, string> refusal)
        : IAuthorizationHandler, IAuthorizationRequirement
    {
        public string Refusal(HttpContext? http, Caller caller) => refusal(http, caller);

        // A requirement that is its own handler is run by the framework's pass-through handler.
        public Task HandleAsync(AuthorizationHandlerContext context)
        {
            if (allows(context.Resource as HttpContext, context.User.GetCaller()))
                context.Succeed(this);
            return Task.CompletedTask;
        }
    }

    /// <summary>403 as the node's problem (field <c>Authorization</c>, rule <c>permission</c>) saying which rule refused; 401 through the scheme's challenge.</summary>
    private sealed class ForbiddenAnswer : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            if (!authorizeResult.Forbidden)
            {
                await _default.HandleAsync(next, context, policy, authorizeResult);
                return;
            }
            var caller = context.GetCaller();
            var failed = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<CallerRequirement>().FirstOrDefault();
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = ProblemTypes.Create(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, "Forbidden",
                    failed?.Refusal(context, caller) ?? "this party may not call this endpoint", "Authorization", "permission"),
            });
        }
    }
}
