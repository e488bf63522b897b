using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Ledger.Node.Tests.Platform;

/// <summary>Reading the node's /metrics, and clients that connect from a chosen loopback address.</summary>
public static partial class PlatformKit
{
    /// <summary>Every <c>ledger_http_requests_total</c> series of a route: status → count.</summary>
    public static async Task<Dictionary<string, double>> RequestCountsAsync(HttpClient client, string route)
    {
        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var counts = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (Match m in RequestLine().Matches(text))
        {
            if (m.Groups["route"].Value == route)
                counts[m.Groups["status"].Value] = double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return counts;
    }

    /// <summary>
    /// Waits (bounded) until the route's series for <paramref name="status"/> reached <paramref name="expected"/>: the
    /// counter is incremented when the pipeline unwinds, which may be just after the client has read the answer.
    /// </summary>
    public static async Task<Dictionary<string, double>> WaitForCountAsync(HttpClient client, string route, string status, double expected)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var counts = await RequestCountsAsync(client, route);
            if (counts.GetValueOrDefault(status) >= expected || cts.IsCancellationRequested)
                return counts;
            await Task.Delay(20);
        }
    }

    /// <summary>A client whose connections leave from <paramref name="localAddress"/> (any 127.x.y.z is this machine).</summary>
    public static HttpClient ClientFrom(Uri baseAddress, IPAddress localAddress) =>
        new(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(localAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    [GeneratedRegex("^ledger_http_requests_total\\{route=\"(?<route>[^\"]*)\",status=\"(?<status>\\d+)\"\\} (?<value>\\S+)$", RegexOptions.Multiline)]
    private static partial Regex RequestLine();
}
