using System.Text.Encodings.Web;
using System.Text.Json;

namespace Calendly.Simulator.Pages;

/// <summary>Plain server-rendered pages: one small stylesheet, no scripts from elsewhere.</summary>
public static class Html
{
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public static IResult Page(string title, string body, int status = StatusCodes.Status200OK, string? script = null) =>
        Results.Content($$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>{{E(title)}} · Calendly simulator</title>
              <style>
                body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
                h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
                .slots { display: flex; flex-wrap: wrap; gap: .5rem; }
                .slots a, button { padding: .45rem .8rem; border: 1px solid #0069ff; border-radius: .4rem; color: #0069ff;
                  background: #fff; text-decoration: none; font: inherit; cursor: pointer; }
                button.primary { background: #0069ff; color: #fff; }
                label { display: block; margin: .8rem 0 .2rem; } input, select, textarea { font: inherit; padding: .35rem; width: 100%; max-width: 28rem; }
                .error { color: #b00020; } .muted { color: #666; }
              </style>
            </head>
            <body>
            {{body}}
            {{(script is null ? "" : $"<script>{script}</script>")}}
            </body>
            </html>
            """, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);

    public static IResult Error(int status, string title, string message) =>
        Page(title, $"<h1>{E(title)}</h1><p class=\"error\">{E(message)}</p>", status);

    /// <summary>
    /// The window.postMessage events Calendly's embed sends to the page around its iframe ({event, payload}), followed by
    /// calendly.page_height. Outside an iframe nothing is sent. JSON from System.Text.Json escapes &lt; and &gt;, so it is
    /// safe inside a script element.
    /// </summary>
    public static string EmbedScript(params (string Event, object Payload)[] messages)
    {
        var json = JsonSerializer.Serialize(messages.Select(m => new { @event = m.Event, payload = m.Payload }));
        return $$"""
            (function () {
              if (window.parent === window) return;
              var post = function (message) { window.parent.postMessage(message, "*"); };
              {{json}}.forEach(post);
              post({ event: "calendly.page_height", payload: { height: document.documentElement.scrollHeight + "px" } });
            })();
            """;
    }
}
