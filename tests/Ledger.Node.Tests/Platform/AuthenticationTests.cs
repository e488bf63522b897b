using System.Globalization;
using System.Net;
using Ledger.Node.Api;
using Ledger.Node.Security;
using Ledger.Node.Tests.Network;
using Ledger.Protocol.Crypto;
using Xunit;
using static Ledger.Node.Tests.BadInput.BadInputKit;

namespace Ledger.Node.Tests.Platform;

/// <summary>
/// The authentication handlers and the policies against a real node: every bad credential is 401 with
/// <c>WWW-Authenticate</c> naming both schemes and a problem naming the field and the rule, on endpoints of every
/// policy; the policies keep who may call what.
/// </summary>
public sealed class AuthenticationTests(AuthenticationNode fixture) : IClassFixture<AuthenticationNode>
{
    // An endpoint of each policy: party, anyone, the Digital Link verification (anyone), regulator, hosted party.
    private static readonly (string Method, string Path)[] Endpoints =
    [
        ("GET", "/v1/provenance?id=" + Uri.EscapeDataString(PackId("A1"))),
        ("GET", "/v1/head"),
        ("GET", $"/01/{Gtin}/21/A2?linkType=verificationService&context=dscsaSaleableReturn&reqGLN=0399999999991&corrUUID={Guid.Empty}"),
        ("GET", "/v1/blocks/1"),
        ("POST", "/epcis/capture"),
    ];

    /// <summary>A key of no party of the test consortium (a public test key).</summary>
    private static readonly PrivateKey UnknownKey = PrivateKey.FromBytes(Convert.FromHexString("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"));

    public static TheoryData<string, string, string, string> BadCredentials()
    {
        var data = new TheoryData<string, string, string, string>();
        // The request time is filled in when a case runs ({now}, {stale}, {signed}), not when the cases are listed: a
        // long test run would otherwise reach them after the 5-minute window.
        const string now = "{now}";
        foreach (var (method, path) in Endpoints)
        {
            const string valid = "{signed}";
            var address = UnknownKey.Address.ToString();
            // case, header, field, rule
            (string Case, string Header, string Field, string Rule)[] cases =
            [
                ("wrong token", "Bearer not-a-token-of-this-node", "Authorization", "token"),
                ("other scheme", "Basic dXNlcjpwYXNz", "Authorization", "scheme"),
                ("no address", $"Ledger-Signature time={now}, signature=0x00", "Authorization.address", "address"),
                ("bad time", $"Ledger-Signature address={address}, time=soon, signature=0x00", "Authorization.time", "time"),
                ("stale", $"Ledger-Signature address={address}, time={{stale}}, signature=0x00", "Authorization.time", "skew"),
                ("short signature", $"Ledger-Signature address={address}, time={now}, signature=0x1234", "Authorization.signature", "signature"),
                ("unknown party", valid, "Authorization.address", "unknown-party"),
                ("repeated member", $"Ledger-Signature address={address}, address={address}, time={now}, signature=0x00", "Authorization.address", "duplicate"),
            ];
            foreach (var c in cases)
                data.Add($"{method} {path}", c.Header, c.Field, c.Rule);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BadCredentials))]
    public async Task Request_BadCredentials_401WithBothChallengesAndTheFieldAndRule(string endpoint, string authorization, string field, string rule)
    {
        var (method, path) = (endpoint.Split(' ', 2)[0], endpoint.Split(' ', 2)[1]);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        authorization = authorization == "{signed}"
            ? CallerResolver.SignRequest(UnknownKey, method, path, now, [])
            : authorization.Replace("{now}", now.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{stale}", (now - 600_000).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var before = await HeadAsync(fixture.Regulator);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await fixture.Anonymous.SendAsync(request);

        var problem = await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
        AssertNames(problem, "unauthorized", field, rule);
        AssertChallenges(response);
        Assert.Equal(before, await HeadAsync(fixture.Regulator));
    }

    [Theory]
    [InlineData("/v1/provenance?id=(01)00300010123455(21)A3")]
    [InlineData("/v1/blocks/1")]
    [InlineData("/v1/consortium")]
    [InlineData("/01/00300010123455/21/A4")]
    [InlineData("/00/003000100000000017")]
    [InlineData("/v1/follow")]
    public async Task PartyEndpoint_NoCredentials_401RequiredWithBothChallenges(string path)
    {
        using var response = await fixture.Anonymous.GetAsync(path);
        AssertNames(await Problem.ReadAsync(response, HttpStatusCode.Unauthorized), "unauthorized", "Authorization", "required");
        AssertChallenges(response);
    }

    [Fact]
    public async Task Capture_NoCredentials_401Required()
    {
        using var response = await CaptureAsync(fixture.Anonymous, JsonDocumentOf(CommissioningEvent([Urn(NewSerial("AC"))])));
        AssertNames(await Problem.ReadAsync(response, HttpStatusCode.Unauthorized), "unauthorized", "Authorization", "required");
        AssertChallenges(response);
    }

    [Fact]
    public async Task Blocks_PartyThatIsNotARegulator_403PermissionAndTheRegulatorReadsIt()
    {
        await CommissionAsync(fixture.Maker, fixture.Consortium.Maker, NewSerial("AB"));
        using (var pharmacy = await fixture.Pharmacy.GetAsync("/v1/blocks/1"))
        {
            var problem = await Problem.ReadAsync(pharmacy, HttpStatusCode.Forbidden);
            AssertNames(problem, "forbidden", "Authorization", "permission");
            Assert.Contains("regulators only", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.False(pharmacy.Headers.Contains("WWW-Authenticate"));
        }
        using var regulator = await fixture.Regulator.GetAsync("/v1/blocks/1");
        Assert.Equal(HttpStatusCode.OK, regulator.StatusCode);
    }

    [Fact]
    public async Task Capture_SignedRequestOfAHostedParty_Accepted()
    {
        // A signed request of a hosted party is that hosted party (the node may sign for it), as with its token; the
        // handler buffers the body it hashes, and the endpoint reads it again.
        var document = JsonDocumentOf(CommissioningEvent([Urn(NewSerial("AS"))]));
        var body = System.Text.Encoding.UTF8.GetBytes(document);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/epcis/capture") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/ld+json");
        request.Headers.TryAddWithoutValidation("Authorization",
            CallerResolver.SignRequest(fixture.Consortium.Maker.Key, "POST", "/epcis/capture", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), body));
        using var response = await fixture.Anonymous.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/v1/gs1/parse?input=(01)00300010123455")]
    [InlineData("/metrics")]
    [InlineData("/v1/head")]
    public async Task AnyoneEndpoint_NoCredentials_200(string path)
    {
        using var response = await fixture.Anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Healthz_WrongToken_401Token()
    {
        // Credentials that fail are refused everywhere, also where none are needed (the fallback policy).
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer wrong");
        using var response = await fixture.Anonymous.SendAsync(request);
        AssertNames(await Problem.ReadAsync(response, HttpStatusCode.Unauthorized), "unauthorized", "Authorization", "token");
        AssertChallenges(response);
    }

    [Fact]
    public void GetCaller_NoIdentity_IsAnonymous()
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        Assert.Same(Caller.Anonymous, context.GetCaller());
    }

    private static void AssertChallenges(HttpResponseMessage response)
    {
        var schemes = response.Headers.WwwAuthenticate.Select(h => h.Scheme).ToList();
        Assert.Contains(LedgerAuthentication.BearerScheme, schemes);
        Assert.Contains(LedgerAuthentication.SignatureScheme, schemes);
    }
}

/// <summary>A node for <see cref="AuthenticationTests"/>: the failed-authentication limit raised, since the tests fail on purpose.</summary>
public sealed class AuthenticationNode : IAsyncLifetime
{
    private TestConsortium? _consortium;
    private NodeProcess? _node;

    /// <summary>The parties.</summary>
    public TestConsortium Consortium => _consortium ?? throw new InvalidOperationException("not started");

    /// <summary>No credentials.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    /// <summary>The maker's token.</summary>
    public HttpClient Maker { get; private set; } = null!;

    /// <summary>The pharmacy's token.</summary>
    public HttpClient Pharmacy { get; private set; } = null!;

    /// <summary>The regulator's token.</summary>
    public HttpClient Regulator { get; private set; } = null!;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        _consortium = await TestConsortium.CreateAsync();
        _node = await _consortium.StartNodeAsync(environment: new Dictionary<string, string> { ["LEDGER_RateLimits__FailedAuthentications"] = "100000" });
        Anonymous = TestConsortium.ClientFor(_node, null);
        Maker = TestConsortium.ClientFor(_node, _consortium.Maker);
        Pharmacy = TestConsortium.ClientFor(_node, _consortium.Pharmacy);
        Regulator = TestConsortium.ClientFor(_node, _consortium.Regulator);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        foreach (var client in new[] { Anonymous, Maker, Pharmacy, Regulator })
            client?.Dispose();
        if (_node is not null)
            await _node.DisposeAsync();
        _consortium?.Dispose();
    }
}
