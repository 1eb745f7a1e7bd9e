using System.Net;
using System.Net.Sockets;

namespace App.Tests.Support;

/// <summary>
/// A loopback TCP forwarder between the app and PostgreSQL, so a test can take the database away (connections cut,
/// new ones refused) and bring it back, without stopping the server other tests share.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _open = [];
    private readonly Lock _gate = new();
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();
    private TaskCompletionSource _thawed = Thawed();

    private TcpProxy(IPEndPoint target, int port)
    {
        _target = target;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The same database, reached through a new proxy: what a test gives the app to take its database away.</summary>
    public static (TcpProxy Proxy, string ConnectionString) InFrontOf(string connectionString)
    {
        var direct = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var proxy = Start(direct.Host!, direct.Port);
        return (proxy, new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString);
    }

    public static TcpProxy Start(string host, int port)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var free = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var proxy = new TcpProxy(new IPEndPoint(Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork), port), free);
        proxy.Open();
        return proxy;
    }

    /// <summary>Accepts connections again, forwarding each to the database.</summary>
    public void Open()
    {
        _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _ = AcceptAsync(_listener, _stop.Token);
    }

    /// <summary>The database hangs (SIGSTOP): connections stay open but nothing passes, until <see cref="Thaw"/>.</summary>
    public void Freeze() => _thawed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Thaw() => _thawed.TrySetResult();

    /// <summary>The database is gone: every open connection is cut and new ones are refused.</summary>
    public void Cut()
    {
        _stop.Cancel();
        _listener?.Stop();
        lock (_gate)
        {
            foreach (var client in _open) client.Dispose();
            _open.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await listener.AcceptTcpClientAsync(ct); }
            catch (Exception) { return; }
            var outbound = new TcpClient();
            try { await outbound.ConnectAsync(_target, ct); }
            catch (Exception) { inbound.Dispose(); outbound.Dispose(); continue; }
            lock (_gate) _open.AddRange([inbound, outbound]);
            _ = PumpAsync(inbound, outbound, ct);
            _ = PumpAsync(outbound, inbound, ct);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.GetStream().ReadAsync(buffer, ct)) > 0)
            {
                await _thawed.Task.WaitAsync(ct);
                await to.GetStream().WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        catch (Exception)
        {
            // Cut: the other side is closed below.
        }
        from.Dispose();
        to.Dispose();
    }

    private static TaskCompletionSource Thawed()
    {
        var thawed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        thawed.SetResult();
        return thawed;
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
