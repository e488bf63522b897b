using Xunit;

namespace Ledger.Node.Tests;

/// <summary>Settings binding, in process (the layering with real environment variables is tested on the real process).</summary>
public class NodeOptionsTests
{
    [Fact]
    public void Bind_NothingGiven_UsesTheEmbeddedDefaults()
    {
        var o = NodeOptions.Bind(NodeOptions.BuildConfiguration(null));
        Assert.Equal(".data/node", o.DataDirectory);
        Assert.Equal("http://127.0.0.1:8080", o.Urls);
        Assert.Equal(16 * 1024 * 1024, o.MaxRequestBodyBytes);
    }

    [Fact]
    public void Bind_ConfigFileAndOverride_OverrideWinsAndFileFillsTheRest()
    {
        using var dir = new TestDirectory();
        var file = Path.Combine(dir.Path, "c.json");
        File.WriteAllText(file, """{"DataDirectory":"from-file","Urls":"http://127.0.0.1:9000","MaxRequestBodyBytes":1024}""");
        var o = NodeOptions.Bind(NodeOptions.BuildConfiguration(file, [new("DataDirectory", "from-flag")]));
        Assert.Equal("from-flag", o.DataDirectory);
        Assert.Equal("http://127.0.0.1:9000", o.Urls);
        Assert.Equal(1024, o.MaxRequestBodyBytes);
    }

    [Fact]
    public void Bind_LaneLowPriorityBackground_OnByDefaultAndOffByConfiguration()
    {
        Assert.True(NodeOptions.Bind(NodeOptions.BuildConfiguration(null)).Lane.LowPriorityBackground);
        var off = NodeOptions.Bind(NodeOptions.BuildConfiguration(null, [new("Lane:LowPriorityBackground", "false")]));
        Assert.False(off.Lane.LowPriorityBackground);
    }

    [Theory]
    [InlineData("MaxRequestBodyBytes", "lots", "type")]
    [InlineData("MaxRequestBodyBytes", "0", "range")]
    [InlineData("Urls", "", "required")]
    [InlineData("Urls", "http://127.0.0.1:1;tcp://x", "url")]
    [InlineData("DataDirectory", " ", "required")]
    [InlineData("Lane:IndexCacheMb", "0", "range")]
    [InlineData("Lane:StateCacheNodes", "-1", "range")]
    [InlineData("Lane:StateCheckpointNodes", "0", "range")]
    [InlineData("Lane:BlockCacheRecords", "-5", "range")]
    public void Bind_BadValue_ThrowsNamingTheRule(string key, string value, string rule)
    {
        var ex = Assert.Throws<NodeConfigurationException>(() => NodeOptions.Bind(NodeOptions.BuildConfiguration(null, [new(key, value)])));
        Assert.Equal(rule, ex.Rule);
        Assert.EndsWith($"[{rule}]", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://*:8080")]
    [InlineData("http://+:8080")]
    [InlineData("http://0.0.0.0:8080;http://[::1]:0")]
    public void Validate_KestrelWildcardsAndIpAddresses_AreAccepted(string urls)
    {
        var o = new NodeOptions { Urls = urls };
        o.Validate();
        Assert.NotEmpty(o.ListenUrls());
    }

    [Fact]
    public void BuildConfiguration_MissingFile_ThrowsNamingConfig()
    {
        var ex = Assert.Throws<NodeConfigurationException>(() => NodeOptions.BuildConfiguration(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".json")));
        Assert.Equal("--config", ex.Field);
        Assert.Equal("exists", ex.Rule);
    }
}
