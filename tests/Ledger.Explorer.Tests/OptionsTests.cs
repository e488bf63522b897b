using Xunit;

namespace Ledger.Explorer.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Read_NoNodes_NamesTheSettingAndRule()
    {
        var e = Assert.Throws<ExplorerOptionsException>(() => ExplorerOptions.Read([], new Dictionary<string, string?>()));
        Assert.Equal(("Nodes", "required"), (e.Field, e.Rule));
    }

    [Fact]
    public void Read_FlagsWinOverEnvironment()
    {
        var consortium = Path.GetTempFileName();
        try
        {
            var o = ExplorerOptions.Read(["--nodes", "http://127.0.0.1:9000", "--consortium", consortium],
                new Dictionary<string, string?> { ["LEDGER_EXPLORER_Nodes"] = "http://127.0.0.1:8000,http://127.0.0.1:8001", ["LEDGER_EXPLORER_Urls"] = "http://127.0.0.1:7000" });
            Assert.Equal([new Uri("http://127.0.0.1:9000")], o.Nodes);
            Assert.Equal("http://127.0.0.1:7000", o.Urls);
        }
        finally
        {
            File.Delete(consortium);
        }
    }

    [Theory]
    [InlineData("--nodes", "ftp://x", "Nodes", "url")]
    [InlineData("--bogus", "1", "--bogus", "unknown-option")]
    public void Read_BadValue_NamesTheSettingAndRule(string flag, string value, string field, string rule)
    {
        var e = Assert.Throws<ExplorerOptionsException>(() => ExplorerOptions.Read([flag, value], new Dictionary<string, string?>()));
        Assert.Equal((field, rule), (e.Field, e.Rule));
    }

    [Fact]
    public void Texts_TranslationMissingAKey_IsRefusedNamingIt()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "{\"lang\":\"fr\"}");
            var e = Assert.Throws<FormatException>(() => Texts.Load(path));
            Assert.Contains("missing text", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Html_Holes_AreEncoded()
    {
        var evil = "<script>alert(1)</script>";
        Assert.Equal("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", Html.Of($"<p>{evil}</p>").Value);
    }
}
