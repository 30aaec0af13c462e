using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using OrderCore.Api.Platform.RateLimiting;

namespace OrderCore.Api.Platform.Auth;

public sealed class AdminOptions
{
    /// <summary>From <c>ORDERCORE_ADMIN_TOKEN</c>. Without it the admin routes are not mapped at all (404).</summary>
    public string? Token { get; set; }
}

/// <summary>Authenticates the operator's <c>Authorization: Bearer &lt;admin token&gt;</c> on <c>/admin</c> routes.</summary>
public sealed class AdminTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<AdminOptions> admin,
    FailedAuthenticationLimiter failedAttempts) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminToken";
    public const string PolicyName = "Admin";

    private bool _presented;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var expected = admin.Value.Token;
        var authorization = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(expected) || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        _presented = true;
        var presented = Encoding.UTF8.GetBytes(authorization[7..].Trim());
        // Compare hashes so that neither the content nor the length of the token leaks through timing.
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(presented), SHA256.HashData(Encoding.UTF8.GetBytes(expected))))
        {
            return Task.FromResult(AuthenticateResult.Fail("Invalid admin token"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, "admin")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ProblemWriter.WriteAsync(Context, _presented
            ? failedAttempts.Refuse(Context, ApiError.Unauthorized("Invalid admin token"))
            : ApiError.Unauthorized("Missing admin token"));
}
