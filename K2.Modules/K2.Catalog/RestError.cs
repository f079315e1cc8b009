using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace K2.Catalog;

/// <summary>
/// The REST catalog's error body, <c>{"error": {"message", "type", "code"}}</c> (the spec's IcebergErrorResponse);
/// clients turn <c>type</c> into their own exception (NoSuchTableException …).
/// </summary>
internal static class RestError
{
    public static IResult NoSuchNamespace(string[] ns) =>
        Error(StatusCodes.Status404NotFound, "NoSuchNamespaceException", $"Namespace does not exist: {string.Join('.', ns)}");

    public static IResult NoSuchTable(string[] ns, string table) =>
        Error(StatusCodes.Status404NotFound, "NoSuchTableException", $"Table does not exist: {string.Join('.', ns)}.{table}");

    public static IResult NoSuchView(string[] ns, string view) =>
        Error(StatusCodes.Status404NotFound, "NoSuchViewException", $"View does not exist: {string.Join('.', ns)}.{view}");

    public static IResult BadRequest(string message) => Error(StatusCodes.Status400BadRequest, "BadRequestException", message);

    public static IResult NotAuthorized(string message) => Error(StatusCodes.Status401Unauthorized, "NotAuthorizedException", message);

    public static IResult ReadOnly(HttpRequest request) => Error(StatusCodes.Status403Forbidden, "ForbiddenException",
        $"K2's catalog is read-only: its tables are written by the daemon's offload and maintenance alone ({request.Method} {request.Path} refused)");

    public static IResult Unsupported(HttpRequest request) => Error(StatusCodes.Status406NotAcceptable, "UnsupportedOperationException",
        $"K2's catalog does not serve {request.Method} {request.Path}; GET /v1/config lists the endpoints it serves");

    public static IResult Error(int status, string type, string message) =>
        Results.Text(new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["code"] = status } }.ToJsonString(),
            "application/json", statusCode: status);

    /// <summary>The token endpoint's own error shape (OAuthError): <c>{"error": "invalid_client", "error_description": …}</c>.</summary>
    public static IResult OAuth(int status, string error, string description) =>
        Results.Text(new JsonObject { ["error"] = error, ["error_description"] = description }.ToJsonString(), "application/json", statusCode: status);
}
