using System.Globalization;
using System.Net;
using Ledger.Protocol;
using Nethereum.JsonRpc.Client;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Ledger.Evm;

/// <summary>
/// The project's policy around Nethereum's JSON-RPC transport, installed as its request interceptor so that it holds for
/// every call (the wrapped eth_* calls, typed contract handlers, raw requests): transport failures, timeouts and HTTP
/// 5xx/429 are retried with exponential backoff and then raise <see cref="EthereumUnavailableException"/> naming the
/// attempts; a JSON-RPC error object becomes <see cref="EthereumRpcException"/> with its revert data decoded; any other
/// failure (HTTP 4xx, an answer that is not JSON-RPC) becomes <see cref="EthereumRpcException"/> without retry.
/// </summary>
internal sealed class RpcPolicy(EthereumRetryOptions retry) : RequestInterceptor
{
    public override async Task<object> InterceptSendRequestAsync<T>(Func<RpcRequest, string, Task<T>> interceptedSendRequestAsync, RpcRequest request, string? route = null) =>
        (await RunAsync(request.Method, () => interceptedSendRequestAsync(request, route!)).ConfigureAwait(false))!;

    public override Task InterceptSendRequestAsync(Func<RpcRequest, string, Task> interceptedSendRequestAsync, RpcRequest request, string? route = null) =>
        RunAsync<object?>(request.Method, async () =>
        {
            await interceptedSendRequestAsync(request, route!).ConfigureAwait(false);
            return null;
        });

    public override async Task<object> InterceptSendRequestAsync<T>(Func<string, string, object[], Task<T>> interceptedSendRequestAsync, string method, string? route = null, params object[] paramList) =>
        (await RunAsync(method, () => interceptedSendRequestAsync(method, route!, paramList)).ConfigureAwait(false))!;

    public override Task InterceptSendRequestAsync(Func<string, string, object[], Task> interceptedSendRequestAsync, string method, string? route = null, params object[] paramList) =>
        RunAsync<object?>(method, async () =>
        {
            await interceptedSendRequestAsync(method, route!, paramList).ConfigureAwait(false);
            return null;
        });

    private async Task<T> RunAsync<T>(string method, Func<Task<T>> send)
    {
        Exception? last = null;
        var delay = retry.InitialDelay;
        for (var attempt = 1; attempt <= retry.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(delay).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, retry.MaxDelay.Ticks));
            }
            try
            {
                return await send().ConfigureAwait(false);
            }
            catch (RpcResponseException e)
            {
                throw FromError(e.RpcError);
            }
            catch (RpcClientTimeoutException e)
            {
                last = new TimeoutException($"{method}: no answer within {retry.RequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", e);
            }
            catch (RpcClientUnknownException e) when (Retryable(e))
            {
                last = e.InnerException ?? e;
            }
            catch (RpcClientUnknownException e)
            {
                throw new EthereumRpcException($"{method}: {Describe(e)}", e);
            }
        }
        throw new EthereumUnavailableException($"{method}: the Ethereum node did not answer after {retry.MaxAttempts} attempts: {last?.Message}", last!);
    }

    /// <summary>A JSON-RPC error object as the project's exception; revert data (a hex string, or an object with one in "data") is decoded.</summary>
    internal static EthereumRpcException FromError(RpcError error)
    {
        byte[]? data = null;
        var hex = error.Data switch
        {
            JValue { Type: JTokenType.String } v => (string?)v,
            JObject o when o["data"] is JValue { Type: JTokenType.String } inner => (string?)inner,
            string s => s,
            _ => null,
        };
        if (hex is not null && hex.StartsWith("0x", StringComparison.Ordinal) && Hex.TryDecode(hex, out var bytes))
            data = bytes;
        return new EthereumRpcException(error.Code, error.Message ?? "", data);
    }

    // Transport failures (nothing listening, connection reset) and HTTP 5xx/429; not 4xx and not malformed answers.
    private static bool Retryable(RpcClientUnknownException e) => e.InnerException switch
    {
        HttpRequestException h => h.StatusCode is null || (int)h.StatusCode >= 500 || h.StatusCode == HttpStatusCode.TooManyRequests,
        IOException => true,
        _ => false,
    };

    private static string Describe(RpcClientUnknownException e) => e.InnerException switch
    {
        HttpRequestException { StatusCode: { } status } => $"HTTP {(int)status} from the node",
        JsonException j => "the node's answer is not JSON-RPC: " + j.Message,
        { } inner => inner.Message,
        null => e.Message,
    };
}
