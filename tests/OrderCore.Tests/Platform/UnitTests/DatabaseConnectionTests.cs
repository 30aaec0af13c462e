using Npgsql;
using OrderCore.Api.Platform.Persistence;

namespace OrderCore.Tests.Platform.UnitTests;

public sealed class DatabaseConnectionTests
{
    [Fact]
    public void Defaults_apply_where_the_connection_string_is_silent()
    {
        var settings = new NpgsqlConnectionStringBuilder(DatabaseConnection.WithDefaults("Host=db.internal;Username=app;Database=ordercore"));

        Assert.Equal("db.internal", settings.Host);
        Assert.Equal(DatabaseConnection.DefaultMaxPoolSize, settings.MaxPoolSize);
        Assert.True(settings.NoResetOnClose);
        Assert.True(settings.MaxAutoPrepare > 0);
        Assert.Equal("-c random_page_cost=1.1 -c plan_cache_mode=force_generic_plan", settings.Options);
    }

    [Theory]
    [InlineData("Host=h;Maximum Pool Size=7;No Reset On Close=false;Max Auto Prepare=0;Options='-c random_page_cost=2'")]
    [InlineData("Host=h;MaxPoolSize=7;NoResetOnClose=false;MaxAutoPrepare=0;Options='-c random_page_cost=2'")]
    public void The_operators_settings_win_whatever_their_spelling(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(DatabaseConnection.WithDefaults(connectionString));

        Assert.Equal(7, settings.MaxPoolSize);
        Assert.False(settings.NoResetOnClose);
        Assert.Equal(0, settings.MaxAutoPrepare);
        Assert.Equal("-c random_page_cost=2", settings.Options);
    }
}
