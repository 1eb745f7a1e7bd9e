using System.Net;
using System.Text;

namespace App.Tests.Support;

/// <summary>
/// A server-sent event stream read as it arrives, as a browser's EventSource would: each event's name and data, in
/// order, and everything received as text (to show what a stream does not carry).
/// </summary>
public sealed class EventStream : IAsyncDisposable
{
    public sealed record ServerEvent(string Name, string Data);

    private readonly HttpResponseMessage _response;
    private readonly List<ServerEvent> _events = [];
    private readonly StringBuilder _text = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    private EventStream(HttpResponseMessage response)
    {
        _response = response;
        _reading = ReadAsync();
    }

    /// <summary>Opens the stream and waits for its first event (the server's "open").</summary>
    public static async Task<EventStream> OpenAsync(Browser browser, string url)
    {
        var response = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), completion: HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var stream = new EventStream(response);
        await stream.WaitForAsync("open", TimeSpan.FromSeconds(10));
        return stream;
    }

    /// <summary>The events received so far, keep-alives and the opening one included.</summary>
    public IReadOnlyList<ServerEvent> Events
    {
        get { lock (_events) return [.. _events]; }
    }

    /// <summary>Everything received so far, as sent.</summary>
    public string Text
    {
        get { lock (_events) return _text.ToString(); }
    }

    /// <summary>Completes when the server ends the stream.</summary>
    public Task Ended => _reading;

    /// <summary>Waits for the first event of this name (received already, or to come); fails after <paramref name="within"/>.</summary>
    public async Task<ServerEvent> WaitForAsync(string name, TimeSpan within)
    {
        for (var deadline = DateTime.UtcNow + within; DateTime.UtcNow < deadline; await Task.Delay(20))
            if (Events.FirstOrDefault(e => e.Name == name) is { } received) return received;
        throw new TimeoutException($"No {name} event within {within}; received: {string.Join(", ", Events.Select(e => e.Name))}.");
    }

    private async Task ReadAsync()
    {
        using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync(_stop.Token));
        string name = "message";
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            lock (_events)
            {
                _text.AppendLine(line);
                if (line.Length == 0)
                {
                    if (data.Length > 0) _events.Add(new ServerEvent(name, data.ToString()));
                    (name, data) = ("message", new StringBuilder());
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line["event: ".Length..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Append(line["data: ".Length..]);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reading;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            // Ended by this side, as a closed tab ends it.
        }
        _response.Dispose();
        _stop.Dispose();
    }
}
