using System.Text.RegularExpressions;
using K2.ClickHouse.Embedded;

namespace K2.ClickHouse.HttpInterface;

/// <summary>
/// An error as a ClickHouse server reports it over HTTP: the body <c>Code: N. DB::Exception: … (NAME)</c>, the header
/// <c>X-ClickHouse-Exception-Code</c>, and the HTTP status ClickHouse's handler derives from the code.
/// </summary>
internal sealed partial class ClickHouseHttpError(int code, string name, string message) : Exception(message)
{
    public const int UnknownDatabase = 81;
    public const int SyntaxError = 62;
    public const int TimeoutExceeded = 159;
    public const int Readonly = 164;
    public const int TooManyRowsOrBytes = 396;
    public const int SettingConstraintViolation = 452;
    public const int AuthenticationFailed = 516;
    public const int NotImplemented = 48;

    public int Code { get; } = code;

    /// <summary>The text ClickHouse sends, ending in a newline.</summary>
    public string Body { get; } = $"Code: {code}. DB::Exception: {message}. ({name})\n";

    public static ClickHouseHttpError ReadOnlyMode(string detail) => new(Readonly, "READONLY", detail);

    /// <summary>An error of the engine, with its own text (which already reads <c>Code: N. DB::Exception: …</c>).</summary>
    public static string EngineBody(ChDbException error) => WrapperScope().Replace(error.Message, "").TrimEnd() + "\n";

    /// <summary>The HTTP status ClickHouse's HTTP handler answers an error code with.</summary>
    public static int HttpStatus(int code) => code switch
    {
        194 => 401,                                                  // REQUIRED_PASSWORD
        192 or 193 or AuthenticationFailed or Readonly or 497 => 403, // UNKNOWN_USER, WRONG_PASSWORD, ACCESS_DENIED
        6 or 25 or 26 or 27 or 38 or 41 or 53 or SyntaxError or 72 or 117 => 400, // CANNOT_PARSE_*, TYPE_MISMATCH, INCORRECT_DATA
        46 or 47 or 50 or 56 or 60 or 63 or 73 or UnknownDatabase or 115 => 404, // UNKNOWN_FUNCTION … UNKNOWN_TABLE, UNKNOWN_SETTING
        NotImplemented => 501,
        76 or 209 => 503,                                            // CANNOT_OPEN_FILE, SOCKET_TIMEOUT
        _ => 500,
    };

    /// <summary>The suffix an error of K2's own statement check carries (<c>In scope SELECT formatQuery(…)</c>), which is not the client's.</summary>
    [GeneratedRegex(@"\s*:?\s*In scope SELECT formatQuery\(.*\)\.(?=\s*\()", RegexOptions.Singleline)]
    private static partial Regex WrapperScope();
}
