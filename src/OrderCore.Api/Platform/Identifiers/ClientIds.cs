namespace OrderCore.Api.Platform.Identifiers;

/// <summary>
/// The protocol of resources whose id a client may choose (products, customers, locations): a POST may
/// carry <c>id</c> (409 <c>resource_exists</c> when it is taken), and <c>PUT /{id}</c> creates the resource
/// with that id or replaces it. One rule for what such an id may be: <see cref="Ids.IsWritable"/>.
/// </summary>
public static class ClientIds
{
    public const string Rule = "must be 1 to 128 characters of [A-Za-z0-9._:-], not shaped like a generated id";

    /// <summary>Which part of <see cref="Rule"/> <paramref name="id"/> breaks, or null when it is a writable id.</summary>
    public static string? Problem(string id) =>
        IdentifierText.Problem(id, "A-Za-z0-9._:-", c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-')
        ?? (Ids.IsWritable(id) ? null : "must not be shaped like a generated id (a lower-case prefix, '_' and 32 hex digits): those are OrderCore's own");

    /// <summary>The body's optional <c>id</c> on a create.</summary>
    public static IRuleBuilderOptions<T, string?> ValidWritableId<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(id => id is null || Ids.IsWritable(id)).WithMessage((_, id) => Problem(id!) ?? Rule);

    /// <summary>A PUT body may repeat the path's id, never name another.</summary>
    public static ApiError? CheckPutBody(string pathId, string? bodyId) =>
        bodyId is not null && bodyId != pathId ? ApiError.Validation("id", "must match the id in the path (or be omitted)") : null;

    /// <summary>A PUT that creates: the path's id must be one a client may choose (generated-looking ids are only ever made by OrderCore).</summary>
    public static ApiError? CheckNew(string id) => Problem(id) is { } problem ? ApiError.Validation("id", problem) : null;

    /// <summary>409 for a POST whose <c>id</c> is taken, pointing at the PUT that would replace it.</summary>
    public static ApiError Exists(string resource, string collectionPath, string id) =>
        ApiError.Conflict("resource_exists", $"A {resource} with id {id} already exists; use PUT {collectionPath}/{id} to replace it")
            .With($"{resource}_id", id);
}
