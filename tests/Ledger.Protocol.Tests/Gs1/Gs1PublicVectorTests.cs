using Ledger.Protocol.Gs1;
using Xunit;

namespace Ledger.Protocol.Tests.Gs1;

/// <summary>
/// Replays the gs1/gs1-syntax-engine vectors (tests/vectors/gs1, see README.md there) verbatim: every case of all
/// nine files is run and must match (none is excluded).
/// </summary>
public class Gs1PublicVectorTests
{
    public static TheoryData<string> ComponentLinterIds => Gs1Vectors.Ids("component_linters.json");
    public static TheoryData<string> ElementStringIds => Gs1Vectors.Ids("ai_element_string_process.json");
    public static TheoryData<string> BracketedIds => Gs1Vectors.Ids("ai_bracketed_to_element_string.json");
    public static TheoryData<string> LinterErrorIds => Gs1Vectors.Ids("ai_linter_errors.json");
    public static TheoryData<string> AssociationIds => Gs1Vectors.Ids("ai_validate_associations.json");
    public static TheoryData<string> DigitalLinkParseIds => Gs1Vectors.Ids("digital_link_uri_to_element_string.json");
    public static TheoryData<string> DigitalLinkGenerateIds => Gs1Vectors.Ids("element_string_to_digital_link_uri.json");
    public static TheoryData<string> ScanParseIds => Gs1Vectors.Ids("scan_data_to_element_string.json");
    public static TheoryData<string> ScanGenerateIds => Gs1Vectors.Ids("element_string_to_scan_data.json");

    [Theory]
    [MemberData(nameof(ComponentLinterIds))]
    public void ComponentLinter_PublicVector_MatchesEngine(string line)
    {
        var c = Gs1Vectors.Case("component_linters.json", line);
        var linter = c.Str("linter")!["gs1_lint_".Length..];
        var input = c.Str("input")!;
        Assert.Contains(linter, Gs1Linters.Implemented);
        var error = Gs1Linters.Run(linter, input);
        if (c.Flag("expect_valid"))
        {
            Assert.Null(error);
            return;
        }
        Assert.NotNull(error);
        Assert.Equal(c.Str("expected_error"), "GS1_LINTER_" + error.Code);
        var markup = input[..error.Position] + "*" + input.Substring(error.Position, error.Length) + "*" + input[(error.Position + error.Length)..];
        Assert.Equal(c.Str("expected_markup"), markup);
    }

    [Theory]
    [MemberData(nameof(ElementStringIds))]
    public void ParseElementString_PublicVector_AcceptsOrRejects(string line)
    {
        var c = Gs1Vectors.Case("ai_element_string_process.json", line);
        var input = c.Str("element_string")!;
        if (c.Flag("expect_success"))
            Assert.NotEmpty(Gs1ElementStrings.ParseElementString(input, ForAiOnly(c.Options())));
        else
            Assert.Throws<Gs1FormatException>(() => Gs1ElementStrings.ParseElementString(input, ForAiOnly(c.Options())));
    }

    [Theory]
    [MemberData(nameof(BracketedIds))]
    public void ParseBracketed_PublicVector_GivesElementString(string line)
    {
        var c = Gs1Vectors.Case("ai_bracketed_to_element_string.json", line);
        var input = c.Str("bracketed_input")!;
        if (c.Flag("expect_success"))
            Assert.Equal(c.Str("expected_element_string"), Gs1ElementStrings.FormatElementString(Gs1ElementStrings.ParseBracketed(input, ForAiOnly(c.Options()))));
        else
            Assert.Throws<Gs1FormatException>(() => Gs1ElementStrings.ParseBracketed(input, ForAiOnly(c.Options())));
    }

    [Theory]
    [MemberData(nameof(LinterErrorIds))]
    public void ParseBracketed_LinterVector_ReportsLinterCode(string line)
    {
        var c = Gs1Vectors.Case("ai_linter_errors.json", line);
        var expected = c.Str("expected_linter_result")!;
        var input = c.Str("bracketed_input")!;
        if (expected == "GS1_LINTER_OK")
        {
            Gs1ElementStrings.ParseBracketed(input, ForAiOnly(Gs1ParseOptions.Default));
            return;
        }
        var ex = Assert.Throws<Gs1FormatException>(() => Gs1ElementStrings.ParseBracketed(input, ForAiOnly(Gs1ParseOptions.Default)));
        Assert.Equal(expected, ex.LinterCode);
    }

    [Theory]
    [MemberData(nameof(AssociationIds))]
    public void ValidateAssociations_PublicVector_AcceptsOrRejects(string line)
    {
        var c = Gs1Vectors.Case("ai_validate_associations.json", line);
        var input = c.Str("bracketed_input")!;
        if (c.Flag("expect_success"))
            Gs1ElementStrings.ParseBracketed(input, c.Options());
        else
            Assert.Throws<Gs1FormatException>(() => Gs1ElementStrings.ParseBracketed(input, c.Options()));
    }

    [Theory]
    [MemberData(nameof(DigitalLinkParseIds))]
    public void DigitalLinkParse_PublicVector_GivesElementString(string line)
    {
        var c = Gs1Vectors.Case("digital_link_uri_to_element_string.json", line);
        var uri = c.Str("dl_uri")!;
        if (c.Flag("expect_success"))
            Assert.Equal(c.Str("expected_element_string"), Gs1ElementStrings.FormatElementString(Gs1DigitalLink.Parse(uri, c.Options())));
        else
            Assert.Throws<Gs1FormatException>(() => Gs1DigitalLink.Parse(uri, c.Options()));
    }

    [Theory]
    [MemberData(nameof(DigitalLinkGenerateIds))]
    public void DigitalLinkGenerate_PublicVector_GivesUri(string line)
    {
        var c = Gs1Vectors.Case("element_string_to_digital_link_uri.json", line);
        var input = c.Str("bracketed_input")!;
        var stem = c.Str("stem");
        string Run() => Gs1DigitalLink.Generate(Gs1ElementStrings.ParseBracketed(input, c.Options()), stem, c.Options());
        if (c.Flag("expect_success"))
            Assert.Equal(c.Str("expected_dl_uri"), Run());
        else
            Assert.Throws<Gs1FormatException>(Run);
    }

    [Theory]
    [MemberData(nameof(ScanParseIds))]
    public void ScanDataParse_PublicVector_GivesSymbologyAndData(string line)
    {
        var c = Gs1Vectors.Case("scan_data_to_element_string.json", line);
        var scan = c.Str("scan_data")!;
        if (!c.Flag("expect_success"))
        {
            Assert.Throws<Gs1FormatException>(() => Gs1ScanData.Parse(scan, c.Options()));
            return;
        }
        var (symbology, data) = Gs1ScanData.Parse(scan, c.Options());
        Assert.Equal(Gs1Vectors.Symbology(c.Str("expected_symbology")!), symbology);
        Assert.Equal(c.Str("expected_data"), data);
    }

    [Theory]
    [MemberData(nameof(ScanGenerateIds))]
    public void ScanDataGenerate_PublicVector_GivesScanData(string line)
    {
        var c = Gs1Vectors.Case("element_string_to_scan_data.json", line);
        var symbology = Gs1Vectors.Symbology(c.Str("symbology")!);
        var data = c.Str("data")!;
        var expected = c.Str("expected_scan_data");
        if (expected is null)
            Assert.Throws<Gs1FormatException>(() => Gs1ScanData.Generate(symbology, data, c.EngineFlag("AddCheckDigit")));
        else
            Assert.Equal(expected, Gs1ScanData.Generate(symbology, data, c.EngineFlag("AddCheckDigit")));
    }

    /// <summary>
    /// ai.c's parse and linter tests exercise single AIs out of context, so the association rules
    /// (e.g. (10) requires (01)) are off there; upstream runs those rules only in test_ai_validateAIs.
    /// </summary>
    private static Gs1ParseOptions ForAiOnly(Gs1ParseOptions o) => o with { ValidateAssociations = false };
}
