using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ledger.Protocol.Custody;
using Ledger.Sdk.Provenance;
using Ledger.Sdk.Verification;
using Xunit;
using static Ledger.Sdk.Tests.Verification.VerifierKit;

namespace Ledger.Sdk.Tests.Verification;

/// <summary>
/// Every member of real answers from a real node, mutated one at a time (docs/spec/verifier.md §1): a character flipped,
/// a number changed, a status or name changed, array elements dropped, duplicated, swapped or reordered, a member removed
/// or set. Each mutation either fails (the answer no longer reads, naming the member; or a check fails, with the check the
/// spec names for the member), or the member is one the spec marks unverified and the typed document's verified members are
/// unchanged.
/// </summary>
[Collection(ProvenanceFixtureGroup.Name)]
public sealed partial class TamperSuiteTests(ProvenanceFixture fixture)
{
    /// <summary>A mutation: the JSON path it touches, what it does, and the mutated answer.</summary>
    public sealed record Mutation(string Path, string What, JsonNode Answer)
    {
        public override string ToString() => $"{What} at {Path}";
    }

    /// <summary>Readable members derived from an encoding: a change must fail the summary check naming the member.</summary>
    [GeneratedRegex(@"^(lanes\[\d+\]\.)?(header\.(lane|height|hash|parent|time|recordsRoot|recordCount|logSize|logRoot|stateRoot|certificate\.cosigners(\[\d+\])?)|(records|lot\.records|product\.records)\[\d+\]\.record\.(id|kind|author|time|items(\[\d+\])?|deps(\[\d+\])?)|(lot|product)\.key)$")]
    private static partial Regex DerivedMember();

    /// <summary>The JSON paths whose members no proof covers (docs/spec/verifier.md §1, category c).</summary>
    public static bool IsUnverified(string path) => path == "unverified" || path.StartsWith("unverified.", StringComparison.Ordinal) ||
        path.Contains(".unverified", StringComparison.Ordinal);

    [Fact]
    public async Task EveryMutationOfTheMainAnswer_FailsOrIsUnverified() => await RunSuiteAsync(fixture.AnswerJson, minimum: 400);

    [Fact]
    public async Task EveryMutationOfTheRecalledAnswer_FailsOrIsUnverified() => await RunSuiteAsync(fixture.RecalledAnswerJson, minimum: 150);

    [Fact]
    public async Task EveryMutationOfAnAnchoredAnswer_FailsOrIsUnverified()
    {
        var answer = ParseNode(fixture.AnswerJson);
        answer["anchor"] = fixture.AnchorJson(answer);
        await RunSuiteAsync(answer.ToJsonString(), minimum: 20, only: p => p.StartsWith("anchor", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RecalledAnswer_Untouched_ProvesRecalledFromTheLotsRecord()
    {
        var outcome = await RunAsync(ParseNode(fixture.RecalledAnswerJson), fixture.Consortium);

        Assert.True(outcome.Report?.Passed, outcome.ToString());
        Assert.Equal(ItemStatus.Recalled, outcome.Report!.Summary!.Status);
        var doc = ProvenanceDocument.Parse(fixture.RecalledAnswerJson);
        Assert.Equal(ItemStatus.Active, doc.State!.StoredStatus);
        Assert.Equal(RecordKind(doc.Lot!.Records), ["Recall"]);
    }

    [Fact]
    public async Task SiblingAnswer_StatusAtAfterExpiry_FailsStatusMismatch()
    {
        var answer = ParseNode(fixture.SiblingAnswerJson);
        Set(answer, "state.statusAt", "2031-01-01T00:00:00.0000000+00:00");

        var failure = (await RunAsync(answer, fixture.Consortium)).Report!.FirstFailure!;

        Assert.Equal((ProvenanceVerifier.Status, "status-mismatch"), (failure.Name, failure.Code));
        Assert.Contains("make it Expired", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SiblingAnswer_CallerTimeAfterExpiry_ProvesExpiredAtTheCallersTime()
    {
        var at = DateTimeOffset.Parse("2031-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        var report = ProvenanceVerifier.Verify(ProvenanceDocument.Parse(fixture.SiblingAnswerJson), fixture.Consortium, new ProvenanceVerifierOptions { At = at });

        Assert.True(report.Passed, report.FailureReason);
        Assert.Equal((ItemStatus.Expired, at, "caller"), (report.Summary!.Status, report.Summary.At, report.Summary.AtSource));
    }

    private static List<string> RecordKind(IReadOnlyList<ProvenanceRecord> records) => [.. records.Select(r => r.Record.Kind.ToString())];

    /// <summary>An answer across three lanes (the committed v3 vector, docs/spec/verifier.md §7) and its consortium file.</summary>
    [Fact]
    public async Task EveryMutationOfAnAnswerAcrossLanes_FailsOrIsUnverified()
    {
        var vector = ParseNode(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "vectors", "provenance", "v3-three-lanes.json")));
        var consortium = Ledger.Protocol.Consortium.ConsortiumFile.Parse(vector["consortium"]!.ToJsonString());
        await RunSuiteAsync(vector["answer"]!.ToJsonString(), minimum: 300, consortium: consortium);
    }

    private async Task RunSuiteAsync(string json, int minimum, Func<string, bool>? only = null, Ledger.Protocol.Consortium.ConsortiumDefinition? consortium = null)
    {
        consortium ??= fixture.Consortium;
        var original = ParseNode(json);
        var untouched = await RunAsync(original, consortium);
        Assert.True(untouched.Report?.Passed, "the untouched answer: " + untouched);
        var verified = VerifiedProjection(ProvenanceDocument.Parse(json));
        var mutations = Mutations(original).Where(m => only?.Invoke(m.Path) ?? true).ToList();
        Assert.True(mutations.Count >= minimum, $"only {mutations.Count} mutations");
        var problems = new List<string>();
        foreach (var m in mutations)
        {
            var outcome = await RunAsync(m.Answer, consortium);
            if (outcome.FormatError is { } e)
            {
                // It no longer reads: the error must name the mutated member (or a member inside it, or the object holding it).
                if (!(e.Field.StartsWith(m.Path, StringComparison.Ordinal) || m.Path.StartsWith(e.Field, StringComparison.Ordinal)
                      || CrossChecked.Contains((m.Path, e.Field))))
                    problems.Add($"{m}: format error names {e.Field}");
                continue;
            }
            var report = outcome.Report!;
            if (IsUnverified(m.Path))
            {
                // Marked unverified: whatever it says, the typed document's verified members are the original's.
                var doc = ProvenanceDocument.Parse(m.Answer.ToJsonString());
                if (VerifiedProjection(doc) != verified)
                    problems.Add($"{m}: an unverified member changed a verified member of the typed document");
                continue;
            }
            if (report.Passed && m.Path == "state.statusAt")
            {
                // A time is a parameter of the stated status, not a fact: the answer still says "status X at T'", and that
                // passes only when the proven records give X at T' too, which the report then states as proven.
                var doc = ProvenanceDocument.Parse(m.Answer.ToJsonString());
                if (report.Summary!.At != doc.State!.StatusAt || report.Summary.Status != doc.State.Status)
                    problems.Add($"{m}: passes but the report does not prove the stated status at the stated time");
                continue;
            }
            if (report.Passed && m.Path == "anchor" && m.What == "remove")
            {
                // The anchor is optional: without it the answer claims no anchor, and the report proves none.
                if (report.Summary!.Anchor is not null)
                    problems.Add($"{m}: the report still names an anchor");
                continue;
            }
            if (report.Passed)
            {
                problems.Add($"{m}: still verifies");
                continue;
            }
            if (DerivedMember().IsMatch(m.Path) && m.What.StartsWith("set", StringComparison.Ordinal)
                && !report.Checks.Any(c => !c.Passed && c.Name == ProvenanceVerifier.Summary && c.Subject.StartsWith(m.Path, StringComparison.Ordinal)))
                problems.Add($"{m}: a readable member changed without a summary failure naming it ({report.FailureReason})");
            if (report.Checks.Any(c => !c.Passed && (c.Code.Length == 0 || c.Code.Contains(' ', StringComparison.Ordinal))))
                problems.Add($"{m}: a failed check has no stable code");
        }
        Assert.True(problems.Count == 0, $"{problems.Count} of {mutations.Count} mutations:\n" + string.Join("\n", problems.Take(40)));
    }

    /// <summary>Members whose removal is reported by the member that states something about them.</summary>
    private static readonly HashSet<(string Mutated, string Named)> CrossChecked = [("state", "known"), ("item", "itemKey")];

    /// <summary>The typed document without what it holds as unverified.</summary>
    private static string VerifiedProjection(ProvenanceDocument doc)
    {
        var node = ParseNode(doc.ToJson());
        Strip(node);
        return node.ToJsonString();

        static void Strip(JsonNode? n)
        {
            if (n is JsonObject o)
            {
                o.Remove(SummaryCheckMember);
                foreach (var (_, v) in o)
                    Strip(v);
            }
            else if (n is JsonArray a)
            {
                foreach (var v in a)
                    Strip(v);
            }
        }
    }

    private const string SummaryCheckMember = "unverified";

    /// <summary>Every single mutation of every member (depth first).</summary>
    public static IEnumerable<Mutation> Mutations(JsonNode root)
    {
        foreach (var (path, node) in Walk(root, ""))
        {
            if (path.Length == 0)
            {
                yield return Apply(root, "", "add an unknown member", r => r.AsObject()["recalled"] = false);
                continue;
            }
            // Remove the member, or set it to null.
            if (node?.Parent is JsonObject)
                yield return Apply(root, path, "remove", r => Parent(r, path, out var last).AsObject().Remove(last));
            switch (node)
            {
                case null:
                    yield return Apply(root, path, "set null to a value", r => Set(r, path, "0x00"));
                    break;
                case JsonValue v when v.TryGetValue<string>(out var s):
                    yield return Apply(root, path, "set: flip a character", r => Set(r, path, Flip(s)));
                    if (Enum.TryParse<ItemStatus>(s, out var status))
                        yield return Apply(root, path, "set: another status", r => Set(r, path, (status == ItemStatus.Recalled ? ItemStatus.Active : ItemStatus.Recalled).ToString()));
                    if (Enum.TryParse<Ledger.Protocol.Records.RecordKind>(s, out var kind))
                        yield return Apply(root, path, "set: another kind", r => Set(r, path, (kind == Ledger.Protocol.Records.RecordKind.Ship ? "Receive" : "Ship")));
                    if (s.Length == 42 && s.StartsWith("0x", StringComparison.Ordinal))
                        yield return Apply(root, path, "set: another name (address)", r => Set(r, path, OtherAddress(root, s)));
                    break;
                case JsonValue v when v.TryGetValue<long>(out var n):
                    yield return Apply(root, path, "set: number + 1", r => Set(r, path, n + 1));
                    if (n > 0)
                        yield return Apply(root, path, "set: number - 1", r => Set(r, path, n - 1));
                    break;
                case JsonValue v when v.TryGetValue<bool>(out var b):
                    yield return Apply(root, path, "set: negate", r => Set(r, path, !b));
                    break;
                case JsonArray a when a.Count > 0:
                    yield return Apply(root, path, "drop the first element", r => ((JsonArray)Get(r, path)!).RemoveAt(0));
                    yield return Apply(root, path, "drop the last element", r => ((JsonArray)Get(r, path)!).RemoveAt(a.Count - 1));
                    yield return Apply(root, path, "duplicate the first element", r => ((JsonArray)Get(r, path)!).Add(Get(r, path)![0]!.DeepClone()));
                    yield return Apply(root, path, "empty", r => ((JsonArray)Get(r, path)!).Clear());
                    if (a.Count > 1)
                    {
                        yield return Apply(root, path, "swap the first two", r => Swap((JsonArray)Get(r, path)!, 0, 1));
                        yield return Apply(root, path, "reverse", r =>
                        {
                            var arr = (JsonArray)Get(r, path)!;
                            var items = arr.Select(x => x?.DeepClone()).Reverse().ToList();
                            arr.Clear();
                            foreach (var x in items)
                                arr.Add(x);
                        });
                    }
                    break;
                case JsonArray:
                    yield return Apply(root, path, "add an element", r => ((JsonArray)Get(r, path)!).Add("0x00"));
                    break;
            }
        }
    }

    private static string OtherAddress(JsonNode root, string address)
    {
        var lane = (string?)root["header"]?["lane"];
        var author = root["records"] is JsonArray { Count: > 0 } records ? (string)records[0]!["record"]!["author"]! : "0x0000000000000000000000000000000000000001";
        return lane is null || string.Equals(lane, address, StringComparison.OrdinalIgnoreCase) ? author : lane;
    }

    private static void Swap(JsonArray a, int i, int j)
    {
        var x = a[i]!.DeepClone();
        var y = a[j]!.DeepClone();
        a[i] = y;
        a[j] = x;
    }

    private static JsonNode? Get(JsonNode root, string path)
    {
        var parent = Parent(root, path, out var last);
        return last.StartsWith('[') ? parent[int.Parse(last[1..^1], System.Globalization.CultureInfo.InvariantCulture)] : parent[last];
    }

    private static Mutation Apply(JsonNode root, string path, string what, Action<JsonNode> change)
    {
        var copy = root.DeepClone();
        change(copy);
        return new Mutation(path.Length == 0 ? "answer" : path, what, copy);
    }

    /// <summary>Changes one character so that the text stays of the same alphabet (hex stays hex).</summary>
    private static string Flip(string s)
    {
        if (s.Length == 0)
            return "x";
        var i = s.StartsWith("0x", StringComparison.Ordinal) && s.Length > 2 ? 2 + (s.Length - 2) / 2 : s.Length - 1;
        var c = s[i];
        var flipped = c switch
        {
            >= '0' and < '9' => (char)(c + 1),
            '9' => '0',
            >= 'a' and < 'f' => (char)(c + 1),
            'f' => 'a',
            >= 'A' and < 'F' => (char)(c + 1),
            'F' => 'A',
            'z' => 'y',
            'Z' => 'Y',
            _ => (char)(c + 1),
        };
        return s[..i] + flipped + s[(i + 1)..];
    }

    private static IEnumerable<(string Path, JsonNode? Node)> Walk(JsonNode? node, string path)
    {
        yield return (path, node);
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o)
                    foreach (var x in Walk(child, path.Length == 0 ? name : $"{path}.{name}"))
                        yield return x;
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    foreach (var x in Walk(a[i], $"{path}[{i}]"))
                        yield return x;
                break;
        }
    }
}
