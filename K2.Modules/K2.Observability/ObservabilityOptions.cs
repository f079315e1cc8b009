using System.ComponentModel.DataAnnotations;
using System.Net;

namespace K2.Observability;

public sealed class ObservabilityOptions : IValidatableObject
{
    public const string SectionName = "Observability";

    /// <summary>Address of /metrics, /healthz, /readyz and /status. Default <c>127.0.0.1:9464</c> (loopback only).</summary>
    public string Listen { get; set; } = "127.0.0.1:9464";

    internal IPEndPoint Endpoint => IPEndPoint.Parse(Listen);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPEndPoint.TryParse(Listen, out var endpoint) || endpoint.Port == 0)
        {
            yield return new ValidationResult($"'{Listen}' is not an address; use IP:port such as 127.0.0.1:9464 (0.0.0.0:9464 to listen on all interfaces)", [nameof(Listen)]);
        }
    }
}
