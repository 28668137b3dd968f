using Tessera.Resp.Protocol;

namespace Tessera.Resp.Commands;

/// <summary>Finds which arguments of a request are keys, using only the command's key specs.</summary>
public static class KeyExtractor
{
    /// <summary>
    /// Writes the argument indexes of every key of <paramref name="frame"/> into <paramref name="destination"/>
    /// (which must hold at least <see cref="RequestFrame.Count"/> entries), in argument order, and returns how many.
    /// Returns -1 when the arguments do not fit the key specs (e.g. a key count larger than the arguments),
    /// which Redis would answer with a syntax or arity error; the caller forwards or refuses accordingly.
    /// Specs flagged NOT_KEY are skipped.
    /// </summary>
    public static int GetKeyIndexes(CommandSpec spec, RequestFrame frame, Span<int> destination) => throw new NotImplementedException();
}
