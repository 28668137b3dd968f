using System.Globalization;

namespace Tessera.Store.Files;

/// <summary>
/// The file store's bounded history of changes, kept so watchers can catch up from a revision.
/// A folder of segment files named by the first revision they hold (<c>00000000000000000042.jsonl</c>),
/// one JSON line per change. Writers (under the store lock) append to the newest segment, start a new one
/// when it is full and delete the oldest beyond the limit; a watcher that needs a deleted segment gets a reset.
/// </summary>
internal sealed class ChangeLog
{
    private const string SegmentExtension = ".jsonl";
    private readonly string _directory;
    private readonly long _segmentBytes;
    private readonly int _maxSegments;

    public ChangeLog(string directory, long segmentBytes, int maxSegments)
    {
        _directory = directory;
        _segmentBytes = segmentBytes;
        _maxSegments = maxSegments;
    }

    public string Directory => _directory;

    /// <summary>Appends one change. Callers hold the store lock, so appends never interleave.</summary>
    public void Append(FileChange change)
    {
        byte[] line = FileDocuments.WriteChange(change);
        List<Segment> segments = ListSegments();
        string path;
        if (segments.Count == 0 || new FileInfo(segments[^1].Path).Length >= _segmentBytes)
        {
            path = SegmentPath(change.Revision);
            segments.Add(new Segment(change.Revision, path));
        }
        else
        {
            path = segments[^1].Path;
        }

        // One write call per line: a reader sees either nothing or a prefix of the line, never a mix of two.
        using (var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1))
        {
            stream.Write(line);
        }

        for (int i = 0; i < segments.Count - _maxSegments; i++)
        {
            File.Delete(segments[i].Path);
        }
    }

    /// <summary>The segments, oldest first.</summary>
    public List<Segment> ListSegments()
    {
        var segments = new List<Segment>();
        try
        {
            foreach (string path in System.IO.Directory.EnumerateFiles(_directory, "*" + SegmentExtension))
            {
                string name = Path.GetFileNameWithoutExtension(path);
                if (long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out long first))
                {
                    segments.Add(new Segment(first, path));
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // No change was ever logged.
        }

        segments.Sort(static (a, b) => a.FirstRevision.CompareTo(b.FirstRevision));
        return segments;
    }

    private string SegmentPath(long firstRevision) =>
        Path.Combine(_directory, firstRevision.ToString("D20", CultureInfo.InvariantCulture) + SegmentExtension);

    /// <summary>A segment file and the first revision it holds.</summary>
    internal readonly record struct Segment(long FirstRevision, string Path);
}

/// <summary>
/// A watcher's position in the <see cref="ChangeLog"/>: the segment and byte offset it has read up to and
/// the next revision it expects. Reads only complete lines, so a change being appended is picked up whole
/// on a later read.
/// </summary>
internal sealed class ChangeLogCursor
{
    private readonly ChangeLog _log;
    private string? _segment;
    private long _offset;

    public ChangeLogCursor(ChangeLog log, long nextRevision)
    {
        _log = log;
        NextRevision = Math.Max(1, nextRevision);
    }

    /// <summary>The first revision not yet delivered.</summary>
    public long NextRevision { get; private set; }

    /// <summary>Forgets the position: the next read starts at <paramref name="nextRevision"/>.</summary>
    public void MoveTo(long nextRevision)
    {
        _segment = null;
        _offset = 0;
        NextRevision = Math.Max(1, nextRevision);
    }

    /// <summary>
    /// Adds the changes logged since the last read whose key starts with <paramref name="prefix"/>.
    /// False when the history needed is gone (rotated away): the watcher must reset.
    /// </summary>
    public bool TryRead(string prefix, List<StoreEvent> events)
    {
        List<ChangeLog.Segment> segments = _log.ListSegments();
        if (segments.Count == 0)
        {
            return _segment is null;
        }

        int index = _segment is null ? -1 : segments.FindIndex(s => s.Path == _segment);
        if (index < 0)
        {
            // Start (or restart after our segment rotated away) at the newest segment that begins at or before what we need.
            index = segments.FindLastIndex(s => s.FirstRevision <= NextRevision);
            if (index < 0)
            {
                return false;
            }

            _segment = segments[index].Path;
            _offset = 0;
        }

        while (true)
        {
            bool isNewest = index == segments.Count - 1;
            if (!ReadSegment(prefix, events, skipTornTail: !isNewest))
            {
                return false;
            }

            if (isNewest)
            {
                return true;
            }

            index++;
            _segment = segments[index].Path;
            _offset = 0;
        }
    }

    private bool ReadSegment(string prefix, List<StoreEvent> events, bool skipTornTail)
    {
        byte[] bytes;
        try
        {
            using var stream = new FileStream(_segment!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            long length = stream.Length;
            if (length <= _offset)
            {
                return true;
            }

            stream.Seek(_offset, SeekOrigin.Begin);
            bytes = new byte[length - _offset];
            stream.ReadExactly(bytes);
        }
        catch (FileNotFoundException)
        {
            return false;
        }

        int start = 0;
        while (true)
        {
            int newline = Array.IndexOf(bytes, (byte)'\n', start);
            if (newline < 0)
            {
                break;
            }

            FileChange change = FileDocuments.ReadChange(bytes.AsSpan(start, newline - start), _segment!);
            if (change.Revision >= NextRevision)
            {
                if (change.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    events.Add(new StoreEvent(change.Kind, change.Key, change.Value, change.Revision));
                }

                NextRevision = change.Revision + 1;
            }

            start = newline + 1;
        }

        // A writer that died mid-line leaves a torn tail in a segment nobody appends to any more: skip it.
        _offset += skipTornTail ? bytes.Length : start;
        return true;
    }
}
