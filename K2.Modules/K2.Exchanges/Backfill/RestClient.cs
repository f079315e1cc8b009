using System.Net;
using System.Text;
using K2.Core.Trades;
using Microsoft.Extensions.Logging;

namespace K2.Exchanges.Backfill;

/// <summary>
/// The REST requests of one exchange, whatever the symbol: paced at one per
/// <see cref="ExchangeOptions.RestRequestIntervalMilliseconds"/>, and held back as the exchange says when it answers
/// 429 Too Many Requests (or Binance's 418 ban, or a rate-limit error in a 200 answer): the request is sent again once
/// its <c>Retry-After</c> has passed, and every other request of the exchange waits as long.
/// </summary>
internal sealed class RestClient(HttpClient http, Exchange exchange, TimeSpan interval, TimeProvider clock, ILogger logger) : IDisposable
{
    /// <summary>Rate-limit answers in a row after which the request fails (the backfill tries again later).</summary>
    public const int MaxRateLimitedInARow = 8;

    private static readonly TimeSpan FirstHold = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestHoldWithoutRetryAfter = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Lock _gate = new();
    private readonly string _label = exchange.ToWire();
    private DateTimeOffset _nextRequestAt = DateTimeOffset.MinValue;

    /// <summary>GETs <paramref name="uri"/> and returns the body of a successful answer.</summary>
    /// <param name="isRateLimited">Recognizes a rate-limit error inside a 200 answer (Kraken reports them in its error list).</param>
    /// <exception cref="HttpRequestException">An error status, or rate-limited <see cref="MaxRateLimitedInARow"/> times.</exception>
    public async Task<byte[]> GetAsync(Uri uri, Func<byte[], bool>? isRateLimited, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await WaitForTurnAsync(cancellationToken);
            using var response = await http.GetAsync(uri, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var rateLimited = response.StatusCode is HttpStatusCode.TooManyRequests or (HttpStatusCode)418
                || (response.IsSuccessStatusCode && isRateLimited?.Invoke(body) == true);
            if (!rateLimited)
            {
                ExchangeMetrics.RestRequests.WithLabels(_label, response.IsSuccessStatusCode ? "ok" : "error").Inc();
                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase} from {uri.AbsolutePath}: {Excerpt(body)}", null, response.StatusCode);
                }

                return body;
            }

            ExchangeMetrics.RestRequests.WithLabels(_label, "rate_limited").Inc();
            var hold = RetryAfter(response) ?? TimeSpan.FromTicks(Math.Min(FirstHold.Ticks << Math.Min(attempt - 1, 10), LongestHoldWithoutRetryAfter.Ticks));
            Log.RestRateLimited(logger, _label, (int)response.StatusCode, (long)hold.TotalMilliseconds);
            Hold(hold);
            if (attempt >= MaxRateLimitedInARow)
            {
                throw new HttpRequestException($"rate-limited {attempt} times in a row on {uri.AbsolutePath}", null, response.StatusCode);
            }
        }
    }

    public void Dispose() => _turn.Dispose();

    private async Task WaitForTurnAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            TimeSpan wait;
            lock (_gate) { wait = _nextRequestAt - clock.GetUtcNow(); }
            if (wait > TimeSpan.Zero) { await Task.Delay(wait, clock, cancellationToken); }
            lock (_gate) { _nextRequestAt = Later(_nextRequestAt, clock.GetUtcNow() + interval); }
        }
        finally
        {
            _turn.Release();
        }
    }

    private void Hold(TimeSpan hold)
    {
        lock (_gate) { _nextRequestAt = Later(_nextRequestAt, clock.GetUtcNow() + hold); }
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - clock.GetUtcNow() is var until && until > TimeSpan.Zero ? until : TimeSpan.Zero,
        _ => null,
    };

    private static string Excerpt(byte[] body) => Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 200)));
}
