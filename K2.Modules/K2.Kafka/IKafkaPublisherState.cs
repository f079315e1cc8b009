namespace K2.Kafka;

/// <summary>
/// What the Kafka publisher still holds, for a caller that must know everything it handed to the trade sink is in
/// Kafka before it goes on (<c>k2 replay</c>, the publish benchmark).
/// </summary>
public interface IKafkaPublisherState
{
    /// <summary>The topics are checked and created; until then records wait in the spool.</summary>
    bool TopicsReady { get; }

    /// <summary>Nothing queued, held, in flight or spooled: the brokers have acknowledged every accepted record.</summary>
    bool IsDrained { get; }

    /// <summary>Records waiting in the on-disk spool.</summary>
    long SpooledRecords { get; }
}
