using System.Diagnostics;

namespace Ledger.Engine.Faults;

/// <summary>
/// Named fault points at the seams of the write paths, for deterministic crash tests. A test arms exactly one point;
/// unarmed (<see cref="None"/>, the default everywhere outside tests), <see cref="Reach"/> does nothing.
/// <para>
/// Two ways to arm a point, both explicit test switches:
/// <list type="bullet">
/// <item>a node process started with <c>LEDGER_FAULTPOINT=&lt;name&gt;</c> in its environment
/// (<see cref="FromEnvironment"/>) kills itself with SIGKILL, as <c>kill -9</c>, the first time it reaches that point —
/// a process test then restarts it on the same data;</item>
/// <item>an in-process test passes <see cref="Throwing"/>: reaching the point throws <see cref="FaultInjectedException"/>,
/// and the test abandons the engine as a crash would and reopens its store.</item>
/// </list>
/// The names are the constants of this class, and each is documented where it is reached.
/// </para>
/// </summary>
public sealed class FaultPoints
{
    /// <summary>The environment variable that arms one point in a node process.</summary>
    public const string Variable = "LEDGER_FAULTPOINT";

    /// <summary>Anchoring: the anchor is recorded pending, nothing is signed (docs/spec/anchoring.md).</summary>
    public const string AnchorIntent = "anchor-intent";

    /// <summary>Anchoring: the signed transaction is in the nonce file, not broadcast.</summary>
    public const string EvmRecorded = "evm-recorded";

    /// <summary>Anchoring: broadcast, its hash not yet in the anchor store.</summary>
    public const string EvmBroadcast = "evm-broadcast";

    /// <summary>Lane write path: the block's frame is appended to its segment and written to the OS, not fsynced.</summary>
    public const string LaneFrameAppended = "lane-frame-appended";

    /// <summary>Lane write path: the frame is fsynced, the RocksDB batch that commits it is not written.</summary>
    public const string LaneFrameSynced = "lane-frame-synced";

    /// <summary>Lane write path: the RocksDB batch is written with sync, no submission of the block is answered.</summary>
    public const string LaneIndexWritten = "lane-index-written";

    /// <summary>Lane write path, in-process only: the frame's append fails as on a full disk (the write-failure policy's path).</summary>
    public const string LaneFrameNoSpace = "lane-frame-no-space";

    /// <summary>Engine: a block of another lane validated and this node's cosignature decided, not yet durably recorded (nothing written).</summary>
    public const string CosignRecord = "cosign-record";

    /// <summary>Engine: a certificate assembled from a quorum of cosignatures, not yet stored.</summary>
    public const string CertificateStore = "certificate-store";

    /// <summary>Engine: a block of another lane applied and durable (with this node's cosignature), not yet acknowledged or the cosignature released.</summary>
    public const string ForeignApplied = "foreign-applied";

    private readonly string? _armed;
    private readonly bool _kill;
    private bool _limited; // throws only while _timesLeft > 0
    private int _timesLeft;

    private FaultPoints(string? armed, bool kill)
    {
        _armed = string.IsNullOrEmpty(armed) ? null : armed;
        _kill = kill;
    }

    /// <summary>No point armed.</summary>
    public static FaultPoints None { get; } = new(null, kill: false);

    /// <summary>The point named by <c>LEDGER_FAULTPOINT</c>, killing the process; <see cref="None"/> when unset.</summary>
    public static FaultPoints FromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } name ? new(name, kill: true) : None;

    /// <summary>Arms <paramref name="name"/> for an in-process test: reaching it throws <see cref="FaultInjectedException"/>.</summary>
    public static FaultPoints Throwing(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new(name, kill: false);
    }

    /// <summary>Arms <paramref name="name"/> to throw the first <paramref name="times"/> times it is reached only (a fault that passes).</summary>
    public static FaultPoints ThrowingFirst(string name, int times)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        var faults = Throwing(name);
        (faults._limited, faults._timesLeft) = (true, times);
        return faults;
    }

    /// <summary>The armed point's name, or null.</summary>
    public string? Armed => _armed;

    /// <summary>Acts when <paramref name="name"/> is the armed point: kills the process or throws.</summary>
    public void Reach(string name)
    {
        if (_armed is null || !string.Equals(_armed, name, StringComparison.Ordinal))
            return;
        if (!_kill)
        {
            if (_limited && Interlocked.Decrement(ref _timesLeft) < 0)
                return;
            throw new FaultInjectedException(name);
        }
        Console.Error.WriteLine($"fault point {name} reached: killing the process");
        Console.Error.Flush();
        using var self = Process.GetCurrentProcess();
        self.Kill();
    }
}

/// <summary>Thrown where an in-process test armed a fault point (<see cref="FaultPoints.Throwing"/>).</summary>
public sealed class FaultInjectedException(string point) : Exception($"fault point {point} reached")
{
    /// <summary>The point's name.</summary>
    public string Point { get; } = point;
}
