using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace OrderCore.Api.Platform.Pagination;

/// <summary>
/// <c>page</c> (from 1), <c>per_page</c> (default 20, clamped to 100) and the keyset cursor
/// <c>starting_after</c> (an id from the previous page: the next page costs what the first costs).
/// </summary>
public sealed record PageRequest
{
    public const int DefaultPerPage = 20;
    public const int MaxPerPage = 100;

    [Description("Page number, from 1. Ignored when starting_after is given.")]
    [FromQuery(Name = "page")]
    public int? Page { get; init; }

    [Description("Items per page: default 20, values above 100 are clamped to 100.")]
    [FromQuery(Name = "per_page")]
    public int? PerPage { get; init; }

    [Description("Keyset cursor: the id of the last item of the previous page.")]
    [FromQuery(Name = "starting_after")]
    public string? StartingAfter { get; init; }

    public int PageNumber => StartingAfter is null ? Math.Max(Page ?? 1, 1) : 1;

    public int Size => Math.Clamp(PerPage ?? DefaultPerPage, 1, MaxPerPage);
}

/// <summary>
/// <c>page</c> and <c>per_page</c> only, for lists that have no single time-ordered id to continue after
/// (e.g. inventory levels, keyed by location and SKU).
/// </summary>
public sealed record PageNumberRequest
{
    [Description("Page number, from 1.")]
    [FromQuery(Name = "page")]
    public int? Page { get; init; }

    [Description("Items per page: default 20, values above 100 are clamped to 100.")]
    [FromQuery(Name = "per_page")]
    public int? PerPage { get; init; }

    public int PageNumber => Math.Max(Page ?? 1, 1);

    public int Size => Math.Clamp(PerPage ?? PageRequest.DefaultPerPage, 1, PageRequest.MaxPerPage);
}

public sealed record Paged<T>(IReadOnlyList<T> Data, int Page, int PerPage, long Total, bool HasMore);

/// <summary>An entity listed newest first by its time-ordered id.</summary>
public interface IHasId
{
    string Id { get; }
}

public static class Paging
{
    /// <summary>
    /// The one pagination helper: newest first by time-ordered id; <c>starting_after</c> continues after
    /// that id with a keyset condition instead of an OFFSET.
    /// </summary>
    public static async Task<Paged<TOut>> ToPageAsync<T, TOut>(this IQueryable<T> query, PageRequest request,
        Func<T, TOut> map, CancellationToken cancellationToken) where T : class, IHasId
    {
        var total = await query.LongCountAsync(cancellationToken);
        var ordered = query.OrderByDescending(e => e.Id);
        var window = request.StartingAfter is { } cursor
            ? ordered.Where(e => string.Compare(e.Id, cursor) < 0)
            : ordered.Skip((request.PageNumber - 1) * request.Size);
        var rows = await window.Take(request.Size + 1).ToListAsync(cancellationToken);
        var hasMore = rows.Count > request.Size;
        var data = rows.Take(request.Size).Select(map).ToList();
        return new Paged<TOut>(data, request.PageNumber, request.Size, total, hasMore);
    }

    /// <summary>
    /// Pages a query in the order it already has (which must be total, e.g. by a unique key), by page
    /// number. For lists whose rows have no time-ordered id.
    /// </summary>
    public static async Task<Paged<TOut>> ToPageAsync<T, TOut>(this IOrderedQueryable<T> query, PageNumberRequest request,
        Func<T, TOut> map, CancellationToken cancellationToken)
    {
        var total = await query.LongCountAsync(cancellationToken);
        var rows = await query.Skip((request.PageNumber - 1) * request.Size).Take(request.Size + 1).ToListAsync(cancellationToken);
        var hasMore = rows.Count > request.Size;
        var data = rows.Take(request.Size).Select(map).ToList();
        return new Paged<TOut>(data, request.PageNumber, request.Size, total, hasMore);
    }
}
