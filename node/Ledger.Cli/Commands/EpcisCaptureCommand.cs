using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ledger.Protocol.Epcis;

namespace Ledger.Cli.Commands;

/// <summary>
/// <c>ledger epcis capture &lt;file&gt; --node &lt;url&gt; --token-file &lt;file&gt; [--error-behaviour rollback|proceed]</c>: sends an
/// EPCIS document to a node's <c>POST /epcis/capture</c> as one of its hosted parties and prints the outcome per event.
/// Exit 0 when every event is accepted or a duplicate, 1 when one is rejected or the node answers a problem, 2 for bad input.
/// The token is never printed.
/// </summary>
internal static class EpcisCaptureCommand
{
    private sealed class InputException(string field, string detail, string rule) : Exception($"{field}: {detail} [{rule}]");

    internal static Command Create()
    {
        var file = new Argument<string>("file") { Description = "EPCIS document (JSON-LD or XML)" };
        var node = new Option<string>("--node") { Description = "The node's base URL, e.g. http://127.0.0.1:8080", Required = true };
        var tokenFile = new Option<string>("--token-file") { Description = "File holding the party's API token (tokens/<party>.token in the node's data directory)", Required = true };
        var behaviour = new Option<string>("--error-behaviour")
        {
            Description = "rollback: nothing is recorded when an event is rejected; proceed: the valid events are recorded (sent as GS1-Capture-Error-Behaviour)",
        };
        var capture = new Command("capture",
            "Send the document to a node's /epcis/capture; prints 'capture <id>' and one '<eventID> <outcome>' line per event")
        {
            file, node, tokenFile, behaviour,
        };
        capture.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(file)!, parse.GetValue(node)!, parse.GetValue(tokenFile)!, parse.GetValue(behaviour), cancellationToken));
        return capture;
    }

    private static async Task<int> RunAsync(string path, string node, string tokenPath, string? behaviour, CancellationToken cancellationToken)
    {
        Uri endpoint;
        byte[] body;
        string contentType;
        string token;
        try
        {
            endpoint = CaptureUri(node);
            if (behaviour is not null and not "rollback" and not "proceed")
                throw new InputException("--error-behaviour", $"\"{behaviour}\" is not one of rollback, proceed", "enum");
            body = ReadFile(path, "file");
            contentType = Detect(body) == EpcisBinding.JsonLd ? "application/ld+json" : "application/xml";
            token = ReadToken(tokenPath);
        }
        catch (InputException e)
        {
            Console.Error.WriteLine(e.Message.ReplaceLineEndings(" "));
            return ExitCodes.InvalidInput;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("application/problem+json");
        if (behaviour is not null)
            request.Headers.TryAddWithoutValidation("GS1-Capture-Error-Behaviour", behaviour);

        HttpResponseMessage response;
        string text;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"--node: cannot reach {endpoint}: {e.Message.ReplaceLineEndings(" ")} [unreachable]");
            return ExitCodes.CheckFailed;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"--node: {endpoint} did not answer within {http.Timeout.TotalSeconds:0} s [timeout]");
            return ExitCodes.CheckFailed;
        }
        using (response)
        {
            return response.IsSuccessStatusCode ? PrintCapture((int)response.StatusCode, text) : PrintProblem((int)response.StatusCode, response.ReasonPhrase, text);
        }
    }

    private static Uri CaptureUri(string node)
    {
        if (!Uri.TryCreate(node, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            throw new InputException("--node", $"\"{node}\" must be an absolute http or https URL without query or fragment", "url");
        return new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/epcis/capture");
    }

    private static byte[] ReadFile(string path, string field)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InputException(field, $"cannot read '{path}': {e.Message}", "readable");
        }
    }

    private static EpcisBinding Detect(byte[] body)
    {
        try
        {
            return EpcisReader.Detect(Encoding.UTF8.GetString(body));
        }
        catch (EpcisFormatException e)
        {
            throw new InputException("file", e.Message, "syntax");
        }
    }

    private static string ReadToken(string path)
    {
        // Never put the token (or any of its characters) in a message.
        var token = Encoding.UTF8.GetString(ReadFile(path, "--token-file")).Trim();
        if (token.Length == 0)
            throw new InputException("--token-file", $"'{path}' is empty", "empty");
        if (token.Any(c => c <= ' ' || c > '~'))
            throw new InputException("--token-file", $"'{path}' must hold one token: printable ASCII without spaces", "format");
        return token;
    }

    private static int PrintCapture(int status, string text)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            Console.Error.WriteLine($"node: answered {status} with a body that is not JSON [response]");
            return ExitCodes.CheckFailed;
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            Console.Error.WriteLine($"node: answered {status} with JSON that is not an object [response]");
            return ExitCodes.CheckFailed;
        }

        var ok = true;
        var output = new StringBuilder();
        output.Append("capture ").Append(StringOf(root, "captureID") ?? "?").Append('\n');
        if (root.TryGetProperty("events", out var events) && events.ValueKind == JsonValueKind.Array)
        {
            foreach (var e in events.EnumerateArray())
            {
                var outcome = StringOf(e, "outcome") ?? "?";
                ok &= outcome is "accepted" or "duplicate";
                output.Append(StringOf(e, "eventID") ?? "?").Append(' ').Append(outcome);
                var code = StringOf(e, "code");
                var message = StringOf(e, "message");
                if (code is not null && message is not null)
                    output.Append(' ').Append(code).Append(": ").Append(message.ReplaceLineEndings(" "));
                else if (code is not null || message is not null)
                    output.Append(' ').Append((code ?? message)!.ReplaceLineEndings(" "));
                output.Append('\n');
            }
        }
        Console.Out.Write(output.ToString());

        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
        {
            foreach (var error in errors.EnumerateArray())
            {
                ok = false;
                Console.Error.WriteLine("error: " + (error.ValueKind == JsonValueKind.String ? error.GetString()! : error.GetRawText()).ReplaceLineEndings(" "));
            }
        }
        if (root.TryGetProperty("running", out var running) && running.ValueKind == JsonValueKind.True)
        {
            ok = false;
            Console.Error.WriteLine("node: the capture is still running [running]");
        }
        if (root.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.False)
            ok = false;
        return ok ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }

    private static int PrintProblem(int status, string? reason, string text)
    {
        string? title = null, detail = null, field = null, rule = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                title = StringOf(root, "title");
                detail = StringOf(root, "detail");
                field = StringOf(root, "field");
                rule = StringOf(root, "rule");
            }
        }
        catch (JsonException)
        {
            // Not a problem document: report the status alone.
        }
        var line = new StringBuilder($"node: {status} {title ?? reason}");
        if (detail is not null)
            line.Append(": ").Append(detail);
        if (field is not null)
            line.Append(" (field ").Append(field).Append(')');
        if (rule is not null)
            line.Append(" [").Append(rule).Append(']');
        Console.Error.WriteLine(line.ToString().ReplaceLineEndings(" "));
        return ExitCodes.CheckFailed;
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? (value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText())
            : null;
}
