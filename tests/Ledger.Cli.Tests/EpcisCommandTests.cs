using Ledger.Protocol.Epcis;
using Xunit;

namespace Ledger.Cli.Tests;

/// <summary>`ledger epcis hash|convert` run as a real child process.</summary>
public class EpcisCommandTests
{
    private static string Vector(string relative) => Path.Combine(AppContext.BaseDirectory, "vectors", "epcis", relative.Replace('/', Path.DirectorySeparatorChar));

    private const string Pharma = "openepcis-test-resources/1.2/EPCIS/XML/Capture/Documents/GS1_US_Pharma_Example_2_2_1_1.xml";

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static TheoryData<string> HashExamples()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Vector("hash-RalphTro/examples")).Order(StringComparer.Ordinal))
            if ((f.EndsWith(".xml", StringComparison.Ordinal) || f.EndsWith(".jsonld", StringComparison.Ordinal)) && File.Exists(Path.ChangeExtension(f, ".hashes")))
                data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(HashExamples))]
    public async Task Hash_ReferenceExample_PrintsExpectedHashesInOrder(string file)
    {
        var path = Vector("hash-RalphTro/examples/" + file);
        var r = await CliRunner.RunAsync("epcis", "hash", path);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(Lines(File.ReadAllText(Path.ChangeExtension(path, ".hashes"))).Select(l => l.Trim()), Lines(r.StdOut));
        Assert.Equal("", r.StdErr);
    }

    [Fact]
    public async Task Hash_StandardsWorkedExample_PrintsOneLine()
    {
        var r = await CliRunner.RunAsync("epcis", "hash", Vector("hash-RalphTro/examples/epcisDocWithSingleEvent.jsonld"));
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("ni:///sha-256;ffa491b16867e34a7791a8d5389d826afc24e63a121026b6a4004ace38631b4b?ver=CBV2.0\n", r.StdOut);
    }

    [Theory]
    [InlineData("openepcis-test-resources/2.0/EPCIS/JSON/Capture/Invalid/ObjectEvent_with_invalid_action.json", "epcisBody.eventList[0].action", "enum")]
    [InlineData("openepcis-test-resources/2.0/EPCIS/XML/Capture/Invalid/ObjectEvent_with_wrong_element_order.xml", "epcisBody.eventList[0].eventTime", "order")]
    [InlineData("openepcis-test-resources/2.0/EPCIS/JSON/Capture/Invalid/EPCISDocument_without_context.json", "@context", "required")]
    public async Task Hash_InvalidDocument_Exit2WithOneLineNamingFieldAndRule(string file, string field, string rule)
    {
        var r = await CliRunner.RunAsync("epcis", "hash", Vector(file));
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        var line = Assert.Single(Lines(r.StdErr));
        Assert.Contains(field, line, StringComparison.Ordinal);
        Assert.Contains("rule: " + rule, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hash_JumbledXmlWithLenientOrder_MatchesJsonTwin()
    {
        var xml = await CliRunner.RunAsync("epcis", "hash", "--lenient-order", Vector("openepcis-test-resources/2.0/EPCIS/XML/Capture/Documents/JumbledFieldsOrder.xml"));
        var json = await CliRunner.RunAsync("epcis", "hash", Vector("openepcis-test-resources/2.0/EPCIS/JSON/Capture/Documents/JumbledFieldsOrder.json"));
        Assert.Equal((0, 0), (xml.ExitCode, json.ExitCode));
        Assert.Equal(json.StdOut, xml.StdOut);
        Assert.Single(Lines(xml.StdOut));
    }

    [Fact]
    public async Task Hash_MissingFile_Exit2()
    {
        var r = await CliRunner.RunAsync("epcis", "hash", Path.Combine(Path.GetTempPath(), "no-such-epcis-" + Guid.NewGuid().ToString("N") + ".json"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("rule: readable", Assert.Single(Lines(r.StdErr)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("jsonld")]
    [InlineData("xml")]
    [InlineData("xml12")]
    public async Task Convert_PharmaThenHash_SameHashesAsOriginal(string target)
    {
        var original = await CliRunner.RunAsync("epcis", "hash", Vector(Pharma));
        Assert.Equal(0, original.ExitCode);
        Assert.Equal(8, Lines(original.StdOut).Length);

        var converted = await CliRunner.RunAsync("epcis", "convert", Vector(Pharma), "--to", target);
        Assert.True(converted.ExitCode == 0, converted.StdErr);
        var expectedBinding = target switch { "jsonld" => EpcisBinding.JsonLd, "xml" => EpcisBinding.Xml20, _ => EpcisBinding.Xml1 };
        Assert.Equal(expectedBinding, EpcisReader.Detect(converted.StdOut));

        var temp = Path.Combine(Path.GetTempPath(), $"ledger-epcis-{Guid.NewGuid():N}.{(target == "jsonld" ? "jsonld" : "xml")}");
        try
        {
            await File.WriteAllTextAsync(temp, converted.StdOut);
            var rehashed = await CliRunner.RunAsync("epcis", "hash", temp);
            Assert.Equal(0, rehashed.ExitCode);
            Assert.Equal(original.StdOut, rehashed.StdOut);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    [Fact]
    public async Task Convert_AssociationEventToXml12_Exit2NamingFeature()
    {
        var r = await CliRunner.RunAsync("epcis", "convert", Vector("gs1-EPCIS/JSON/AssociationEvent/AssociationEvent-a.jsonld"), "--to", "xml12");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        Assert.Contains("AssociationEvent", Assert.Single(Lines(r.StdErr)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convert_UnknownTarget_Exit2()
    {
        var r = await CliRunner.RunAsync("epcis", "convert", Vector(Pharma), "--to", "csv");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--to", Assert.Single(Lines(r.StdErr)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convert_InvalidDocument_Exit2()
    {
        var r = await CliRunner.RunAsync("epcis", "convert", Vector("openepcis-test-resources/2.0/EPCIS/JSON/Capture/Invalid/ObjectEvent_with_quantity_as_text.json"), "--to", "xml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        Assert.Contains("quantityList[0].quantity", Assert.Single(Lines(r.StdErr)), StringComparison.Ordinal);
    }
}
