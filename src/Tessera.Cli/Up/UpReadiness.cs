using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Tessera.Controller.Api;
using Tessera.Model.Api;
using Tessera.Model.Proxies;
using Tessera.Model.Topology;
using Tessera.Resp.Client;

namespace Tessera.Cli.Up;

/// <summary>
/// The bounded waits before <c>tessera up</c> says "ready": replicas in sync as the controller sees them, and
/// the proxy serving the namespace exactly as stored (same epoch and routing signature) and answering through
/// every group.
/// </summary>
internal static class UpReadiness
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Polls the controller's status until every server of <paramref name="ns"/> has the role it is stored with
    /// and every replica's link is up. Returns the last report and whether that happened within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<(StatusReport Status, bool InSync)> WaitForServersAsync(ControllerClient client, string ns, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await client.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            if (Problems(status, ns).Count == 0)
            {
                return (status, true);
            }

            if (DateTime.UtcNow >= deadline)
            {
                return (status, false);
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>"server: problem" for every server of <paramref name="ns"/> that is not as stored.</summary>
    public static List<string> Problems(StatusReport status, string ns)
    {
        var problems = new List<string>();
        foreach (var group in status.Namespaces.Where(n => n.Name == ns).SelectMany(static n => n.Groups))
        {
            foreach (var server in group.Servers)
            {
                if (server.Problem is not null || server.Observed != server.Role)
                {
                    problems.Add($"{server.Address} ({server.Role} of group {group.Id.ToString(CultureInfo.InvariantCulture)}): {server.Problem ?? "reports " + server.Observed}");
                }
            }
        }

        return problems;
    }

    /// <summary>
    /// Waits until the proxy's admin API reports the stored namespace's epoch and signature, then until DBSIZE
    /// through the proxy (which asks every group's master) answers a number. The namespace is read again on every
    /// poll (<paramref name="stored"/>), so a change made meanwhile (a failover, someone's first command) is
    /// waited for instead of taken for a proxy that lags.
    /// </summary>
    /// <exception cref="UpException">Not within <paramref name="timeout"/>; the message says what was seen last.</exception>
    public static async Task WaitForProxyAsync(Uri adminUrl, string? token, IPEndPoint endpoint, NamespaceConfig expected, Func<CancellationToken, Task<NamespaceConfig>> stored, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        if (token is not null)
        {
            // The proxy's admin API takes an API token (viewer or above) as well as the cluster secret.
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        var topologyUrl = ApiUrl.Combine(adminUrl, ProxyAdminRoutes.Topology);
        var lastSeen = "no answer yet";
        while (true)
        {
            try
            {
                expected = await stored(cancellationToken).ConfigureAwait(false);
            }
            catch (ControllerApiException)
            {
                // Keep comparing with the last namespace read; the controller's trouble shows elsewhere.
            }

            var signature = TopologySignature.Compute(expected);
            try
            {
                var state = await http.GetFromJsonAsync<ProxyRoutesState>(topologyUrl, TesseraJson.Options, cancellationToken).ConfigureAwait(false);
                var served = state?.Namespaces.FirstOrDefault(n => n.Name == expected.Name);
                lastSeen = served is null
                    ? $"it does not serve namespace '{expected.Name}'{(state is { Fenced: true } ? " and is fenced" : "")}"
                    : string.Create(CultureInfo.InvariantCulture, $"it serves epoch {served.Epoch} with signature {served.Signature}{(state!.Fenced ? " and is fenced" : "")}");
                if (served is not null && served.Epoch == expected.Epoch && served.Signature == signature && !state!.Fenced)
                {
                    var problem = await AnswersThroughEveryGroupAsync(endpoint, cancellationToken).ConfigureAwait(false);
                    if (problem is null)
                    {
                        return;
                    }

                    lastSeen = "it serves the namespace as stored, but DBSIZE through it failed: " + problem;
                }
            }
            catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                lastSeen = "its admin API did not answer: " + e.Message;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new UpException(string.Create(CultureInfo.InvariantCulture,
                    $"The proxy did not serve namespace '{expected.Name}' at epoch {expected.Epoch} (signature {TopologySignature.Compute(expected)}) within {timeout.TotalSeconds:0} s: {lastSeen}. Rerun with --log-level Information to see why."));
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Null when DBSIZE through the proxy answers a number; otherwise what went wrong.</summary>
    private static async Task<string?> AnswersThroughEveryGroupAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            var client = await RespClient.ConnectAsync(endpoint.Address.ToString(), endpoint.Port, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                var reply = await client.CallAsync("DBSIZE").ConfigureAwait(false);
                return reply.IsError ? reply.AsString() : null;
            }
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            return e.Message;
        }
    }
}
