using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Ledger.Cli.Tests;

/// <summary>
/// <c>ledger epcis capture</c> against a stand-in node (an in-process HttpListener that records the request and answers a
/// fixed response), so the request shape, the output and the exit codes are checked without the real node.
/// </summary>
public sealed class EpcisCaptureTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ledger-capture-");

    public void Dispose() => _dir.Delete(recursive: true);

    private sealed record Seen(string Path, string? ContentType, string? Authorization, string? Behaviour, string Body);

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task<(CliResult Result, Seen Seen)> CaptureAsync(string document, int status, string contentType, string response, params string[] extra)
    {
        var doc = Path.Combine(_dir.FullName, "doc");
        File.WriteAllText(doc, document);
        var token = Path.Combine(_dir.FullName, "acme.token");
        File.WriteAllText(token, "  ledger_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG\n");
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serve = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var seen = new Seen(context.Request.Url!.AbsolutePath, context.Request.ContentType, context.Request.Headers["Authorization"],
                context.Request.Headers["GS1-Capture-Error-Behaviour"], await reader.ReadToEndAsync());
            var bytes = Encoding.UTF8.GetBytes(response);
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
            return seen;
        });
        var result = await CliRunner.RunAsync(["epcis", "capture", doc, "--node", $"http://127.0.0.1:{port}/", "--token-file", token, .. extra]);
        return (result, await serve.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    private const string Accepted = """
        {"captureID":"c-1","running":false,"success":true,"captureErrorBehaviour":"rollback","errors":[],
         "events":[{"eventID":"ni:///sha-256;aa?ver=CBV2.0","outcome":"accepted","recordIds":["0x01"],"block":12,"code":null,"message":null},
                   {"eventID":"ni:///sha-256;bb?ver=CBV2.0","outcome":"duplicate","recordIds":[],"block":null,"code":null,"message":null}]}
        """;

    [Fact]
    public async Task Capture_AllAcceptedOrDuplicate_PrintsOutcomesAndExitsZero()
    {
        var (r, seen) = await CaptureAsync("""{"type":"EPCISDocument"}""", 202, "application/json", Accepted, "--error-behaviour", "proceed");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.StdErr);
        Assert.Equal("capture c-1\nni:///sha-256;aa?ver=CBV2.0 accepted\nni:///sha-256;bb?ver=CBV2.0 duplicate\n", r.StdOut.ReplaceLineEndings("\n"));
        Assert.Equal("/epcis/capture", seen.Path);
        Assert.Equal("application/ld+json", seen.ContentType);
        Assert.Equal("Bearer ledger_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", seen.Authorization);
        Assert.Equal("proceed", seen.Behaviour);
        Assert.Equal("""{"type":"EPCISDocument"}""", seen.Body);
        Assert.DoesNotContain("ledger_0123", r.StdOut + r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_OneRejected_PrintsCodeAndMessageAndExitsOne()
    {
        var body = Accepted.Replace("\"duplicate\"", "\"rejected\"", StringComparison.Ordinal)
            .Replace("\"block\":null,\"code\":null,\"message\":null", "\"block\":null,\"code\":\"NOT_CUSTODIAN\",\"message\":\"acme is not the custodian\"", StringComparison.Ordinal)
            .Replace("\"success\":true", "\"success\":false", StringComparison.Ordinal);
        var (r, seen) = await CaptureAsync("<?xml version=\"1.0\"?><epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\"/>", 202, "application/json", body);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ni:///sha-256;bb?ver=CBV2.0 rejected NOT_CUSTODIAN: acme is not the custodian\n", r.StdOut.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal("application/xml", seen.ContentType);
        Assert.Null(seen.Behaviour);
    }

    [Fact]
    public async Task Capture_ProblemAnswer_PrintsDetailFieldRuleAndExitsOne()
    {
        const string problem = """{"type":"urn:ledger:problem:epcis","title":"Invalid EPCIS document","status":400,"detail":"eventTime is missing","field":"epcisBody.eventList[0].eventTime","rule":"required"}""";
        var (r, _) = await CaptureAsync("""{"type":"EPCISDocument"}""", 400, "application/problem+json", problem);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.StdOut);
        var line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("400", line, StringComparison.Ordinal);
        Assert.Contains("eventTime is missing", line, StringComparison.Ordinal);
        Assert.Contains("epcisBody.eventList[0].eventTime", line, StringComparison.Ordinal);
        Assert.Contains("[required]", line, StringComparison.Ordinal);
    }
}
