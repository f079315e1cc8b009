using K2.Kafka.Spool;

namespace K2.Kafka.Publishing;

/// <summary>
/// Records read from the spool and handed to the producer together. Acknowledgements arrive in any
/// order across partitions; the spool cursor only moves over the acknowledged prefix.
/// </summary>
internal sealed class ReplayBatch
{
    private readonly List<(OutboundRecord Record, SpoolPosition End)> _items;
    private readonly bool[] _done;
    private readonly Lock _gate = new();
    private int _prefix;
    private int _committed;

    public ReplayBatch(List<(OutboundRecord Record, SpoolPosition End)> items)
    {
        _items = items;
        _done = new bool[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            items[i].Record.Batch = this;
            items[i].Record.BatchIndex = i;
        }
    }

    public IEnumerable<OutboundRecord> Records => _items.Select(i => i.Record);

    public bool IsCommitted => _committed == _items.Count;

    /// <summary>Called from the delivery handler when the record is delivered (or permanently failed and set aside).</summary>
    public void MarkDone(int index)
    {
        lock (_gate)
        {
            _done[index] = true;
            while (_prefix < _done.Length && _done[_prefix]) { _prefix++; }
        }
    }

    /// <summary>The spool position after the newly acknowledged prefix, and how many records it covers.</summary>
    public bool TryTakeCommit(out SpoolPosition position, out int records)
    {
        lock (_gate)
        {
            records = _prefix - _committed;
            position = records > 0 ? _items[_prefix - 1].End : default;
            _committed = _prefix;
            return records > 0;
        }
    }
}
