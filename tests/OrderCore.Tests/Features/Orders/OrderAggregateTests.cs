using OrderCore.Api.Features.Orders;

namespace OrderCore.Tests.Features.Orders;

/// <summary>The order's own rules, without HTTP or a database: the lifecycle, the history and the events it raises.</summary>
public sealed class OrderAggregateTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static Order NewOrder() => Order.Place("order_test", 7, new PricedOrder("USD", null, [], 0m),
        new OrderDetails(null, "lead-1", "stripe", "pi_1", null, null, null), At);

    [Fact]
    public void A_placed_order_is_pending_and_raises_order_created()
    {
        var order = NewOrder();

        Assert.Equal(OrderStatus.Pending, order.Status);
        Assert.Equal("OC-000007", order.OrderNumber);
        var raised = Assert.Single(order.RaisedEvents());
        Assert.Equal((OrderLifecycle.Created, "order_test", 1L, At), (raised.Type, raised.SubjectId, raised.Sequence, raised.At));
        Assert.Equal("lead-1", Assert.IsType<OrderResponse>(raised.Data).MerchantReferenceId);
        Assert.Equal(OrderStatus.Pending, Assert.Single(order.StatusHistory).To);
    }

    [Theory]
    [InlineData("Confirmed", "order.confirmed")]
    [InlineData("Cancelled", "order.cancelled")]
    public void An_allowed_move_records_the_step_and_raises_its_event(string status, string eventType)
    {
        var to = Enum.Parse<OrderStatus>(status);
        var order = NewOrder();

        order.MoveTo(to, "because", null, At.AddMinutes(1));

        Assert.Equal(to, order.Status);
        Assert.Equal(At.AddMinutes(1), order.UpdatedAt);
        var step = order.StatusHistory[^1];
        Assert.Equal((OrderStatus.Pending, to, 2, "because"), (step.From!.Value, step.To, step.Sequence, step.Reason));
        var raised = order.RaisedEvents()[^1];
        Assert.Equal((eventType, 2L), (raised.Type, raised.Sequence));
        Assert.Equal(to, Assert.IsType<OrderResponse>(raised.Data).Status);
    }

    [Fact]
    public void A_move_the_lifecycle_forbids_throws_and_changes_nothing()
    {
        var order = NewOrder();

        var refused = Assert.Throws<InvalidOrderTransitionException>(() => order.MoveTo(OrderStatus.Fulfilled, null, null, At));

        Assert.Equal((OrderStatus.Pending, OrderStatus.Fulfilled), (refused.Current, refused.Requested));
        Assert.Equal([OrderStatus.Confirmed, OrderStatus.Cancelled], refused.AllowedNext);
        Assert.Equal(OrderStatus.Pending, order.Status);
        Assert.Single(order.StatusHistory);
        Assert.Single(order.RaisedEvents());
    }

    [Fact]
    public void Final_statuses_allow_no_move()
    {
        var order = NewOrder();
        order.MoveTo(OrderStatus.Confirmed, null, null, At);
        order.MoveTo(OrderStatus.Fulfilled, null, null, At);

        Assert.Throws<InvalidOrderTransitionException>(() => order.MoveTo(OrderStatus.Cancelled, null, null, At));
        Assert.Equal([1L, 2L, 3L], order.RaisedEvents().Select(e => e.Sequence));
    }

    [Fact]
    public void Status_and_history_cannot_be_set_from_outside_the_aggregate()
    {
        Assert.False(typeof(Order).GetProperty(nameof(Order.Status))!.SetMethod!.IsPublic);
        Assert.False(typeof(Order).GetProperty(nameof(Order.EventSequence))!.SetMethod!.IsPublic);
        Assert.Null(typeof(Order).GetProperty(nameof(Order.StatusHistory))!.SetMethod);
        Assert.DoesNotContain(typeof(Order).GetConstructors(), c => c.IsPublic);
    }
}
