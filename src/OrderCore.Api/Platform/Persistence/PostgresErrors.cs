using Npgsql;

namespace OrderCore.Api.Platform.Persistence;

public static class PostgresErrors
{
    public static bool IsUniqueViolation(this Exception exception, string? constraint = null) =>
        Find(exception) is { SqlState: PostgresErrorCodes.UniqueViolation } pg && (constraint is null || pg.ConstraintName == constraint);

    private static PostgresException? Find(Exception exception) => exception switch
    {
        PostgresException pg => pg,
        DbUpdateException { InnerException: PostgresException pg } => pg,
        _ => null,
    };
}
