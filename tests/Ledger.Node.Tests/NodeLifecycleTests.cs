using System.Net;
using System.Text.Json;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Node.Tests;

/// <summary>First run, restart, shutdown and refusal to start, each with its own `ledger node run` process.</summary>
public class NodeLifecycleTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    private static async Task<Address> ServedAddressAsync(NodeProcess node)
    {
        using var doc = JsonDocument.Parse(await node.Client.GetStringAsync("/v1/node"));
        return Address.Parse(doc.RootElement.GetProperty("address").GetString()!);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task FirstRun_NewDataDirectory_CreatesKeyFileMode0600AndNodeJson()
    {
        await using var node = await NodeProcess.StartAsync();
        var served = await ServedAddressAsync(node);

        var keyPath = Path.Combine(node.DataDirectory, "node.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        using var key = JsonDocument.Parse(await File.ReadAllTextAsync(keyPath));
        Assert.Equal(1, key.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("secp256k1", key.RootElement.GetProperty("kind").GetString());
        var privateKeyHex = key.RootElement.GetProperty("privateKey").GetString()!;
        var derived = PrivateKey.Parse(privateKeyHex).Address;
        Assert.Equal(derived, Address.Parse(key.RootElement.GetProperty("address").GetString()!));
        Assert.Equal(derived, served);

        using var meta = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(node.DataDirectory, "node.json")));
        Assert.Equal(1, meta.RootElement.GetProperty("formatVersion").GetInt32());
        Assert.Equal(derived, Address.Parse(meta.RootElement.GetProperty("address").GetString()!));
        Assert.True(DateTimeOffset.TryParse(meta.RootElement.GetProperty("created").GetString(), out _));

        // The node says where it listens and which address it has, and never prints its secret.
        Assert.All(Lines(node.StdOut), l => Assert.StartsWith("listening on http://127.0.0.1:", l, StringComparison.Ordinal));
        Assert.Contains(node.BaseAddress.ToString().TrimEnd('/'), node.StdOut, StringComparison.Ordinal);
        Assert.Contains(derived.ToString(), node.StdErr, StringComparison.Ordinal);
        var secret = privateKeyHex[2..];
        Assert.DoesNotContain(secret, node.StdOut, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(secret, node.StdErr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Restart_SameDataDirectory_ServesTheSameAddress()
    {
        using var dir = new TestDirectory();
        var data = Path.Combine(dir.Path, "node");
        Address first;
        string keyBefore;
        await using (var node = await NodeProcess.StartAsync(data))
        {
            first = await ServedAddressAsync(node);
            keyBefore = await File.ReadAllTextAsync(Path.Combine(data, "node.key"));
            Assert.Equal(0, await node.SignalAndWaitForExitAsync("TERM", ExitTimeout));
        }
        await using (var node = await NodeProcess.StartAsync(data))
        {
            Assert.Equal(first, await ServedAddressAsync(node));
            Assert.Contains("node key loaded", node.StdErr, StringComparison.Ordinal);
        }
        Assert.Equal(keyBefore, await File.ReadAllTextAsync(Path.Combine(data, "node.key")));
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Signal_Running_ShutsDownGracefullyWithCode0(string signal)
    {
        await using var node = await NodeProcess.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await node.Client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(0, await node.SignalAndWaitForExitAsync(signal, ExitTimeout));
        Assert.Contains("shutting down", node.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_KeyFileReadableByOthers_RefusesWithExit2NamingKeyAndRule()
    {
        using var dir = new TestDirectory();
        var data = Path.Combine(dir.Path, "node");
        await using (var node = await NodeProcess.StartAsync(data))
            Assert.Equal(0, await node.SignalAndWaitForExitAsync("TERM", ExitTimeout));
        var keyPath = Path.Combine(data, "node.key");
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var r = await NodeProcess.RunToExitAsync(["node", "run", "--data", data, "--urls", "http://127.0.0.1:0"]);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        var line = Assert.Single(Lines(r.StdErr));
        Assert.StartsWith("node.key:", line, StringComparison.Ordinal);
        Assert.Contains("0644", line, StringComparison.Ordinal);
        Assert.EndsWith("[mode]", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NodeJsonWithoutKey_RefusesRatherThanChangeIdentity()
    {
        using var dir = new TestDirectory();
        var data = Path.Combine(dir.Path, "node");
        await using (var node = await NodeProcess.StartAsync(data))
            Assert.Equal(0, await node.SignalAndWaitForExitAsync("TERM", ExitTimeout));
        File.Delete(Path.Combine(data, "node.key"));

        var r = await NodeProcess.RunToExitAsync(["node", "run", "--data", data, "--urls", "http://127.0.0.1:0"]);

        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(Lines(r.StdErr));
        Assert.StartsWith("node.key:", line, StringComparison.Ordinal);
        Assert.EndsWith("[missing]", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, "node.key")));
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:21", "Urls", "url")]
    [InlineData("not a url", "Urls", "url")]
    [InlineData("http://localhost:0", "Urls", "url")]
    [InlineData("http://0.0.0.0:0", "Urls", "plain-http")]
    [InlineData("https://127.0.0.1:0", "Kestrel:Certificates:Default:Path", "required")]
    public async Task Start_UrlsNotServable_RefusesWithExit2NamingTheSetting(string urls, string field, string rule)
    {
        using var dir = new TestDirectory();
        var r = await NodeProcess.RunToExitAsync(["node", "run", "--data", Path.Combine(dir.Path, "node"), "--urls", urls]);
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(Lines(r.StdErr));
        Assert.StartsWith(field + ":", line, StringComparison.Ordinal);
        Assert.EndsWith($"[{rule}]", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ConfigFileNotJson_RefusesWithExit2NamingConfig()
    {
        using var dir = new TestDirectory();
        var configFile = Path.Combine(dir.Path, "node-config.json");
        await File.WriteAllTextAsync(configFile, "{ \"DataDirectory\": ");
        var r = await NodeProcess.RunToExitAsync(["node", "run", "--config", configFile, "--urls", "http://127.0.0.1:0"]);
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(Lines(r.StdErr));
        Assert.StartsWith("--config:", line, StringComparison.Ordinal);
        Assert.EndsWith("[json]", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NoDataDirectoryGiven_UsesDotDataNodeInTheWorkingDirectory()
    {
        using var cwd = new TestDirectory();
        await using var node = await NodeProcess.StartAsync(workingDirectory: cwd.Path, passData: false);
        Assert.True(File.Exists(Path.Combine(cwd.Path, ".data", "node", "node.key")));
    }

    /// <summary>withEnv, withFlag, the data directory that must win.</summary>
    public static TheoryData<bool, bool, string> Layers => new()
    {
        // the config file always names "config"; LEDGER_DATADIRECTORY names "env"; --data names "flag"
        { false, false, "config" },
        { true, false, "env" },
        { true, true, "flag" },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public async Task Start_ConfigEnvironmentFlags_LaterLayersOverrideEarlier(bool withEnv, bool withFlag, string expected)
    {
        using var dir = new TestDirectory();
        string Data(string name) => Path.Combine(dir.Path, name);
        var configFile = Path.Combine(dir.Path, "node-config.json");
        await File.WriteAllTextAsync(configFile, JsonSerializer.Serialize(new { DataDirectory = Data("config") }));
        var env = withEnv ? new Dictionary<string, string> { ["LEDGER_DATADIRECTORY"] = Data("env") } : null;

        await using var node = withFlag
            ? await NodeProcess.StartAsync(Data("flag"), ["--config", configFile], env)
            : await NodeProcess.StartAsync(args: ["--config", configFile], environment: env, passData: false);

        var served = await ServedAddressAsync(node);
        string[] all = ["config", "env", "flag"];
        foreach (var name in all)
            Assert.Equal(name == expected, File.Exists(Path.Combine(Data(name), "node.key")));
        using var key = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Data(expected), "node.key")));
        Assert.Equal(served, Address.Parse(key.RootElement.GetProperty("address").GetString()!));
    }
}
