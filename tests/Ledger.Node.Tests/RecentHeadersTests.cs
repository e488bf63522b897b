using System.Net;
using System.Text.Json;
using Xunit;

namespace Ledger.Node.Tests;

/// <summary><c>GET /v1/headers/recent</c>: anyone may read it, it is in the OpenAPI document, bad paging names its field.</summary>
public class RecentHeadersTests(SharedNode shared) : IClassFixture<SharedNode>
{
    private HttpClient Client => shared.Node.Client;

    [Fact]
    public async Task RecentHeaders_Anonymous_AnswersEveryHeaderUpToTheHeadNewestFirst()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/headers/recent?limit=100");
        request.Headers.Authorization = null;
        var response = await Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        var heights = doc.RootElement.GetProperty("headers").EnumerateArray().Select(h => h.GetProperty("height").GetInt64()).ToList();
        using var head = JsonDocument.Parse(await Client.GetStringAsync("/v1/head"));
        var top = head.RootElement.GetProperty("height").GetInt64();
        Assert.Equal(Enumerable.Range(1, (int)Math.Min(top, 100)).Select(i => top - i + 1), heights);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("before=0", "before")]
    public async Task RecentHeaders_OutOfRange_Returns400NamingTheField(string query, string field)
    {
        var p = await Problem.ReadAsync(await Client.GetAsync("/v1/headers/recent?" + query), HttpStatusCode.BadRequest);
        Assert.Equal(field, p.Member("field"));
        Assert.Equal("range", p.Member("rule"));
    }

    [Fact]
    public async Task OpenApi_ListsRecentHeaders()
    {
        using var doc = JsonDocument.Parse(await Client.GetStringAsync("/openapi/v1.json"));
        Assert.True(doc.RootElement.GetProperty("paths").TryGetProperty("/v1/headers/recent", out _));
    }
}
