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

    [Fact]
    public void Bind_CaptureJobRetention_SevenDaysByDefault()
    {
        var o = NodeOptions.Bind(NodeOptions.BuildConfiguration(null));
        Assert.Equal(TimeSpan.FromDays(7), o.Epcis.CaptureJobRetention);
        Assert.Equal(TimeSpan.FromHours(1), o.Epcis.CaptureJobPruneInterval);
        Assert.Equal(TimeSpan.FromDays(2), NodeOptions.Bind(NodeOptions.BuildConfiguration(null, [new("Epcis:CaptureJobRetention", "2.00:00:00")])).Epcis.CaptureJobRetention);
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
    [InlineData("Epcis:CaptureJobRetention", "00:00:00", "range")]
    [InlineData("Epcis:CaptureJobPruneInterval", "2.00:00:00", "range")]
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
    public void Validate_KestrelWildcardsAndIpAddresses_AreAcceptedWithAllowPlainHttp(string urls)
    {
        var o = new NodeOptions { Urls = urls, AllowPlainHttp = true };
        o.Validate();
        Assert.NotEmpty(o.ListenUrls());
    }

    [Theory]
    [InlineData("http://*:8080")]
    [InlineData("http://+:8080")]
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("http://127.0.0.1:0;http://192.0.2.10:8080")]
    [InlineData("http://[::]:8080")]
    public void Validate_PlainHttpBeyondLoopback_RefusedNamingUrlsAndAllowPlainHttp(string urls)
    {
        var ex = Assert.Throws<NodeConfigurationException>(() => new NodeOptions { Urls = urls }.Validate());
        Assert.Equal("Urls", ex.Field);
        Assert.Equal("plain-http", ex.Rule);
        Assert.Contains("AllowPlainHttp", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Kestrel:Certificates:Default:Path", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://127.0.0.2:0")]
    [InlineData("http://[::1]:0")]
    [InlineData("http://localhost:8080")]
    public void Validate_PlainHttpOnLoopback_IsAccepted(string urls)
    {
        new NodeOptions { Urls = urls }.Validate();
    }

    [Fact]
    public void Bind_HttpsWithoutCertificate_ThrowsNamingTheCertificateSetting()
    {
        var ex = Assert.Throws<NodeConfigurationException>(() =>
            NodeOptions.Bind(NodeOptions.BuildConfiguration(null, [new("Urls", "https://0.0.0.0:8443")])));
        Assert.Equal("Kestrel:Certificates:Default:Path", ex.Field);
        Assert.Equal("required", ex.Rule);
    }

    [Fact]
    public void Bind_CertificateFileMissing_ThrowsNamingThePath()
    {
        var ex = Assert.Throws<NodeConfigurationException>(() => NodeOptions.Bind(NodeOptions.BuildConfiguration(null,
        [
            new("Urls", "https://0.0.0.0:8443"),
            new("Kestrel:Certificates:Default:Path", Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".pem")),
        ])));
        Assert.Equal("Kestrel:Certificates:Default:Path", ex.Field);
        Assert.Equal("exists", ex.Rule);
    }

    [Fact]
    public void Bind_KestrelEndpointWithPlainHttpBeyondLoopback_ThrowsNamingTheEndpoint()
    {
        var ex = Assert.Throws<NodeConfigurationException>(() => NodeOptions.Bind(NodeOptions.BuildConfiguration(null,
            [new("Kestrel:Endpoints:Partners:Url", "http://0.0.0.0:8080")])));
        Assert.Equal("Kestrel:Endpoints:Partners:Url", ex.Field);
        Assert.Equal("plain-http", ex.Rule);
    }

    [Theory]
    [InlineData("RateLimits:Window", "00:00:00", "range")]
    [InlineData("RateLimits:PartyRequests", "0", "range")]
    [InlineData("RateLimits:AnonymousVerifications", "-1", "range")]
    [InlineData("RateLimits:FailedAuthentications", "many", "type")]
    public void Bind_BadRateLimit_ThrowsNamingTheSetting(string key, string value, string rule)
    {
        var ex = Assert.Throws<NodeConfigurationException>(() => NodeOptions.Bind(NodeOptions.BuildConfiguration(null, [new(key, value)])));
        Assert.Equal(rule, ex.Rule);
        if (rule != "type")
            Assert.Equal(key, ex.Field);
    }

    [Fact]
    public void BuildConfiguration_MissingFile_ThrowsNamingConfig()
    {
        var ex = Assert.Throws<NodeConfigurationException>(() => NodeOptions.BuildConfiguration(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".json")));
        Assert.Equal("--config", ex.Field);
        Assert.Equal("exists", ex.Rule);
    }
}
