using System.Text.Json;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Cli.Tests;

public sealed class KeyCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ledger-keygen-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_dir.FullName, name);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public async Task Keygen_NewFile_Writes0600KeyFileWhoseKeyDerivesThePrintedAddress()
    {
        var file = PathOf("party.json");
        var r = await CliRunner.RunAsync("keygen", "--out", file);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.StdErr);
        var printed = Json(r.StdOut);
        Assert.Equal(file, printed.GetProperty("keyFile").GetString());
        var address = printed.GetProperty("address").GetString()!;

        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var content = Json(File.ReadAllText(file));
        Assert.Equal(1, content.GetProperty("version").GetInt32());
        Assert.Equal("secp256k1", content.GetProperty("kind").GetString());
        var key = PrivateKey.Parse(content.GetProperty("privateKey").GetString()!);
        Assert.Equal(address, key.Address.ToString()); // EIP-55 form, derived independently of the CLI
        Assert.Equal(address, content.GetProperty("address").GetString());
        Assert.Equal(key.Address, Address.Parse(address));
    }

    [Fact]
    public async Task Keygen_ExistingFile_RefusesAndLeavesItUnchanged()
    {
        var file = PathOf("party.json");
        Assert.Equal(0, (await CliRunner.RunAsync("keygen", "--out", file)).ExitCode);
        var before = File.ReadAllBytes(file);
        var r = await CliRunner.RunAsync("keygen", "--out", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        var line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("--out:", line, StringComparison.Ordinal);
        Assert.Contains("already exists", line, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public async Task Keygen_ExistingFileWithForce_ReplacesKeyAndKeeps0600()
    {
        var file = PathOf("party.json");
        var first = Json((await CliRunner.RunAsync("keygen", "--out", file)).StdOut).GetProperty("address").GetString();
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var r = await CliRunner.RunAsync("keygen", "--out", file, "--force");
        Assert.Equal(0, r.ExitCode);
        var second = Json(r.StdOut).GetProperty("address").GetString();
        Assert.NotEqual(first, second);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Single(Directory.GetFiles(_dir.FullName)); // no temporary file left behind
    }

    [Fact]
    public async Task KeygenShow_KeyFile_PrintsItsAddress()
    {
        var file = PathOf("party.json");
        var address = Json((await CliRunner.RunAsync("keygen", "--out", file)).StdOut).GetProperty("address").GetString();
        var r = await CliRunner.RunAsync("keygen", "show", "--key-file", file);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.StdErr);
        Assert.Equal(address, Json(r.StdOut).GetProperty("address").GetString());
    }

    [Fact]
    public async Task KeygenShow_GroupReadableFile_WarnsButSucceeds()
    {
        if (OperatingSystem.IsWindows())
            return;
        var file = PathOf("party.json");
        Assert.Equal(0, (await CliRunner.RunAsync("keygen", "--out", file)).ExitCode);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var r = await CliRunner.RunAsync("keygen", "show", "--key-file", file);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("accessible by group or others", r.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "does not exist")]
    [InlineData("not json", "is not valid JSON")]
    [InlineData("{\"version\":2,\"kind\":\"secp256k1\",\"privateKey\":\"0x01\"}", "keyFile.version")]
    [InlineData("{\"version\":1,\"kind\":\"secp256k1\",\"privateKey\":\"0x0000000000000000000000000000000000000000000000000000000000000000\"}", "keyFile.privateKey")]
    [InlineData("{\"version\":1,\"kind\":\"secp256k1\",\"privateKey\":\"0x4646464646464646464646464646464646464646464646464646464646464646\",\"address\":\"0x0000000000000000000000000000000000000000\"}", "does not match the private key")]
    public async Task KeygenShow_BadKeyFile_ExitsTwoWithOneLine(string? content, string expected)
    {
        var file = PathOf("bad.json");
        if (content is not null)
            await File.WriteAllTextAsync(file, content);
        var r = await CliRunner.RunAsync("keygen", "show", "--key-file", file);
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => !l.StartsWith("warning:", StringComparison.Ordinal));
        Assert.StartsWith("--key-file:", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }
}
