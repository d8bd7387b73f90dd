using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using TokenRotation.Functions;
using TokenRotation.Functions.Middleware;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<FunctionErrorMiddleware>();
builder.UseMiddleware<OperatorAuthMiddleware>();
builder.Services.AddTokenRotationFunctions(builder.Configuration);
builder.Services.AddTokenRotationTelemetry(builder.Configuration);
builder.Build().Run();
