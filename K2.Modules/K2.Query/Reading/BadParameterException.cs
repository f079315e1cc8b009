namespace K2.Query.Reading;

/// <summary>A request parameter K2 refuses; the response is a 400 problem naming it and what is allowed.</summary>
internal sealed class BadParameterException(string parameter, string detail, int status = 400) : Exception($"{parameter}: {detail}")
{
    public string Parameter { get; } = parameter;

    public string Detail { get; } = detail;

    public int Status { get; } = status;
}
