using System.Data;

namespace App.Infrastructure.Database;

/// <summary>Dapper conventions, set once: snake_case columns onto PascalCase members, timestamptz as UTC DateTimeOffset.</summary>
public static class DapperSetup
{
    public static void Configure()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new UtcDateTimeOffsetHandler());
    }

    /// <summary>
    /// Npgsql reads timestamptz as a UTC DateTime; the app speaks DateTimeOffset. With this handler Dapper also fills
    /// record constructors that take DateTimeOffset, and always sends UTC (Npgsql refuses other offsets for timestamptz).
    /// </summary>
    private sealed class UtcDateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTime dateTime => new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc)),
            DateTimeOffset offset => offset,
            _ => throw new DataException($"Cannot read {value.GetType().Name} as a point in time."),
        };

        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value) => parameter.Value = value.ToUniversalTime();
    }
}
