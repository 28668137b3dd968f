namespace Tessera.Model.Api;

/// <summary>
/// The body of every failed controller API call: one sentence naming what was wrong and what to do,
/// e.g. "namespace 'shop' does not exist; create it with `tessera namespace create shop`".
/// A standby controller's 503 also names the leader's URL in <see cref="Leader"/>, so a client can send the
/// change there instead (the CLI does, once).
/// </summary>
public sealed record ApiError(string Error, string? Leader = null);
