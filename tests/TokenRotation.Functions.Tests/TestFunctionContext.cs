using System.Collections.Immutable;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// A <see cref="FunctionContext"/> made for a test: one function with one trigger binding, its binding data, and
/// (for HTTP) the request's HttpContext where the ASP.NET Core integration puts it.
/// </summary>
internal sealed class TestFunctionContext : FunctionContext
{
    /// <summary>The key under which the worker's ASP.NET Core integration keeps the HttpContext (see GetHttpContext).</summary>
    public const string HttpContextKey = "HttpRequestContext";

    private readonly TestBindingContext _binding;

    public TestFunctionContext(string functionName, string triggerType, IServiceProvider services, IReadOnlyDictionary<string, object?>? bindingData = null, HttpContext? http = null)
    {
        FunctionDefinition = new TestFunctionDefinition(functionName, triggerType);
        InstanceServices = services;
        _binding = new TestBindingContext(bindingData ?? new Dictionary<string, object?>());
        if (http is not null)
        {
            Items[HttpContextKey] = http;
        }
    }

    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => FunctionDefinition.Id;

    public override TraceContext TraceContext => throw new NotSupportedException();

    public override BindingContext BindingContext => _binding;

    public override RetryContext RetryContext => throw new NotSupportedException();

    public override IServiceProvider InstanceServices { get; set; }

    public override FunctionDefinition FunctionDefinition { get; }

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features => throw new NotSupportedException();

    private sealed class TestBindingContext(IReadOnlyDictionary<string, object?> data) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData => data;
    }

    private sealed class TestFunctionDefinition(string name, string triggerType) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];

        public override string PathToAssembly => typeof(TestFunctionContext).Assembly.Location;

        public override string EntryPoint => name;

        public override string Id => name + "-id";

        public override string Name => name;

        public override IImmutableDictionary<string, BindingMetadata> InputBindings { get; } =
            ImmutableDictionary<string, BindingMetadata>.Empty.Add("trigger", new TestBinding("trigger", triggerType, BindingDirection.In));

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings { get; } = ImmutableDictionary<string, BindingMetadata>.Empty;
    }

    private sealed class TestBinding(string name, string type, BindingDirection direction) : BindingMetadata
    {
        public override string Name => name;

        public override string Type => type;

        public override BindingDirection Direction => direction;
    }
}
