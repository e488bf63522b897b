using System.Globalization;
using System.Net;
using Ledger.Node.Security;
using Ledger.Node.Tests.Network;
using Xunit;
using static Ledger.Node.Tests.BadInput.BadInputKit;

namespace Ledger.Node.Tests.Platform;

/// <summary>
/// The rate limits against a real node, lowered by configuration and with a window of an hour (so that no window
/// ends during a test): 429 with Retry-After and a problem naming the limit, and what the refused requests would have
/// written is not written.
/// </summary>
public sealed class RateLimitTests
{
    private const string Dock = "0399999999991";

    [Fact]
    public async Task Verify_AnonymousBeyondThePerAddressAndTheNodeLimit_429RetryAfterAndTheLedgerGrewByTheLimitOnly()
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using var node = await consortium.StartNodeAsync(environment: Limits(("AnonymousVerifications", "2"), ("AnonymousVerificationsTotal", "3")));
        using var maker = TestConsortium.ClientFor(node, consortium.Maker);
        using var regulator = TestConsortium.ClientFor(node, consortium.Regulator);
        using var pharmacy = TestConsortium.ClientFor(node, consortium.Pharmacy);
        // Two anonymous clients on two addresses of this machine.
        using var first = PlatformKit.ClientFrom(node.BaseAddress, IPAddress.Parse("127.0.0.1"));
        using var second = PlatformKit.ClientFrom(node.BaseAddress, IPAddress.Parse("127.0.0.2"));
        var serial = NewSerial("RV");
        await CommissionAsync(maker, consortium.Maker, serial);
        var before = await HeadAsync(regulator);

        for (var i = 0; i < 2; i++)
            await AssertVerifiedAsync(first, serial);
        await AssertLimitedAsync(await VerifyAsync(first, serial), LedgerRateLimits.Limits.AnonymousVerifications);
        // Another address has its own allowance, until the node-wide limit (3) is reached.
        await AssertVerifiedAsync(second, serial);
        await AssertLimitedAsync(await VerifyAsync(second, serial), LedgerRateLimits.Limits.AnonymousVerificationsTotal);

        Assert.Equal(before.LogSize + 3, (await HeadAsync(regulator)).LogSize);
        // An authenticated party's verification is counted against the party, not the anonymous limits.
        await AssertVerifiedAsync(pharmacy, serial, consortium.Pharmacy.Glns[0]);
        Assert.Equal(before.LogSize + 4, (await HeadAsync(regulator)).LogSize);
        var metrics = await node.Client.GetStringAsync("/metrics");
        Assert.Contains("ledger_http_rate_limited_total{limit=\"anonymous-verifications\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("ledger_http_rate_limited_total{limit=\"anonymous-verifications-total\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_WrongTokensInARow_401ThenAt429AndAValidTokenStillServed()
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using var node = await consortium.StartNodeAsync(environment: Limits(("FailedAuthentications", "5")));
        using var wrong = new HttpClient { BaseAddress = node.BaseAddress };
        wrong.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "guess-0");
        using var maker = TestConsortium.ClientFor(node, consortium.Maker);

        for (var i = 0; i < 5; i++)
        {
            using var refused = await wrong.GetAsync("/v1/consortium");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        using (var limited = await wrong.GetAsync("/v1/consortium"))
            await AssertLimitedAsync(limited, LedgerRateLimits.Limits.FailedAuthentications);
        // Also a failed signed request from the same address is refused by the same limit.
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/v1/head"))
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Ledger-Signature address=0x00, time=0, signature=0x00");
            using var signed = await maker.SendAsync(request);
            await AssertLimitedAsync(signed, LedgerRateLimits.Limits.FailedAuthentications);
        }
        using var served = await maker.GetAsync("/v1/consortium");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Request_PartyBeyondItsLimit_429AndOtherPartiesStillServed()
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using var node = await consortium.StartNodeAsync(environment: Limits(("PartyRequests", "20"), ("AnonymousRequests", "20")));
        using var pharmacy = TestConsortium.ClientFor(node, consortium.Pharmacy);
        using var regulator = TestConsortium.ClientFor(node, consortium.Regulator);
        using var anonymous = PlatformKit.ClientFrom(node.BaseAddress, IPAddress.Parse("127.0.0.3"));

        for (var i = 0; i < 20; i++)
        {
            using var ok = await pharmacy.GetAsync("/v1/consortium");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        await AssertLimitedAsync(await pharmacy.GetAsync("/v1/consortium"), LedgerRateLimits.Limits.PartyRequests);
        using (var other = await regulator.GetAsync("/v1/consortium"))
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        for (var i = 0; i < 20; i++)
        {
            using var ok = await anonymous.GetAsync("/v1/head");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        await AssertLimitedAsync(await anonymous.GetAsync("/v1/head"), LedgerRateLimits.Limits.AnonymousRequests);
    }

    private static Dictionary<string, string> Limits(params (string Name, string Value)[] limits)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["LEDGER_RateLimits__Window"] = "01:00:00" };
        foreach (var (name, value) in limits)
            environment["LEDGER_RateLimits__" + name] = value;
        return environment;
    }

    private static Task<HttpResponseMessage> VerifyAsync(HttpClient client, string serial, string gln = Dock) =>
        client.GetAsync($"/01/{Gtin}/21/{serial}?linkType=verificationService&context=dscsaSaleableReturn&reqGLN={gln}&corrUUID={Guid.NewGuid()}");

    private static async Task AssertVerifiedAsync(HttpClient client, string serial, string gln = Dock)
    {
        using var response = await VerifyAsync(client, serial, gln);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
    }

    private static async Task AssertLimitedAsync(HttpResponseMessage response, string limit)
    {
        using (response)
        {
            var problem = await Problem.ReadAsync(response, HttpStatusCode.TooManyRequests);
            AssertNames(problem, "rate-limited", "request", limit);
            Assert.Contains("RateLimits:", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            var retryAfter = int.Parse(response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
            // The window is an hour: the client is told to come back within it, not at once.
            Assert.InRange(retryAfter, 1, 3600);
        }
    }
}
