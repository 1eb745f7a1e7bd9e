namespace App.Infrastructure.Configuration;

/// <summary>
/// Reads flat settings (environment names) and collects every problem instead of stopping at the first: a bad value is
/// named and its fallback used, so one start reports all of them at once. Infrastructure's settings
/// (<see cref="AppSettings"/>) and each feature's (<see cref="IFlatSettings"/>) are read through it.
/// </summary>
public sealed class SettingsReader(IConfiguration config)
{
    private readonly List<string> _problems = [];

    /// <summary>What was wrong, one line each: the name, what it must be and, unless secret, what was given.</summary>
    public IReadOnlyList<string> Problems => _problems;

    public void Problem(string name, string message) => _problems.Add($"{name} {message}");

    public string? Text(string name) => config[name] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    public IReadOnlyList<string> List(string name) =>
        Text(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    public bool Bool(string name, bool fallback)
    {
        var value = Text(name);
        if (value is null) return fallback;
        switch (value.ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on": return true;
            case "false" or "0" or "no" or "off": return false;
            default:
                Problem(name, $"must be true or false, not '{value}'.");
                return fallback;
        }
    }

    public int Port(string name, int fallback)
    {
        var value = Text(name);
        if (value is null) return fallback;
        if (int.TryParse(value, out var port) && port is > 0 and < 65536) return port;
        Problem(name, $"must be a TCP port between 1 and 65535, not '{value}'.");
        return fallback;
    }

    public double Number(string name, double fallback, double min, double max)
    {
        var value = Text(name);
        if (value is null) return fallback;
        if (double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number)
            && number >= min && number <= max)
            return number;
        Problem(name, $"must be a number from {min} to {max}, not '{value}'.");
        return fallback;
    }

    /// <summary>A URL that others are resolved against: its trailing slash keeps a base path when paths are appended.</summary>
    public Uri? BaseUrl(string name)
    {
        var url = AbsoluteUrl(name);
        return url is null || url.AbsolutePath.EndsWith('/') ? url : new Uri(url.GetLeftPart(UriPartial.Path) + "/");
    }

    public Uri? AbsoluteUrl(string name)
    {
        var value = Text(name);
        if (value is null) return null;
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return uri;
        Problem(name, $"must be an absolute http(s) URL, not '{value}'.");
        return null;
    }

    /// <summary>A credential that live mode requires and simulated mode defaults. Never echoes the value.</summary>
    public string Secret(string name, bool required, string developmentDefault)
    {
        var value = Text(name);
        if (value is not null) return value;
        if (required) Problem(name, "is required when USE_REAL_CALENDLY=true (find it in Calendly's developer console).");
        return developmentDefault;
    }

    /// <summary>A 256-bit key given as base64 (e.g. <c>openssl rand -base64 32</c>). Never echoes the value.</summary>
    public byte[] Key32(string name, bool required, byte[] developmentDefault)
    {
        var value = Text(name);
        if (value is null)
        {
            if (required)
                Problem(name, "is required with USE_REAL_CALENDLY=true or in Production: 32 random bytes as base64 (openssl rand -base64 32).");
            return developmentDefault;
        }
        var bytes = new byte[64];
        if (Convert.TryFromBase64String(value, bytes, out var length) && length == 32) return bytes[..32];
        Problem(name, "must be 32 bytes encoded as base64 (openssl rand -base64 32).");
        return developmentDefault;
    }

    public string ConnectionString(string name)
    {
        var value = Text(name);
        if (value is null)
        {
            Problem(name, "is not set. Give a postgres://user:password@host:port/database URL or an Npgsql connection string (./run.sh starts a local PostgreSQL and sets it for you).");
            return "";
        }
        try
        {
            return PostgresConnectionString.Parse(value);
        }
        catch (FormatException e)
        {
            Problem(name, $"is malformed: {e.Message}");
            return "";
        }
    }
}
