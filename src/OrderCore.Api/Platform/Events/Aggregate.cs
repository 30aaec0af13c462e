namespace OrderCore.Api.Platform.Events;

/// <summary>
/// An event an aggregate raised about itself, waiting for the save that writes it to the outbox. <c>Data</c> is the
/// object as the API shows it after the change (<c>data.object</c> of the envelope). <c>AdapterId</c>: the adapter whose
/// request made the change (<c>x-adapterid</c>), if any. The id is chosen when the event is raised, so that work done in
/// the same transaction (a notification's delivery) can name the event before it is saved.
/// </summary>
public sealed record RaisedEvent(string Type, object Data, string SubjectId, long Sequence, DateTimeOffset At, string? AdapterId = null)
{
    private string? _json;

    /// <summary>The event's id, fixed when it is raised (a stored answer or a notification's delivery may name it before it is written).</summary>
    public string Id { get; } = Ids.New(Ids.Event);

    /// <summary><see cref="Data"/> as JSON, with the options of every HTTP answer; serialized once, however often asked.</summary>
    public string Json => _json ??= JsonSerializer.Serialize(Data, Data.GetType(), JsonDefaults.Options);
}

/// <summary>
/// A tenant-owned entity that changes only through its own methods and raises an event for each change. Saving the
/// context turns raised events into outbox rows in the same transaction (<c>OrderCoreDbContext.SaveChangesAsync</c>),
/// so a handler never writes an event by hand and no change can be saved without its event.
/// </summary>
public abstract class Aggregate
{
    private readonly List<RaisedEvent> _raised = [];

    /// <summary>The events raised since the last save, oldest first (a method, so that EF does not map it).</summary>
    public IReadOnlyList<RaisedEvent> RaisedEvents() => _raised;

    protected void Raise(RaisedEvent raised) => _raised.Add(raised);

    /// <summary>Hands the raised events to the outbox once; called by the save.</summary>
    internal List<RaisedEvent> TakeRaisedEvents()
    {
        var taken = _raised.ToList();
        _raised.Clear();
        return taken;
    }
}
