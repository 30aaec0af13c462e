using System.Linq.Expressions;
using System.Reflection;

namespace OrderCore.Api.Platform.Pagination;

/// <summary>
/// <c>page</c> (from 1), <c>per_page</c> (default 20, clamped to 100) and the keyset cursor
/// <c>starting_after</c> (an id from the previous page: the next page costs what the first costs).
/// </summary>
public sealed record PageRequest
{
    public const int DefaultPerPage = 20;
    public const int MaxPerPage = 100;

    [Description("Page number, from 1 to 21474836 (the last whose offset can be computed); other values answer 400. "
        + "Ignored when starting_after is given.")]
    [FromQuery(Name = "page")]
    [Range(1, MaxPage)]
    public int? Page { get; init; }

    [Description("Items per page: default 20, values above 100 are clamped to 100.")]
    [FromQuery(Name = "per_page")]
    public int? PerPage { get; init; }

    [Description("Keyset cursor: the id of the last item of the previous page.")]
    [FromQuery(Name = "starting_after")]
    public string? StartingAfter { get; init; }

    /// <summary>
    /// The highest page number: its offset must fit an int. A higher one answers 400 naming this limit (see
    /// <see cref="Check"/>) rather than silently listing another page than the one asked for.
    /// </summary>
    public const int MaxPage = int.MaxValue / MaxPerPage;

    public int PageNumber => StartingAfter is null ? Page ?? 1 : 1;

    public int Size => Math.Clamp(PerPage ?? DefaultPerPage, 1, MaxPerPage);

    /// <summary>
    /// The one rule for the <c>page</c> and <c>per_page</c> of every list, checked before binding so that a page out of
    /// range and one that is not a number answer the same 400 <c>validation_failed</c> naming the parameter and its limits.
    /// </summary>
    public static Dictionary<string, string[]> Check(IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (query.TryGetValue("page", out var page) && !(int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                                                         && number is >= 1 and <= MaxPage))
        {
            errors["page"] = [$"must be a whole number from 1 to {MaxPage}"];
        }

        if (query.TryGetValue("per_page", out var perPage) && !int.TryParse(perPage, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            errors["per_page"] = [$"must be a whole number (values above {MaxPerPage} are clamped to {MaxPerPage})"];
        }

        return errors;
    }
}

/// <summary>
/// <c>page</c> and <c>per_page</c> only, for lists that have no single time-ordered id to continue after
/// (e.g. inventory levels, keyed by location and SKU).
/// </summary>
public sealed record PageNumberRequest
{
    [Description("Page number, from 1 to 21474836; other values answer 400.")]
    [FromQuery(Name = "page")]
    [Range(1, PageRequest.MaxPage)]
    public int? Page { get; init; }

    [Description("Items per page: default 20, values above 100 are clamped to 100.")]
    [FromQuery(Name = "per_page")]
    public int? PerPage { get; init; }

    public int PageNumber => Page ?? 1;

    public int Size => Math.Clamp(PerPage ?? PageRequest.DefaultPerPage, 1, PageRequest.MaxPerPage);
}

/// <summary>
/// One page of a list. <c>total</c> is capped at <see cref="Paging.MaxExactTotal"/> (<c>total_exact</c> false
/// beyond it), so that counting never reads every match of a million-row list.
/// </summary>
public sealed record Paged<T>(
    IReadOnlyList<T> Data,
    int Page,
    int PerPage,
    [property: Description("Items matching the filters: exact up to 1,000; beyond that 1,000 with total_exact false.")]
    long Total,
    [property: Description("false when more than 1,000 items match and total is only that lower bound; "
        + "walk the rest with has_more and starting_after.")]
    bool TotalExact,
    bool HasMore);

/// <summary>An entity listed newest first by its time-ordered id.</summary>
public interface IHasId
{
    string Id { get; }
}

public static class Paging
{
    /// <summary>
    /// The most rows a list counts. Beyond it <c>total</c> is this number with <c>total_exact</c> false:
    /// counting every match made the first page of a million-row list take seconds. The descriptions on
    /// <see cref="Paged{T}"/> and docs/conventions.md spell it out (1,000).
    /// </summary>
    public const int MaxExactTotal = 1_000;

    /// <summary>
    /// The one pagination helper: newest first by time-ordered id; <c>starting_after</c> continues after
    /// that id with a keyset condition instead of an OFFSET.
    /// </summary>
    public static Task<Paged<TOut>> ToPageAsync<T, TOut>(this IQueryable<T> query, PageRequest request,
        Func<T, TOut> map, CancellationToken cancellationToken) where T : class, IHasId
    {
        var ordered = query.OrderByDescending(e => e.Id);
        var window = request.StartingAfter is { } cursor
            ? ordered.Where(e => string.Compare(e.Id, cursor) < 0)
            : request.PageNumber == 1 ? ordered : ordered.Skip((request.PageNumber - 1) * request.Size);
        // A keyset page starts at an unknown position, so only a page-number page can tell the total by itself.
        return PageAsync(query, window, request.PageNumber, request.Size, request.StartingAfter is null, map, cancellationToken);
    }

    /// <summary>
    /// Pages a query in the order it already has (which must be total, e.g. by a unique key), by page
    /// number. For lists whose rows have no time-ordered id.
    /// </summary>
    public static Task<Paged<TOut>> ToPageAsync<T, TOut>(this IOrderedQueryable<T> query, PageNumberRequest request,
        Func<T, TOut> map, CancellationToken cancellationToken)
    {
        var window = request.PageNumber == 1 ? query : query.Skip((request.PageNumber - 1) * request.Size);
        return PageAsync(query, window, request.PageNumber, request.Size, true, map, cancellationToken);
    }

    /// <summary>
    /// Reads one page of <paramref name="matches"/> (<paramref name="window"/>: ordered, after the page's start) and its total
    /// in one statement: every row carries the capped count of all matches, an uncorrelated subquery that PostgreSQL computes
    /// once per statement, not per row. A separate count was a second round trip on every first page of a long list.
    /// </summary>
    private static async Task<Paged<TOut>> PageAsync<T, TOut>(IQueryable<T> matches, IQueryable<T> window, int page, int size,
        bool pageTellsTotal, Func<T, TOut> map, CancellationToken cancellationToken)
    {
        var capped = matches.TakeWritten(MaxExactTotal + 1);
        var rows = await window.TakeWritten(size + 1).Select(row => new CountedRow<T>(row, capped.LongCount())).ToListAsync(cancellationToken);
        var hasMore = rows.Count > size;
        var (total, exact) = pageTellsTotal && !hasMore && (rows.Count > 0 || page == 1)
            // The last page tells the exact total, even beyond the cap.
            ? ((long)(page - 1) * size + rows.Count, true)
            : rows.Count > 0
                ? Capped(rows[0].Matching)
                // An empty page past the end (or after the last id) carries no count.
                : await CountUpToCapAsync(matches, cancellationToken);
        var data = rows.Take(size).Select(r => map(r.Row)).ToList();
        return new Paged<TOut>(data, page, size, total, exact, hasMore);
    }

    private sealed record CountedRow<T>(T Row, long Matching);

    /// <summary>
    /// <c>Take</c> with the number written into the SQL (<c>LIMIT 21</c>) instead of sent as a parameter, as EF Core does
    /// even for a constant. PostgreSQL cannot plan <c>LIMIT $n</c> for the few rows wanted: a generic plan (which
    /// connections use, see <see cref="DatabaseConnection"/>) is costed for a tenth of the table, and the first page of
    /// orders then hashed every status change of the tenant (11 ms with 20,000 of them, growing with the tenant) instead of
    /// looking up those of its 21 orders; under the default plan cache mode the statement was planned again on every
    /// execution instead. A first page has no <c>OFFSET</c> for the same reason. Page sizes are 1 to 100, so the distinct
    /// statements stay few. The price: EF Core writes the SQL of such a statement again on each execution (a value written
    /// in opts it out of EF's command cache), a few percent of the API's time on a first page.
    /// </summary>
    private static IQueryable<T> TakeWritten<T>(this IQueryable<T> query, int count) =>
        query.Provider.CreateQuery<T>(Expression.Call(TakeMethod.MakeGenericMethod(typeof(T)), query.Expression,
            Expression.Call(ConstantMethod, Expression.Constant(count))));

    private static readonly MethodInfo TakeMethod = new Func<IQueryable<object>, int, IQueryable<object>>(Queryable.Take).Method.GetGenericMethodDefinition();
    private static readonly MethodInfo ConstantMethod = new Func<int, int>(EF.Constant).Method;

    /// <summary>
    /// <c>SELECT count(*) FROM (... LIMIT cap + 1)</c>: stops at the (cap + 1)th match however many there
    /// are, and that extra row tells "exactly the cap" from "more than the cap".
    /// </summary>
    private static async Task<(long Total, bool Exact)> CountUpToCapAsync<T>(IQueryable<T> query, CancellationToken cancellationToken) =>
        Capped(await query.TakeWritten(MaxExactTotal + 1).LongCountAsync(cancellationToken));

    private static (long Total, bool Exact) Capped(long counted) => counted > MaxExactTotal ? (MaxExactTotal, false) : (counted, true);
}
