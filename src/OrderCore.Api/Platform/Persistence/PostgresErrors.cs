using Npgsql;

namespace OrderCore.Api.Platform.Persistence;

public static class PostgresErrors
{
    public static bool IsUniqueViolation(this Exception exception, string? constraint = null) =>
        Find(exception) is { SqlState: PostgresErrorCodes.UniqueViolation } pg && (constraint is null || pg.ConstraintName == constraint);

    /// <summary>PostgreSQL cannot be reached or refused the work for now (refused, reset, timed out, shutting down): trying again may succeed.</summary>
    public static bool IsTransient(this Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }

        return false;
    }

    private static PostgresException? Find(Exception exception) => exception switch
    {
        PostgresException pg => pg,
        DbUpdateException { InnerException: PostgresException pg } => pg,
        _ => null,
    };
}
