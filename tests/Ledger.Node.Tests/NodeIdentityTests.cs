using System.Text.Json.Nodes;
using Xunit;

namespace Ledger.Node.Tests;

/// <summary>The data directory's identity files, in process.</summary>
public class NodeIdentityTests
{
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly DateTimeOffset Day1 = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
    private static readonly DateTimeOffset Day2 = new(2026, 2, 3, 4, 5, 6, TimeSpan.Zero);

    [Fact]
    public void LoadOrCreate_SecondRun_LoadsTheSameKeyAndTheFirstCreatedTime()
    {
        using var dir = new TestDirectory();
        var data = Path.Combine(dir.Path, "a", "b");
        var first = NodeIdentity.LoadOrCreate(data, new FixedTime(Day1));
        var second = NodeIdentity.LoadOrCreate(data, new FixedTime(Day2));

        Assert.True(first.IsNew);
        Assert.False(second.IsNew);
        Assert.Equal(first.Address, second.Address);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), second.Created);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
    }

    [Fact]
    public void LoadOrCreate_NodeJsonMissing_RewritesItForTheExistingKey()
    {
        using var dir = new TestDirectory();
        var first = NodeIdentity.LoadOrCreate(dir.Path, new FixedTime(Day1));
        File.Delete(Path.Combine(dir.Path, "node.json"));

        var again = NodeIdentity.LoadOrCreate(dir.Path, new FixedTime(Day2));

        Assert.Equal(first.Address, again.Address);
        var meta = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "node.json")))!;
        Assert.Equal(first.Address.ToString(), (string?)meta["address"]);
        Assert.Equal("2026-02-03T04:05:06Z", (string?)meta["created"]);
    }

    [Theory]
    [InlineData("address", "mismatch")]
    [InlineData("formatVersion", "version")]
    [InlineData("created", "format")]
    public void LoadOrCreate_NodeJsonEdited_ThrowsNamingNodeJsonAndRule(string member, string rule)
    {
        using var dir = new TestDirectory();
        NodeIdentity.LoadOrCreate(dir.Path, new FixedTime(Day1));
        var path = Path.Combine(dir.Path, "node.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json[member] = member switch
        {
            "address" => Ledger.Protocol.Crypto.PrivateKey.Generate().Address.ToString(),
            "formatVersion" => 2,
            _ => "yesterday",
        };
        File.WriteAllText(path, json.ToJsonString());

        var ex = Assert.Throws<NodeConfigurationException>(() => NodeIdentity.LoadOrCreate(dir.Path, new FixedTime(Day2)));
        Assert.Equal("node.json", ex.Field);
        Assert.Equal(rule, ex.Rule);
    }
}
