using Xunit;
using Ledger.Protocol.Epcis;
using Ledger.Protocol.Epcis.Hashing;

namespace Ledger.Protocol.Tests.Epcis;

/// <summary>
/// Event hash IDs against RalphTro/epcis-event-hash-generator's expected values (tests/examples/*.hashes,
/// asserted upstream by test_explicit_hash_values.py) and its expected_equal groups (test_required_properties.py).
/// </summary>
public class EpcisEventHashTests
{
    private const string Examples = "hash-RalphTro/examples";

    public static TheoryData<string> ExampleInputs()
    {
        var data = new TheoryData<string>();
        foreach (var f in EpcisVectors.Files(Examples, ".xml", ".jsonld"))
            if (File.Exists(EpcisVectors.PathOf(Path.ChangeExtension(f, ".hashes"))))
                data.Add(Path.GetFileName(f));
        return data;
    }

    private static string[] Lines(string path) =>
        File.ReadAllLines(EpcisVectors.PathOf(path)).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();

    [Theory]
    [MemberData(nameof(ExampleInputs))]
    public void Compute_ReferenceExample_MatchesExpectedHashes(string file)
    {
        var expected = Lines(Examples + "/" + Path.ChangeExtension(file, ".hashes"));
        var prehashFile = Examples + "/" + Path.ChangeExtension(file, ".prehashes");
        var prehashes = File.Exists(EpcisVectors.PathOf(prehashFile)) ? Lines(prehashFile) : [];
        var doc = EpcisReader.Read(EpcisVectors.Read(Examples + "/" + file));
        var actual = EpcisEventHash.ComputeAll(doc).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                var reference = i < prehashes.Length ? prehashes[i] : "(no prehash line)";
                Assert.Fail($"{file} event {i}: expected {expected[i]}, got {actual[i]}\n ours: {EpcisEventHash.PreHash(doc.Events[i], EpcisEventHash.IgnoredFields(doc))}\n  ref: {reference}");
            }
        }
    }

    [Fact]
    public void Compute_AllReferenceExamples_NoHashRepeats()
    {
        // upstream test_distinct: every event of every example XML has its own hash
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var expectedCount = 0;
        foreach (var f in EpcisVectors.Files(Examples, ".xml"))
        {
            expectedCount += Lines(Path.ChangeExtension(f, ".hashes")).Length;
            var hashes = EpcisEventHash.ComputeAll(EpcisReader.Read(EpcisVectors.Read(f)));
            for (var i = 0; i < hashes.Count; i++)
            {
                var h = hashes[i];
                Assert.False(seen.TryGetValue(h, out var other), $"{f}[{i}] repeats the hash of {other}");
                seen[h] = $"{f}[{i}]";
            }
        }
        Assert.Equal(expectedCount, seen.Count);
    }

    public static TheoryData<string> ExpectedEqualFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in EpcisVectors.Files("hash-RalphTro/expected_equal", ".xml", ".json"))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(ExpectedEqualFiles))]
    public void Compute_ExpectedEqualGroup_AllEventsShareOneHash(string file)
    {
        var doc = EpcisReader.Read(EpcisVectors.Read("hash-RalphTro/expected_equal/" + file));
        Assert.True(doc.Events.Count >= 2, $"{file} has {doc.Events.Count} events");
        var pre = doc.Events.Select(EpcisEventHash.PreHash).ToArray();
        for (var i = 1; i < pre.Length; i++)
            Assert.True(pre[0] == pre[i], $"{file}: event {i} differs from event 0\n  0: {pre[0]}\n  {i}: {pre[i]}");
    }

    [Fact]
    public void Compute_Gs1WithEventHashIdFiles_AllSevenEventsShareOneHash()
    {
        // gs1/EPCIS XML/WithEventHashID: #2 other time zone, #3 shuffled EPCs, #4 shuffled quantities,
        // #5 other namespace prefix, #6 explicit string type, #7 JSON-LD — all the same event.
        // Excluded: #2 — it changes eventTimeZoneOffset (-06:00 → -05:00), which is member 3 of the canonical
        // property order and so part of the pre-hash; the reference algorithm cannot give it the same hash
        // (see EventWithIdenticalHashId2_OtherTimeZoneOffset_DiffersOnlyInOffset below).
        var files = new[] { 1, 3, 4, 5, 6 }.Select(i => $"gs1-EPCIS/XML/WithEventHashID/event_with_identical_hash_id_{i}.xml")
            .Append("gs1-EPCIS/XML/WithEventHashID/event_with_identical_hash_id_7.json").ToList();
        var hashes = files.Select(f => (f, pre: EpcisEventHash.PreHash(Assert.Single(EpcisReader.Read(EpcisVectors.Read(f)).Events)))).ToList();
        foreach (var (f, pre) in hashes)
            Assert.True(pre == hashes[0].pre, $"{f} differs\n  1: {hashes[0].pre}\n  x: {pre}");
    }

    [Fact]
    public void PreHash_Gs1EventWithIdenticalHashId2_DiffersOnlyInOffset()
    {
        var one = EpcisEventHash.PreHash(Assert.Single(EpcisReader.Read(EpcisVectors.Read("gs1-EPCIS/XML/WithEventHashID/event_with_identical_hash_id_1.xml")).Events));
        var two = EpcisEventHash.PreHash(Assert.Single(EpcisReader.Read(EpcisVectors.Read("gs1-EPCIS/XML/WithEventHashID/event_with_identical_hash_id_2.xml")).Events));
        Assert.NotEqual(one, two);
        Assert.Equal(one, two.Replace("eventTimeZoneOffset=-05:00", "eventTimeZoneOffset=-06:00", StringComparison.Ordinal));
    }

    [Fact]
    public void PreHash_StandardsWorkedExample_MatchesString()
    {
        // STANDARDS.md §2 / examples/epcisDocWithSingleEvent.*: the verified pre-hash string and hash
        const string expectedPre = "eventType=ObjectEventeventTime=2022-02-17T02:33:31.116ZeventTimeZoneOffset=-06:00epcListepc=https://id.gs1.org/01/10614141073464/21/2017epc=https://id.gs1.org/01/10614141073464/21/2018action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shippingdisposition=https://ref.gs1.org/cbv/Disp-in_transitreadPointid=https://id.gs1.org/414/0614141073467/254/1234bizTransactionListtype=https://ref.gs1.org/cbv/BTT-pobizTransaction=http://transaction.acme.com/po/12345678";
        var e = Assert.Single(EpcisReader.Read(EpcisVectors.Read(Examples + "/epcisDocWithSingleEvent.jsonld")).Events);
        Assert.Equal(expectedPre, EpcisEventHash.PreHash(e));
        Assert.Equal("ni:///sha-256;ffa491b16867e34a7791a8d5389d826afc24e63a121026b6a4004ace38631b4b?ver=CBV2.0", EpcisEventHash.Compute(e));
    }
}
