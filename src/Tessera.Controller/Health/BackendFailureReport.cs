namespace Tessera.Controller.Health;

/// <summary>
/// Body of <c>POST /api/health/reports</c>: a proxy (or anyone) saw <see cref="Server"/> fail. A passive signal:
/// the controller probes that server at once, which can bring its "down" verdict forward by up to a probe
/// interval, but only the controllers' own probes and votes ever declare it down.
/// </summary>
/// <param name="Server">"host:port" of the backend that failed.</param>
/// <param name="Reporter">Who saw it (a proxy id), for the log.</param>
/// <param name="Problem">What it saw ("connection refused").</param>
public sealed record BackendFailureReport(string Server, string? Reporter = null, string? Problem = null);
