using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;

namespace K2.Query.Server;

/// <summary>
/// The web console: static files embedded in the assembly (<c>Console/wwwroot</c>), served at <c>/</c>, and whether the
/// API wants a key. The page and its charting library load from this listener only, which the content security policy
/// holds them to.
/// </summary>
internal static class ConsoleFiles
{
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'";

    /// <summary>Where the page learns, before its first API request, whether to ask for a key.</summary>
    public const string SettingsPath = "/console/settings.json";

    public static void Use(IApplicationBuilder app, bool apiKeyRequired)
    {
        app.Use(async (http, next) =>
        {
            if (http.Request.Path != SettingsPath)
            {
                await next(http).ConfigureAwait(false);
                return;
            }

            http.Response.Headers.CacheControl = "no-store";
            await http.Response.WriteAsJsonAsync(new Dictionary<string, bool> { ["api_key_required"] = apiKeyRequired }, http.RequestAborted).ConfigureAwait(false);
        });
        var files = new ManifestEmbeddedFileProvider(typeof(ConsoleFiles).Assembly, "Console/wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,

            // Only the embedded files can be served; the vendored LICENSE has no extension.
            ServeUnknownFileTypes = true,
            DefaultContentType = "text/plain; charset=utf-8",
            OnPrepareResponse = file =>
            {
                var headers = file.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "no-cache";
            },
        });
    }
}
