using K2.Kafka.Spool;

namespace K2.Kafka.Publishing;

/// <summary>
/// Replays the spool in order: reads chunks the producer has room for and hands them over, then moves the spool's
/// cursor only over the acknowledged prefix of each chunk (acknowledgements come in any order across partitions), so
/// what was not acknowledged is replayed again after a crash.
/// </summary>
internal sealed class SpoolReplayer(DiskSpool spool, RecordProducer producer, DeliveryTracker tracker)
{
    private const int ReplayChunk = 4096;
    private readonly Queue<ReplayBatch> _replays = new();

    /// <summary>Replays while <paramref name="canSend"/> holds and the spool has unread records; true when it handed any over.</summary>
    public async Task<bool> ReplayAsync(Func<bool> canSend)
    {
        var any = false;
        while (canSend() && spool.HasUnread)
        {
            var room = tracker.Room();
            if (room <= 0)
            {
                await tracker.WaitForRoomAsync(canSend);
                continue;
            }

            var batch = new ReplayBatch(spool.Read((int)Math.Min(ReplayChunk, room)));
            _replays.Enqueue(batch);
            foreach (var record in batch.Records)
            {
                while (!producer.TryProduce(record)) { await Task.Delay(1); }
            }

            any = true;
        }

        return any;
    }

    /// <summary>Moves the spool's cursor over the replayed records acknowledged (or set aside) so far.</summary>
    public void CommitAcknowledged()
    {
        while (_replays.TryPeek(out var front))
        {
            if (front.TryTakeCommit(out var position, out var records)) { spool.Commit(position, records); }
            if (!front.IsCommitted) { break; }
            _replays.Dequeue();
        }
    }
}
