using System.ComponentModel.DataAnnotations;
using K2.Core.Configuration;

namespace K2.Kafka;

public enum KafkaMode
{
    /// <summary>librdkafka's in-process mock cluster (default; nothing to install).</summary>
    Embedded,

    /// <summary>An external Kafka or Redpanda cluster at <see cref="KafkaOptions.BootstrapServers"/>.</summary>
    External,
}

public sealed class KafkaOptions : ModuleOptions, IValidatableObject
{
    public const string SectionName = "Modules:Kafka";

    /// <summary>Embedded (default) or External.</summary>
    public KafkaMode Mode { get; set; } = KafkaMode.Embedded;

    /// <summary>host:port list of the external cluster; required when <see cref="Mode"/> is External.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>Brokers of the embedded mock cluster. Default 1.</summary>
    [Range(1, 5)]
    public int EmbeddedBrokers { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mode == KafkaMode.External && string.IsNullOrWhiteSpace(BootstrapServers))
        {
            yield return new ValidationResult("required when Mode is External; set host:port[,host:port…] of the Kafka/Redpanda brokers", [nameof(BootstrapServers)]);
        }
    }
}
