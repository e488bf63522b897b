using System.Text.Json.Nodes;
using Ledger.Protocol;
using Ledger.Protocol.Consortium;
using Ledger.Sdk.Provenance;
using Ledger.Sdk.Verification;

namespace Ledger.Sdk.Tests.Verification;

/// <summary>Mutations of an answer's JSON and the outcome of reading and verifying it.</summary>
internal static class VerifierKit
{
    /// <summary>Either a format error (the answer no longer reads) or the verification report.</summary>
    public sealed record Outcome(ProvenanceFormatException? FormatError, VerificationReport? Report)
    {
        public override string ToString() => FormatError is { } e
            ? $"format error {e.Field} ({e.Rule}): {e.Message}"
            : Report!.Passed ? "passed" : $"failed {Report.FailureReason}";
    }

    public static JsonNode ParseNode(string json) => JsonNode.Parse(json)!;

    public static async Task<Outcome> RunAsync(JsonNode answer, ConsortiumDefinition consortium, IAnchorSource? source = null)
    {
        ProvenanceDocument doc;
        try
        {
            doc = ProvenanceDocument.Parse(answer.ToJsonString());
        }
        catch (ProvenanceFormatException e)
        {
            return new Outcome(e, null);
        }
        var report = source is null
            ? ProvenanceVerifier.Verify(doc, consortium)
            : await ProvenanceVerifier.VerifyAsync(doc, consortium, new ProvenanceVerifierOptions { AnchorSource = source });
        return new Outcome(null, report);
    }

    /// <summary>Reads the string at a dotted path with [i] indexes, e.g. records[3].record.encoded.</summary>
    public static JsonNode Parent(JsonNode root, string path, out string last)
    {
        var parts = path.Replace("[", ".[", StringComparison.Ordinal).Split('.');
        var node = root;
        for (var i = 0; i < parts.Length - 1; i++)
            node = Step(node, parts[i]);
        last = parts[^1];
        return node;
    }

    private static JsonNode Step(JsonNode node, string part) =>
        part.StartsWith('[') ? node[int.Parse(part[1..^1], System.Globalization.CultureInfo.InvariantCulture)]! : node[part]!;

    public static string GetString(JsonNode root, string path) => (string)Step(Parent(root, path, out var last), last)!;

    public static void Set(JsonNode root, string path, JsonNode? value)
    {
        var parent = Parent(root, path, out var last);
        if (last.StartsWith('['))
            parent[int.Parse(last[1..^1], System.Globalization.CultureInfo.InvariantCulture)] = value;
        else
            parent[last] = value;
    }

    /// <summary>Flips bit <c>position % 8</c> of the byte at the given fraction of the hex blob.</summary>
    public static string FlipBit(string hex0x, int position, int positions)
    {
        var bytes = Hex.Decode(hex0x);
        var index = (int)((long)(bytes.Length - 1) * position / Math.Max(1, positions - 1));
        bytes[index] ^= (byte)(1 << (position % 8));
        return Hex.Encode0x(bytes);
    }
}
