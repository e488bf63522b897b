using System.Net;
using System.Text.Json;
using Xunit;

namespace Ledger.Node.Tests;

/// <summary>Reads and checks an RFC 9457 problem response.</summary>
public static class Problem
{
    /// <summary>Asserts the status and the problem+json media type, and returns the problem object.</summary>
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(body);
        var problem = doc.RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>The problem's <c>type</c>.</summary>
    public static string? Type(this JsonElement problem) => problem.GetProperty("type").GetString();

    /// <summary>A string member, or null when absent.</summary>
    public static string? Member(this JsonElement problem, string name) =>
        problem.TryGetProperty(name, out var v) ? v.GetString() : null;
}
