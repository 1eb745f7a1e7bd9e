using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Benchmarks;

/// <summary>
/// An open-loop sender of pre-signed webhook deliveries at a fixed rate, run by the webhooks benchmark as a process of
/// its own (as Calendly's senders are not in the app's process). wrk has no fixed-rate mode: it sends the next request
/// when an answer comes, so a slow app is sent less. This sends each delivery at its time whatever the answers do, so a
/// slow app shows as lag, not as a lower rate. Prints "sent N failed F late L seconds S".
/// </summary>
[Benchmark("webhook-sender", "url file-of-signature-tab-body-lines rate-per-second")]
public static class WebhookSender
{
    // Sends due within this much are sent together: Task.Delay's resolution is about a millisecond.
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(5);

    public static async Task RunAsync(string[] args)
    {
        var (url, file, rate) = (args[0], args[1], double.Parse(args[2], CultureInfo.InvariantCulture));
        var deliveries = (await File.ReadAllLinesAsync(file)).Select(line => line.Split('\t', 2)).ToArray();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = Timeout.InfiniteTimeSpan });
        var sends = new List<Task<bool>>(deliveries.Length);
        var late = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < deliveries.Length; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            if (due - clock.Elapsed is { } wait && wait > Tick) await Task.Delay(wait);
            // Behind schedule by more than a tick: the sender, not the app, would be what limits the rate.
            if (clock.Elapsed - due > 10 * Tick) late++;
            sends.Add(SendAsync(http, url, deliveries[i][0], deliveries[i][1]));
        }
        var answered = await Task.WhenAll(sends);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sent {answered.Length} failed {answered.Count(ok => !ok)} late {late} seconds {clock.Elapsed.TotalSeconds:F2}"));
    }

    private static async Task<bool> SendAsync(HttpClient http, string url, string signature, string body)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Calendly-Webhook-Signature", signature);
            using var response = await http.SendAsync(request);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
