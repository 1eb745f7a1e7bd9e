using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace App.Features.Webhooks;

/// <summary>
/// Statements collected in order and sent as one command, which Npgsql sends in one round trip: a batch of webhook
/// events is applied with one exchange instead of one per event. Each statement keeps its own parameters: @Name of the
/// n-th statement becomes @Name_n. Statements run in order in the caller's transaction, so each sees the ones before it.
/// </summary>
public sealed partial class StatementBatch
{
    private readonly StringBuilder _sql = new();
    private readonly DynamicParameters _parameters = new();
    private int _count;

    /// <summary>Adds a statement whose @Name parameters are the properties of <paramref name="parameters"/> of that name.</summary>
    public void Add(string sql, object parameters)
    {
        var suffix = $"_{_count++}";
        var used = Parameter().Matches(sql).Select(match => match.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var property in parameters.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (used.Contains(property.Name))
                _parameters.Add(property.Name + suffix, property.GetValue(parameters));
        _sql.Append(Parameter().Replace(sql, match => match.Value + suffix)).Append(";\n");
    }

    public Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct) =>
        _count == 0
            ? Task.CompletedTask
            : connection.ExecuteAsync(new CommandDefinition(_sql.ToString(), _parameters, transaction, cancellationToken: ct));

    // @Name, not the :: of a cast.
    [GeneratedRegex(@"(?<![@\w])@(\w+)")]
    private static partial Regex Parameter();
}
