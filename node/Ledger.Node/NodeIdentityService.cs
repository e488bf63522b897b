using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ledger.Node;

/// <summary>Loads (or on first run creates) the node identity when the host starts, before the server listens.</summary>
internal sealed partial class NodeIdentityService(NodeOptions options, NodeState state, TimeProvider time, ILogger<NodeIdentityService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var identity = NodeIdentity.LoadOrCreate(options.DataDirectory, time);
        if (identity.IsNew)
            LogCreated(identity.DataDirectory, identity.Address);
        else
            LogLoaded(identity.DataDirectory, identity.Address);
        state.Identity = identity;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "node key created in {DataDirectory}, address {Address}")]
    private partial void LogCreated(string dataDirectory, Ledger.Protocol.Crypto.Address address);

    [LoggerMessage(Level = LogLevel.Information, Message = "node key loaded from {DataDirectory}, address {Address}")]
    private partial void LogLoaded(string dataDirectory, Ledger.Protocol.Crypto.Address address);
}
