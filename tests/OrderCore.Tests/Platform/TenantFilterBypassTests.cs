using System.Reflection;
using Microsoft.EntityFrameworkCore;
using OrderCore.Api.Platform.Auth;
using OrderCore.Api.Platform.Persistence;

namespace OrderCore.Tests.Platform;

/// <summary>
/// Tenant-owned rows are read and written through the query filter only: requests have their tenant,
/// background work runs as one (<see cref="UnitOfWork.RunAsTenantAsync{T}"/>), and work across tenants
/// claims rows in one SQL statement. Reads the IL of every method of the API, lambdas and async methods included.
/// </summary>
public sealed class TenantFilterBypassTests
{
    /// <summary>Authentication's lookups: a presented API key or checkout access token is what tells which tenant a request is.</summary>
    private static readonly Type[] Allowed = [typeof(ApiKeys), typeof(OrderCore.Api.Features.Checkout.CheckoutTokenAuthenticationHandler)];

    [Fact]
    public void Only_the_api_key_lookup_ignores_the_tenant_filter()
    {
        var bypassing = typeof(OrderCoreDbContext).Assembly.GetTypes()
            .Where(t => t.Namespace is { } ns && (ns.StartsWith("OrderCore.Api.Features", StringComparison.Ordinal)
                || ns.StartsWith("OrderCore.Api.Platform", StringComparison.Ordinal)))
            .Where(CallsIgnoreQueryFilters)
            .Select(Outermost)
            .Except(Allowed)
            .Select(t => t.FullName)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(bypassing.Count == 0, $"Reads past the tenant filter (run background work as a tenant instead): {string.Join(", ", bypassing)}");
    }

    /// <summary>The scan can fail: it finds the one allowed call.</summary>
    [Fact]
    public void The_scan_finds_the_api_key_lookup()
    {
        Assert.Contains(typeof(ApiKeys).Assembly.GetTypes().Where(CallsIgnoreQueryFilters).Select(Outermost), t => t == typeof(ApiKeys));
    }

    private static Type Outermost(Type type) => type.DeclaringType is { } outer ? Outermost(outer) : type;

    private static bool CallsIgnoreQueryFilters(Type type)
    {
        const BindingFlags declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
        return type.GetMethods(declared).Cast<MethodBase>().Concat(type.GetConstructors(declared)).Any(CallsIgnoreQueryFilters);
    }

    /// <summary>Any <c>call</c>/<c>callvirt</c> whose operand resolves to <c>IgnoreQueryFilters</c>.</summary>
    private static bool CallsIgnoreQueryFilters(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            return false;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] is not (0x28 or 0x6F))
            {
                continue;
            }

            try
            {
                if (method.Module.ResolveMethod(BitConverter.ToInt32(il, i + 1), typeArguments, methodArguments) is
                    { Name: nameof(EntityFrameworkQueryableExtensions.IgnoreQueryFilters) } called
                    && called.DeclaringType == typeof(EntityFrameworkQueryableExtensions))
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is ArgumentException or BadImageFormatException)
            {
                // Not a method token: the byte was an operand, not an opcode.
            }
        }

        return false;
    }
}
