namespace Tessera.Model.Api;

/// <summary>
/// The body of every failed controller API call: one sentence naming what was wrong and what to do,
/// e.g. "namespace 'shop' does not exist; create it with `tessera namespace create shop`".
/// </summary>
public sealed record ApiError(string Error);
