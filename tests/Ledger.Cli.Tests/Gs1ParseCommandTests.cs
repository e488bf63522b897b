using System.Text.Json;
using Xunit;

namespace Ledger.Cli.Tests;

/// <summary>`ledger gs1 parse` run as a real child process.</summary>
public class Gs1ParseCommandTests
{
    private const char Gs = '\u001D';

    private static JsonElement Json(CliResult r)
    {
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("", r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Parse_DataMatrixScan_PrintsAllFields()
    {
        var scan = "]d20109520123456788172603001012AB" + Gs + "21SN0001";
        var j = Json(await CliRunner.RunAsync("gs1", "parse", scan, "--gcp-length", "7"));
        Assert.Equal("09520123456788", j.GetProperty("gtin").GetString());
        Assert.Equal("SN0001", j.GetProperty("serial").GetString());
        Assert.Equal("12AB", j.GetProperty("lot").GetString());
        // DD=00: the last day of the month; the century comes from the current year, 26 is within the window for years 1976-2075.
        Assert.EndsWith("26-03-31", j.GetProperty("expiry").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("sscc").ValueKind);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("gln").ValueKind);
        Assert.Equal("https://id.gs1.org/01/09520123456788/10/12AB/21/SN0001?17=260300", j.GetProperty("digitalLink").GetString());
        Assert.Equal("urn:epc:id:sgtin:9520123.045678.SN0001", j.GetProperty("epcUri").GetString());
        Assert.Equal("0109520123456788172603001012AB" + Gs + "21SN0001", j.GetProperty("elementString").GetString());
        Assert.Contains("\\u001D", j.GetProperty("elementString").GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("(01)09520123456788(17)260300(10)12AB(21)SN0001", j.GetProperty("bracketed").GetString());
        Assert.Equal("DataMatrix", j.GetProperty("symbology").GetString());
        var ais = j.GetProperty("ais").EnumerateArray().ToList();
        Assert.Equal(["01", "17", "10", "21"], ais.Select(a => a.GetProperty("ai").GetString()));
        Assert.Equal("GTIN", ais[0].GetProperty("title").GetString());
        Assert.Equal("SN0001", ais[3].GetProperty("value").GetString());
    }

    [Fact]
    public async Task Parse_EpcUri_FillsEpcUriWithoutGcpOption()
    {
        var j = Json(await CliRunner.RunAsync("gs1", "parse", "urn:epc:id:sscc:4012345.0000000111"));
        Assert.Equal("040123450000001112", j.GetProperty("sscc").GetString());
        Assert.Equal("https://id.gs1.org/00/040123450000001112", j.GetProperty("digitalLink").GetString());
        Assert.Equal("urn:epc:id:sscc:4012345.0000000111", j.GetProperty("epcUri").GetString());
        Assert.Equal(JsonValueKind.Null, j.GetProperty("symbology").ValueKind);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("gtin").ValueKind);
    }

    [Fact]
    public async Task Parse_DigitalLinkWithoutGcp_LeavesEpcUriNull()
    {
        var j = Json(await CliRunner.RunAsync("gs1", "parse", "https://id.gs1.org/414/0614141073467/254/1234"));
        Assert.Equal("0614141073467", j.GetProperty("gln").GetString());
        Assert.Equal(JsonValueKind.Null, j.GetProperty("epcUri").ValueKind);
        Assert.Equal("(414)0614141073467(254)1234", j.GetProperty("bracketed").GetString());
    }

    [Theory]
    [InlineData("(01)09520123456789(21)SN1", "AI (01)", "check-digit")]
    [InlineData("(01)09520123456788(17)260230(21)SN1", "AI (17)", "date")]
    [InlineData("(01)09520123456788(10)LOT 1", "AI (10)", "cset82")]
    [InlineData("(21)SN1", "AI (21)", "requires")]
    [InlineData("not gs1", "input", "syntax")]
    public async Task Parse_InvalidInput_ExitsTwoWithOneStderrLine(string input, string field, string rule)
    {
        var r = await CliRunner.RunAsync("gs1", "parse", input);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith(field + ": ", lines[0], StringComparison.Ordinal);
        Assert.Contains("[" + rule + "]", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_BadGcpLength_ExitsTwo()
    {
        var r = await CliRunner.RunAsync("gs1", "parse", "(01)09520123456788(21)SN1", "--gcp-length", "5");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("gcp-length", r.StdErr, StringComparison.Ordinal);
    }
}
