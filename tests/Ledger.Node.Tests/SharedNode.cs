using Xunit;

namespace Ledger.Node.Tests;

/// <summary>One node process shared by the tests of a class that only read from it.</summary>
public sealed class SharedNode : IAsyncLifetime
{
    private NodeProcess? _node;

    /// <summary>The running node.</summary>
    public NodeProcess Node => _node ?? throw new InvalidOperationException("not started");

    /// <inheritdoc/>
    public async Task InitializeAsync() => _node = await NodeProcess.StartAsync();

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_node is not null)
            await _node.DisposeAsync();
    }
}
