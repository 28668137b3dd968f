using System.Globalization;
using Tessera.Cli.Hosting;
using Tessera.Controller.Api;
using Tessera.Local.Clusters;
using Tessera.Model.Api;
using Tessera.Model.Topology;

namespace Tessera.Cli.Up;

/// <summary>
/// Builds <c>tessera up</c>'s namespace through the controller's API with exactly the calls the admin verbs
/// make, and echoes each as the command a person would type: namespace, then per group create, master,
/// replicas, then the slots in even contiguous ranges.
/// </summary>
internal sealed class ClusterBuilder
{
    /// <summary>The namespace clients use when they do not AUTH.</summary>
    public const string Namespace = "default";

    private readonly ControllerClient _client;
    private readonly TextWriter _output;
    private readonly string _controllerFlag;
    private bool _namespaceExists;

    public ClusterBuilder(ControllerClient client, TextWriter output, string controllerFlag)
    {
        _client = client;
        _output = output;
        _controllerFlag = controllerFlag;
    }

    /// <summary>
    /// Looks at what the store already holds before anything is started. An empty namespace 'default' is
    /// reused; one with groups belongs to an earlier run or another deployment: refused, or removed with
    /// <paramref name="reset"/> (its redis-servers are not touched).
    /// </summary>
    public async Task PrepareAsync(string storeUrl, bool reset, CancellationToken cancellationToken)
    {
        var existing = (await Call("tessera namespace list", c => c.ListNamespacesAsync(cancellationToken)).ConfigureAwait(false))
            .FirstOrDefault(static n => n.Name == Namespace);
        _namespaceExists = existing is not null;
        if (existing is null || existing.Groups.Count == 0)
        {
            return;
        }

        var groups = string.Join(", ", existing.Groups.Select(static g => g.Id.ToString(CultureInfo.InvariantCulture)));
        if (!reset)
        {
            throw new UpException(ExitCodes.Usage,
                $"The store {storeUrl} already has namespace '{Namespace}' with group(s) {groups} (epoch {existing.Epoch}), from an earlier run or another deployment; `tessera up` builds a new one on new redis-servers. Rerun with --reset to remove it first (its redis-servers and their data are not touched), or use another --store.");
        }

        await Step(["namespace", "remove", Namespace, "--force"], c => c.RemoveNamespaceAsync(Namespace, force: true, cancellationToken)).ConfigureAwait(false);
        _namespaceExists = false;
    }

    /// <summary>Builds the namespace over <paramref name="cluster"/>'s servers; returns it as finally stored.</summary>
    public async Task<NamespaceConfig> BuildAsync(LocalCluster cluster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ChangeResult? last = null;
        if (!_namespaceExists)
        {
            last = await Step(["namespace", "create", Namespace, "--open"], c => c.CreateNamespaceAsync(Namespace, open: true, cancellationToken)).ConfigureAwait(false);
        }

        foreach (var group in cluster.Groups)
        {
            var id = group.Id;
            var text = id.ToString(CultureInfo.InvariantCulture);
            last = await Step(["group", "create", Namespace, text], c => c.CreateGroupAsync(Namespace, id, cancellationToken)).ConfigureAwait(false);

            // The master first: the controller makes every later server of the group its replica (REPLICAOF).
            foreach (var server in group.Replicas.Prepend(group.Master))
            {
                var address = server.Endpoint;
                last = await Step(["group", "add", Namespace, text, address], c => c.AddServerAsync(Namespace, id, address, null, cancellationToken)).ConfigureAwait(false);
            }
        }

        foreach (var range in LocalCluster.SplitSlots(cluster.Groups.Count))
        {
            var slots = string.Create(CultureInfo.InvariantCulture, $"{range.From}-{range.To}");
            last = await Step(["slots", "assign", Namespace, slots, range.Group.ToString(CultureInfo.InvariantCulture)],
                c => c.AssignSlotsAsync(Namespace, range.From, range.To, range.Group, cancellationToken)).ConfigureAwait(false);
        }

        return last!.Namespace;
    }

    /// <summary>One change: echo the equivalent command, call the API, pass warnings on, turn a refusal into one line.</summary>
    private async Task<ChangeResult> Step(string[] words, Func<ControllerClient, Task<ChangeResult>> call)
    {
        var command = "tessera " + string.Join(' ', words) + _controllerFlag;
        await _output.WriteLineAsync("  " + command).ConfigureAwait(false);
        var result = await Call(command, call).ConfigureAwait(false);
        foreach (var warning in result.Warnings)
        {
            await Console.Error.WriteLineAsync("warning: " + warning).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<T> Call<T>(string what, Func<ControllerClient, Task<T>> call)
    {
        try
        {
            return await call(_client).ConfigureAwait(false);
        }
        catch (ControllerApiException e)
        {
            throw new UpException(ExitCodes.Failure, $"`{what}` failed: {e.Message.TrimEnd('.')}.", e);
        }
    }
}
