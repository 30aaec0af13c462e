using Microsoft.EntityFrameworkCore;
using Npgsql;
using OrderCore.Api.Platform.Persistence;

namespace OrderCore.Tests.Platform.UnitTests;

/// <summary>Which failures <see cref="DatabaseRetry"/> retries and the error writer answers with 503 (<see cref="PostgresErrors.IsTransient"/>).</summary>
public sealed class PostgresErrorsTests
{
    [Theory]
    [InlineData(PostgresErrorCodes.AdminShutdown)]
    [InlineData(PostgresErrorCodes.CrashShutdown)]
    [InlineData(PostgresErrorCodes.CannotConnectNow)]
    [InlineData(PostgresErrorCodes.ReadOnlySqlTransaction)]
    [InlineData(PostgresErrorCodes.ConnectionFailure)]
    public void Shutdowns_startups_lost_connections_and_a_demoted_primary_are_transient(string sqlState)
    {
        var error = Postgres(sqlState);

        Assert.True(error.IsTransient());
        Assert.True(new DbUpdateException("save", error).IsTransient());
    }

    [Fact]
    public void No_primary_among_the_hosts_of_a_multi_host_connection_string_is_transient() =>
        Assert.True(new NpgsqlException("No suitable host was found.").IsTransient());

    [Theory]
    [InlineData(PostgresErrorCodes.UniqueViolation)]
    [InlineData(PostgresErrorCodes.SyntaxError)]
    [InlineData(PostgresErrorCodes.UndefinedTable)]
    public void Errors_of_the_request_or_the_code_are_not(string sqlState) => Assert.False(Postgres(sqlState).IsTransient());

    [Fact]
    public void Other_client_errors_are_not() => Assert.False(new NpgsqlException("Something else went wrong").IsTransient());

    private static PostgresException Postgres(string sqlState) => new("message", "FATAL", "FATAL", sqlState);
}
