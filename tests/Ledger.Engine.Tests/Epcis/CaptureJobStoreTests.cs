using Ledger.Engine.Epcis;
using Ledger.Engine.Tests.Lane;
using Xunit;
using static Ledger.Engine.Tests.Lane.LaneFixture;

namespace Ledger.Engine.Tests.Epcis;

public sealed class CaptureJobStoreTests
{
    private static readonly DateTimeOffset T = DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static CaptureJob Job(DateTimeOffset created, string? id = null) =>
        new(id ?? CaptureJobStore.NewId(), Maker.Address, created.ToUnixTimeMilliseconds(), $"{{\"captureID\":\"x\",\"at\":\"{created:O}\"}}");

    [Fact]
    public async Task Save_ThenReopen_ReturnsTheSameJob()
    {
        await using var f = new LaneFixture();
        var job = Job(T);
        new CaptureJobStore(f.Engine.Store).Save(job);
        await f.ReopenAsync();
        var read = new CaptureJobStore(f.Engine.Store).Get(job.Id);
        Assert.Equal(job, read);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0123456789ABCDEF0123456789abcdef")]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData("../../node.key")]
    public async Task Get_NotAnId_Null(string id)
    {
        await using var f = new LaneFixture();
        Assert.Null(new CaptureJobStore(f.Engine.Store).Get(id));
    }

    [Fact]
    public async Task Save_IdNotHex_ThrowsNamingTheId()
    {
        await using var f = new LaneFixture();
        var e = Assert.Throws<ArgumentException>(() => new CaptureJobStore(f.Engine.Store).Save(Job(T, "not-an-id")));
        Assert.Contains("not-an-id", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prune_DeletesExactlyTheJobsCreatedBeforeTheCutoff()
    {
        await using var f = new LaneFixture();
        var jobs = new CaptureJobStore(f.Engine.Store);
        var old = Enumerable.Range(0, 3).Select(i => Job(T.AddDays(-10).AddMinutes(i))).ToList();
        var young = Enumerable.Range(0, 2).Select(i => Job(T.AddDays(-1).AddMinutes(i))).ToList();
        foreach (var job in old.Concat(young))
            jobs.Save(job);
        Assert.Equal(5, jobs.Count());
        Assert.Equal(3, jobs.Prune(T.AddDays(-7)));
        Assert.All(old, j => Assert.Null(jobs.Get(j.Id)));
        Assert.All(young, j => Assert.Equal(j, jobs.Get(j.Id)));
        Assert.Equal(0, jobs.Prune(T.AddDays(-7)));
        await f.ReopenAsync();
        Assert.Equal(2, new CaptureJobStore(f.Engine.Store).Count());
    }

    [Fact]
    public async Task ImportLegacyFiles_MovesJobsInAndLeavesWhatIsNotAJob()
    {
        await using var f = new LaneFixture();
        var data = Path.Combine(f.Directory, "data");
        var folder = Path.Combine(data, CaptureJobStore.LegacyDirectoryName);
        Directory.CreateDirectory(folder);
        var id = CaptureJobStore.NewId();
        var json = $"{{\"captureID\":\"{id}\",\"createdAt\":\"2026-12-01T09:00:00.0000000+00:00\",\"party\":\"{Maker.Address}\",\"events\":[]}}";
        File.WriteAllText(Path.Combine(folder, id + ".json"), json);
        var torn = CaptureJobStore.NewId() + ".json";
        File.WriteAllText(Path.Combine(folder, torn), json[..20]);
        var jobs = new CaptureJobStore(f.Engine.Store);
        var import = jobs.ImportLegacyFiles(data);
        Assert.Equal(1, import.Imported);
        Assert.Equal([torn], import.Skipped);
        Assert.Equal(new CaptureJob(id, Maker.Address, T.AddHours(-1).ToUnixTimeMilliseconds(), json), jobs.Get(id));
        Assert.Equal([torn], Directory.EnumerateFiles(folder).Select(Path.GetFileName));
        // Once more (as after a crash during the import): nothing changes.
        Assert.Equal(0, jobs.ImportLegacyFiles(data).Imported);
        Assert.Equal(1, jobs.Count());
    }
}
