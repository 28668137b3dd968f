using Microsoft.Extensions.Logging;
using Tessera.Controller.Election;
using Tessera.Controller.Migration;
using Tessera.Controller.Operations;
using Tessera.Controller.Rebalance;
using Tessera.Controller.Security;
using Tessera.Controller.Status;
using Tessera.Model.Api;
using Tessera.Store;

namespace Tessera.Controller.Api;

/// <summary>What the API handlers of one controller work with.</summary>
internal sealed class ControllerContext
{
    public ControllerContext(ControllerOptions options, ICoordinatorStore store, LeaderElection election, TopologyOperations operations, StatusService status, ILogger logger)
    {
        Options = options;
        Store = store;
        Election = election;
        Operations = operations;
        Status = status;
        Logger = logger;
    }

    public ControllerOptions Options { get; }

    public ICoordinatorStore Store { get; }

    public LeaderElection Election { get; }

    public TopologyOperations Operations { get; }

    public StatusService Status { get; }

    /// <summary>Slot migrations; set by the controller's host right after construction.</summary>
    public MigrationManager Migrations { get; set; } = null!;

    /// <summary>Rebalancing, which queues migrations; set by the controller's host right after construction.</summary>
    public RebalanceService Rebalance { get; set; } = null!;

    public ILogger Logger { get; }

    /// <summary>The API tokens in the store; set by the controller's host right after construction.</summary>
    public TokenRepository Tokens { get; set; } = null!;

    /// <summary>The tokens and cluster secret as last read; set by the controller's host right after construction.</summary>
    public StoredCredentials Credentials { get; set; } = null!;

    /// <summary>The audit log of admin changes; set by the controller's host right after construction.</summary>
    public AuditLog Audit { get; set; } = null!;

    /// <summary>The leader's insight rounds (scores, top lists, alert series); set by the controller's host right after construction.</summary>
    public Insight.InsightSampler Insight { get; set; } = null!;

    /// <summary>The alert rules and webhooks in the store; set by the controller's host right after construction.</summary>
    public Alerts.AlertRepository AlertRepository { get; set; } = null!;

    /// <summary>The alerts pending and firing; set by the controller's host right after construction.</summary>
    public Alerts.AlertEvaluator AlertEvaluator { get; set; } = null!;

    /// <summary>This controller's API base URL, set once Kestrel has bound its port.</summary>
    public string Url { get; set; } = "";

    public ControllerInfo Info() => new()
    {
        Id = Options.EffectiveId,
        Url = Url,
        IsLeader = Election.IsLeader,
        Leader = Election.KnownLeader,
        Store = Store.Url,
    };
}
