using System.Buffers.Binary;

namespace OrderCore.Api.Platform.Persistence;

/// <summary>
/// PostgreSQL advisory locks held until the current transaction ends, named by a string (hashed to the
/// 64-bit lock id; a collision only makes two unrelated names wait for each other).
/// </summary>
public static class AdvisoryLocks
{
    /// <summary>Waits for the lock.</summary>
    public static async Task LockAsync(this OrderCoreDbContext db, string name, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockId(name)})", cancellationToken);

    /// <summary>
    /// Takes the lock if it is free, never waiting, sent with the other statements of <paramref name="batch"/>: answers whether
    /// the lock was taken.
    /// </summary>
    public static SqlResult<List<bool>> TryLock(this SqlBatch batch, string name) =>
        batch.AddRows($"SELECT pg_try_advisory_xact_lock({LockId(name)})", row => row.GetBoolean(0));

    private static long LockId(string name) => BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
}
