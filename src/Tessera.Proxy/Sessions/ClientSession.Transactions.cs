using Tessera.Proxy.Commands;
using Tessera.Proxy.Sessions.Transactions;
using Tessera.Resp.Commands;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// MULTI/EXEC/DISCARD/WATCH/UNWATCH: the session's <see cref="SessionTransaction"/>, created by MULTI or WATCH and
/// dropped when the transaction ends (Transactions/SessionTransaction.cs). Sessions that never use them pay one null
/// check per command.
/// </remarks>
internal sealed partial class ClientSession
{
    private SessionTransaction? _txn;

    private bool InMulti => _txn is { InMulti: true };

    private void RunTransaction(RequestFrame frame, CommandSpec spec)
    {
        switch (spec.Name)
        {
            case "multi":
                _txn = SessionTransaction.Multi(this, _txn);
                break;
            case "exec":
                _txn = SessionTransaction.Exec(this, _txn);
                break;
            case "discard":
                _txn = SessionTransaction.Discard(this, _txn, frame);
                break;
            case "watch":
                _txn = SessionTransaction.Watch(this, _txn, frame, spec);
                break;
            case "unwatch":
                _txn = SessionTransaction.Unwatch(this, _txn, frame);
                break;
        }
    }

    /// <summary>A command inside MULTI, queued by the transaction.</summary>
    private void QueueInTransaction(RequestFrame frame, CommandSpec spec, CommandPolicy policy) => _txn!.Queue(frame, spec, policy);
}
