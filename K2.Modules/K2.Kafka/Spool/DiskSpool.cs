using System.Buffers.Binary;
using System.Globalization;
using K2.Kafka.Publishing;
using Microsoft.Win32.SafeHandles;

namespace K2.Kafka.Spool;

/// <summary>
/// Append-only, size-capped spool of records the brokers could not take yet. Segment files
/// (<c>&lt;number&gt;.seg</c>) hold length-prefixed records; the <c>cursor</c> file says how far the
/// records were delivered. Segments before the cursor are deleted. Not thread-safe: the publisher's
/// pump is its only user.
/// </summary>
internal sealed class DiskSpool : IDisposable
{
    private const long FirstSegment = 1_000_000_000_000;
    private const string SegmentExtension = ".seg";
    private const int ReadBlock = 1024 * 1024;

    private readonly string _folder;
    private readonly long _segmentBytes;
    private readonly SortedDictionary<long, long> _segments = [];
    private readonly byte[] _readBuffer = new byte[ReadBlock];
    private FileStream? _tail;
    private SpoolPosition _committed;
    private SpoolPosition _read;
    private long _totalBytes;

    public DiskSpool(string folder, long maxBytes, long segmentBytes)
    {
        _folder = folder;
        MaxBytes = maxBytes;
        _segmentBytes = segmentBytes;
        Directory.CreateDirectory(folder);
        Open();
    }

    public string Folder => _folder;

    public long MaxBytes { get; }

    /// <summary>Bytes of records not yet delivered.</summary>
    public long Bytes => _totalBytes - (_segments.ContainsKey(_committed.Segment) ? _committed.Offset : 0);

    /// <summary>Records not yet delivered (read or not).</summary>
    public long Records { get; private set; }

    /// <summary>Whether records wait to be read for replay.</summary>
    public bool HasUnread => _segments.Count > 0 && _read.CompareTo(End) < 0;

    private SpoolPosition End => _segments.Count == 0 ? _committed : new SpoolPosition(_segments.Keys.Last(), _segments[_segments.Keys.Last()]);

    /// <summary>Appends a record; false when the size cap would be exceeded (unless <paramref name="ignoreCap"/>).</summary>
    public bool TryAppend(OutboundRecord record, bool ignoreCap = false)
    {
        var length = SpoolRecordCodec.EncodedLength(record);
        if (!ignoreCap && Bytes + length > MaxBytes) { return false; }
        var tail = TailFor(length);
        var buffer = length <= 4096 ? stackalloc byte[length] : new byte[length];
        SpoolRecordCodec.Encode(record, buffer);
        tail.Write(buffer);
        var number = _segments.Keys.Last();
        _segments[number] += length;
        _totalBytes += length;
        Records++;
        return true;
    }

    /// <summary>Makes appended records durable (one fsync for the batch).</summary>
    public void Sync() => _tail?.Flush(flushToDisk: true);

    /// <summary>Reads the next records for replay, each with the position just after it.</summary>
    public List<(OutboundRecord Record, SpoolPosition End)> Read(int maxRecords)
    {
        _tail?.Flush(flushToDisk: false);
        var batch = new List<(OutboundRecord, SpoolPosition)>(Math.Min(maxRecords, 4096));
        while (batch.Count < maxRecords && HasUnread)
        {
            if (_read.Offset >= _segments[_read.Segment])
            {
                _read = new SpoolPosition(_segments.Keys.First(k => k > _read.Segment), 0);
                continue;
            }

            using var handle = File.OpenHandle(SegmentPath(_read.Segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            ReadBlockInto(handle, batch, maxRecords);
        }

        return batch;
    }

    /// <summary>Records up to <paramref name="position"/> were delivered; drops segments wholly before it.</summary>
    public void Commit(SpoolPosition position, long records)
    {
        if (position.CompareTo(_committed) <= 0) { return; }
        _committed = position;
        Records -= records;
        foreach (var number in _segments.Keys.Where(n => n < position.Segment).ToList()) { DeleteSegment(number); }
        WriteCursor(_committed);
    }

    /// <summary>
    /// Puts records that must be delivered before everything spooled (they were handed to the producer
    /// earlier and given back at shutdown) at the head: a new segment with them and the unread rest of
    /// the first segment replaces that segment. Only called once the reads are committed.
    /// </summary>
    public void Prepend(IReadOnlyList<OutboundRecord> records)
    {
        if (records.Count == 0) { return; }
        CloseTail();
        var head = _segments.Count > 0 ? _segments.Keys.First() : FirstSegment;
        var number = head - 1;
        long length;
        using (var stream = new FileStream(SegmentPath(number), FileMode.CreateNew, FileAccess.Write))
        {
            foreach (var record in records)
            {
                var buffer = new byte[SpoolRecordCodec.EncodedLength(record)];
                SpoolRecordCodec.Encode(record, buffer);
                stream.Write(buffer);
            }

            if (_segments.ContainsKey(head))
            {
                using var rest = new FileStream(SegmentPath(head), FileMode.Open, FileAccess.Read);
                rest.Position = head == _committed.Segment ? _committed.Offset : 0;
                rest.CopyTo(stream);
            }

            stream.Flush(flushToDisk: true);
            length = stream.Length;
        }

        WriteCursor(new SpoolPosition(number, 0));
        if (_segments.ContainsKey(head)) { DeleteSegment(head); }
        _segments[number] = length;
        _totalBytes += length;
        _committed = _read = new SpoolPosition(number, 0);
        Records += records.Count;
    }

    public void Dispose() => CloseTail();

    private void Open()
    {
        foreach (var path in Directory.EnumerateFiles(_folder, "*" + SegmentExtension))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                _segments[number] = new FileInfo(path).Length;
            }
        }

        _committed = ReadCursor();
        if (_segments.Count > 0 && !_segments.ContainsKey(_committed.Segment)) { _committed = new SpoolPosition(_segments.Keys.First(), 0); }
        foreach (var number in _segments.Keys.Where(n => n < _committed.Segment).ToList()) { DeleteSegment(number); }
        _totalBytes = _segments.Values.Sum();
        _read = _committed;
        CountAndRepair();
    }

    /// <summary>Counts the undelivered records and cuts off a torn record at the end of the last segment.</summary>
    private void CountAndRepair()
    {
        foreach (var number in _segments.Keys.ToList())
        {
            using var handle = File.OpenHandle(SegmentPath(number), FileMode.Open, FileAccess.ReadWrite);
            var offset = number == _committed.Segment ? _committed.Offset : 0;
            var length = _segments[number];
            var prefix = new byte[SpoolRecordCodec.LengthPrefix];
            while (offset < length)
            {
                var body = RandomAccess.Read(handle, prefix, offset) == prefix.Length ? BinaryPrimitives.ReadInt32LittleEndian(prefix) : -1;
                if (body <= 0 || offset + prefix.Length + body > length) { break; }
                offset += prefix.Length + body;
                Records++;
            }

            if (offset < length)
            {
                RandomAccess.SetLength(handle, offset);
                _totalBytes -= length - offset;
                _segments[number] = offset;
            }
        }
    }

    private void ReadBlockInto(SafeFileHandle handle, List<(OutboundRecord, SpoolPosition)> batch, int maxRecords)
    {
        var available = (int)Math.Min(ReadBlock, _segments[_read.Segment] - _read.Offset);
        var block = _readBuffer.AsSpan(0, RandomAccess.Read(handle, _readBuffer.AsSpan(0, available), _read.Offset));
        var at = 0;
        while (batch.Count < maxRecords && at + SpoolRecordCodec.LengthPrefix <= block.Length)
        {
            var body = BinaryPrimitives.ReadInt32LittleEndian(block[at..]);
            var total = SpoolRecordCodec.LengthPrefix + body;
            OutboundRecord record;
            if (at + total <= block.Length)
            {
                record = SpoolRecordCodec.Decode(block.Slice(at + SpoolRecordCodec.LengthPrefix, body));
            }
            else if (at == 0)
            {
                var large = new byte[body];
                RandomAccess.Read(handle, large, _read.Offset + SpoolRecordCodec.LengthPrefix);
                record = SpoolRecordCodec.Decode(large);
            }
            else
            {
                break;
            }

            at += total;
            batch.Add((record, _read with { Offset = _read.Offset + at }));
            if (at == total && at > block.Length) { break; }
        }

        _read = _read with { Offset = _read.Offset + at };
    }

    private FileStream TailFor(int length)
    {
        if (_tail is not null && _segments[_segments.Keys.Last()] + length <= _segmentBytes) { return _tail; }
        CloseTail();
        if (_tail is null && _segments.Count > 0 && _segments[_segments.Keys.Last()] + length <= _segmentBytes)
        {
            var last = _segments.Keys.Last();
            _tail = new FileStream(SegmentPath(last), FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete, 1 << 16);
            return _tail;
        }

        var number = _segments.Count > 0 ? _segments.Keys.Last() + 1 : Math.Max(FirstSegment, _committed.Segment);
        _segments[number] = 0;
        if (_segments.Count == 1) { _committed = _read = new SpoolPosition(number, 0); WriteCursor(_committed); }
        _tail = new FileStream(SegmentPath(number), FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 1 << 16);
        return _tail;
    }

    private void CloseTail()
    {
        _tail?.Flush(flushToDisk: true);
        _tail?.Dispose();
        _tail = null;
    }

    private void DeleteSegment(long number)
    {
        if (_tail is not null && number == _segments.Keys.Last()) { CloseTail(); }
        File.Delete(SegmentPath(number));
        _totalBytes -= _segments[number];
        _segments.Remove(number);
    }

    private string SegmentPath(long number) => Path.Combine(_folder, number.ToString(CultureInfo.InvariantCulture) + SegmentExtension);

    private string CursorPath => Path.Combine(_folder, "cursor");

    private SpoolPosition ReadCursor()
    {
        if (!File.Exists(CursorPath)) { return new SpoolPosition(FirstSegment, 0); }
        var parts = File.ReadAllText(CursorPath).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var segment)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? new SpoolPosition(segment, offset)
            : throw new InvalidDataException($"{CursorPath} is damaged ('segment offset' expected); move the spool folder aside to start empty");
    }

    private void WriteCursor(SpoolPosition position)
    {
        var temporary = CursorPath + ".tmp";
        File.WriteAllText(temporary, string.Create(CultureInfo.InvariantCulture, $"{position.Segment} {position.Offset}"));
        File.Move(temporary, CursorPath, overwrite: true);
    }
}
