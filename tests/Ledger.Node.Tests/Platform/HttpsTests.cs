using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Xunit;

namespace Ledger.Node.Tests.Platform;

/// <summary>
/// The node serves HTTPS with a certificate from Kestrel's standard settings: a self-signed certificate made here, as
/// a PEM certificate with its key file and as a password-protected PFX; the client trusts exactly that certificate.
/// </summary>
public sealed class HttpsTests
{
    [Theory]
    [InlineData("pem")]
    [InlineData("pfx")]
    public async Task Node_HttpsUrlWithConfiguredCertificate_ServesHttpsWithThatCertificate(string format)
    {
        using var dir = new TestDirectory();
        using var certificate = SelfSigned();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (format == "pem")
        {
            var certPath = Path.Combine(dir.Path, "node.crt");
            var keyPath = Path.Combine(dir.Path, "node.key.pem");
            await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
            using var key = certificate.GetECDsaPrivateKey()!;
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
            environment["LEDGER_Kestrel__Certificates__Default__Path"] = certPath;
            environment["LEDGER_Kestrel__Certificates__Default__KeyPath"] = keyPath;
        }
        else
        {
            var pfxPath = Path.Combine(dir.Path, "node.pfx");
            await File.WriteAllBytesAsync(pfxPath, certificate.Export(X509ContentType.Pfx, "test-password"));
            environment["LEDGER_Kestrel__Certificates__Default__Path"] = pfxPath;
            environment["LEDGER_Kestrel__Certificates__Default__Password"] = "test-password";
        }
        X509Certificate2? presented = null;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // Trust this one certificate and nothing else.
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    presented = cert is null ? null : X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
                    return presented?.Thumbprint == certificate.Thumbprint;
                },
            },
        };

        await using var node = await NodeProcess.StartAsync(Path.Combine(dir.Path, "node"), environment: environment,
            urls: "https://127.0.0.1:0", handler: handler);

        Assert.Equal(Uri.UriSchemeHttps, node.BaseAddress.Scheme);
        using var response = await node.Client.GetAsync("/v1/node");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        Assert.StartsWith("0x", json.RootElement.GetProperty("address").GetString(), StringComparison.Ordinal);
        Assert.Equal(certificate.Thumbprint, presented?.Thumbprint);
    }

    [Fact]
    public async Task Node_HttpsClientThatDoesNotTrustTheCertificate_IsRefusedByTheClient()
    {
        using var dir = new TestDirectory();
        using var certificate = SelfSigned();
        var pfxPath = Path.Combine(dir.Path, "node.pfx");
        await File.WriteAllBytesAsync(pfxPath, certificate.Export(X509ContentType.Pfx, "pw"));
        await using var node = await NodeProcess.StartAsync(Path.Combine(dir.Path, "node"), urls: "https://127.0.0.1:0",
            environment: new Dictionary<string, string>
            {
                ["LEDGER_Kestrel__Certificates__Default__Path"] = pfxPath,
                ["LEDGER_Kestrel__Certificates__Default__Password"] = "pw",
            });

        // The default client checks the chain: a self-signed certificate nobody trusts fails the handshake.
        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => node.Client.GetAsync("/healthz"));
        Assert.IsType<System.Security.Authentication.AuthenticationException>(ex.InnerException);
    }

    [Fact]
    public async Task Node_HttpsUrlBesideAGrpcEndpoint_ServesHttpsWithTheCertificateAndGrpcOnItsOwnPort()
    {
        using var dir = new TestDirectory();
        using var certificate = SelfSigned();
        var pfxPath = Path.Combine(dir.Path, "node.pfx");
        await File.WriteAllBytesAsync(pfxPath, certificate.Export(X509ContentType.Pfx, "pw"));
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && X509CertificateLoader.LoadCertificate(cert.GetRawCertData()).Thumbprint == certificate.Thumbprint,
            },
        };
        // With --grpc-urls the node binds its Urls as Kestrel endpoints: https there still takes the configured certificate.
        await using var node = await NodeProcess.StartAsync(Path.Combine(dir.Path, "node"), ["--grpc-urls", "http://127.0.0.1:0"], urls: "https://127.0.0.1:0",
            handler: handler, environment: new Dictionary<string, string>
            {
                ["LEDGER_Kestrel__Certificates__Default__Path"] = pfxPath,
                ["LEDGER_Kestrel__Certificates__Default__Password"] = "pw",
            });

        Assert.Equal(Uri.UriSchemeHttps, node.BaseAddress.Scheme);
        using var response = await node.Client.GetAsync("/v1/node");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(node.GrpcAddress);
        using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(node.GrpcAddress);
        var client = new Ledger.Grpc.V1.Ledger.LedgerClient(channel);
        // Answered by the gRPC service (a problem trailer), over plaintext HTTP/2 on the gRPC port.
        var e = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(async () =>
            await client.GetProvenanceAsync(new Ledger.Grpc.V1.ProvenanceRequest { Id = "(01)00300011234501(21)X1" }));
        Assert.Equal(global::Grpc.Core.StatusCode.Unauthenticated, e.StatusCode);
        Assert.NotNull(e.Trailers.Get("ledger-problem-bin"));
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ledger-node-test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }
}
