using Npgsql;

namespace OrderCore.Api.Platform.Persistence;

public static class PostgresErrors
{
    public static bool IsUniqueViolation(this Exception exception, string? constraint = null) =>
        Find(exception) is { SqlState: PostgresErrorCodes.UniqueViolation } pg && (constraint is null || pg.ConstraintName == constraint);

    /// <summary>
    /// PostgreSQL cannot be reached or refused the work for now (refused, reset, timed out, shutting down, starting up, no
    /// primary among the hosts of a multi-host connection string, a primary demoted by a failover): trying again may succeed.
    /// </summary>
    public static bool IsTransient(this Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException
                or PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow }
                // A server that was the primary when the connection was made is a standby now (failover).
                or PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction }
                || IsNoPrimary(e))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every host answered, none as a primary (<c>Target Session Attributes=primary</c> during a failover): Npgsql's own message, without a cause.</summary>
    private static bool IsNoPrimary(Exception e) =>
        e is NpgsqlException { InnerException: null } and not PostgresException
        && e.Message.StartsWith("No suitable host", StringComparison.Ordinal);

    private static PostgresException? Find(Exception exception) => exception switch
    {
        PostgresException pg => pg,
        DbUpdateException { InnerException: PostgresException pg } => pg,
        _ => null,
    };
}
