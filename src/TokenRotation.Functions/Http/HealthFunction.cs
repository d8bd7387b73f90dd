using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace TokenRotation.Functions.Http;

/// <summary>Liveness probe. Anonymous, so it says nothing about connections, accounts or secrets.</summary>
public sealed class HealthFunction(TimeProvider timeProvider)
{
    [Function(nameof(Health))]
    public IActionResult Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new OkObjectResult(new HealthResponse("healthy", timeProvider.GetUtcNow()));
    }

    public sealed record HealthResponse(string Status, DateTimeOffset CheckedAt);
}
