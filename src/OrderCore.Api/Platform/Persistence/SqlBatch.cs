using System.Data.Common;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace OrderCore.Api.Platform.Persistence;

/// <summary>
/// Statements of several features sent in one round trip, in the caller's transaction: where each EF Core query would be a
/// round trip of its own (about 0.8 ms under load however little it does), a path as hot as order creation gathers the
/// statements it needs next into one batch. Each feature adds its own statement over its own tables and maps its own
/// rows (<see cref="AddRows{T}"/>); <see cref="ExecuteAsync"/> sends them all and reads each result set, in order.
/// <para>
/// Statements are written in SQL, so the tenant query filter does not apply to them: name the tenant's rows with
/// <see cref="Tenant"/> (bound to the context's tenant when the batch runs), never with a value of the caller's.
/// </para>
/// </summary>
public sealed class SqlBatch(OrderCoreDbContext db)
{
    /// <summary>Stands, as an argument of a statement, for the tenant the context runs as.</summary>
    public static readonly object Tenant = new();

    private readonly List<Statement> _statements = [];

    /// <summary>Adds a statement; its arguments become parameters. The answer holds its rows, each mapped by <paramref name="row"/>, once the batch ran.</summary>
    public SqlResult<List<T>> AddRows<T>(FormattableString sql, Func<DbDataReader, T> row)
    {
        var result = new SqlResult<List<T>>();
        Add(sql, async (reader, cancellationToken) =>
        {
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(row(reader));
            }

            result.Set(rows);
        }, refusal: null);
        return result;
    }

    /// <summary>
    /// Adds a statement whose rows do not matter. When it fails, <paramref name="refusal"/> may name the exception to throw
    /// instead of the database's (an answer for the client, say); the statements after it in the batch do not run.
    /// </summary>
    public void Add(FormattableString sql, Func<PostgresException, Exception?> refusal) =>
        Add(sql, static (_, _) => Task.CompletedTask, refusal);

    private void Add(FormattableString sql, Func<DbDataReader, CancellationToken, Task> read, Func<PostgresException, Exception?>? refusal)
    {
        var arguments = sql.GetArguments();
        var command = new NpgsqlBatchCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql.Format,
            arguments.Select((_, i) => (object)$"${i + 1}").ToArray()));
        foreach (var argument in arguments)
        {
            command.Parameters.Add(new NpgsqlParameter
            {
                Value = ReferenceEquals(argument, Tenant)
                    ? db.TenantId ?? throw new InvalidOperationException("The statement names the tenant's rows, but the context runs as no tenant.")
                    : argument ?? DBNull.Value,
            });
        }

        _statements.Add(new Statement(command, read, refusal));
    }

    /// <summary>Sends every statement added so far in one round trip (in the context's open transaction) and reads their results.</summary>
    public async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction
            ?? throw new InvalidOperationException("A batch runs in the unit of work's transaction.");
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction);
        foreach (var statement in _statements)
        {
            batch.BatchCommands.Add(statement.Command);
        }

        // The statement being read: the one a failure belongs to (the database runs none after it).
        var current = 0;
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            for (; current < _statements.Count; current++)
            {
                if (current > 0)
                {
                    await reader.NextResultAsync(cancellationToken);
                }

                await _statements[current].Read(reader, cancellationToken);
            }
        }
        catch (PostgresException failed) when (_statements[current].Refusal?.Invoke(failed) is { } refusal)
        {
            throw refusal;
        }
        finally
        {
            _statements.Clear();
        }
    }

    private sealed record Statement(NpgsqlBatchCommand Command, Func<DbDataReader, CancellationToken, Task> Read,
        Func<PostgresException, Exception?>? Refusal);
}

/// <summary>What a statement of a <see cref="SqlBatch"/> answered, once the batch ran.</summary>
public sealed class SqlResult<T>
{
    private T? _value;
    private bool _set;

    public T Value => _set ? _value! : throw new InvalidOperationException("The batch has not run yet.");

    internal void Set(T value)
    {
        _value = value;
        _set = true;
    }
}
