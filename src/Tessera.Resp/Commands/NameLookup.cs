using System.Text;

namespace Tessera.Resp.Commands;

/// <summary>
/// Case-insensitive name → command map that answers lookups by raw ASCII bytes without allocating:
/// the bytes are widened into a stack buffer and looked up through the dictionary's span-keyed alternate lookup.
/// Built once, then only read (Dictionary is safe for concurrent readers).
/// </summary>
internal sealed class NameLookup
{
    /// <summary>Longer names are not Redis commands; they are simply not found (and never need a heap buffer).</summary>
    internal const int MaxNameLength = 64;

    private readonly Dictionary<string, CommandSpec> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, CommandSpec>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public NameLookup() => _bySpan = _byName.GetAlternateLookup<ReadOnlySpan<char>>();

    public void Add(string name, CommandSpec spec) => _byName.Add(name, spec);

    public CommandSpec? Find(string name) => _byName.GetValueOrDefault(name);

    public CommandSpec? Find(ReadOnlySpan<char> name) => _bySpan.TryGetValue(name, out var spec) ? spec : null;

    public CommandSpec? Find(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > MaxNameLength)
        {
            return null;
        }

        Span<char> chars = stackalloc char[MaxNameLength];
        // Non-ASCII bytes cannot be part of a command name, so InvalidData simply means "not found".
        if (Ascii.ToUtf16(name, chars, out int written) != System.Buffers.OperationStatus.Done)
        {
            return null;
        }

        return _bySpan.TryGetValue(chars[..written], out var spec) ? spec : null;
    }
}
